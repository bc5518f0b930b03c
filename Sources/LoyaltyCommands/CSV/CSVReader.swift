#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A streaming reader of RFC 4180 CSV: fields separated by commas, records by CRLF or LF, fields
/// in double quotes may hold commas, line breaks and doubled quotes (`""`). A UTF-8 byte order
/// mark at the start is skipped.
///
/// The file is read in 1 MiB chunks, so memory does not grow with the file. A malformed record
/// (a quote inside an unquoted field, text after a closing quote, invalid UTF-8, a record over
/// ``maximumRecordBytes``) is returned as ``Item/malformed(line:reason:)`` and reading goes on at
/// the next line; a quoted field still open at the end of the file ends the reading.
final class CSVReader {
    enum Item: Equatable {
        /// `line` is the line the record starts on (1 for the first); a quoted line break counts.
        case record(line: Int, fields: [String])
        case malformed(line: Int, reason: String)
    }

    /// A longer record is refused: it usually means a quote was not closed.
    static let maximumRecordBytes = 65_536

    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var position = 0
    private var filled = 0
    private var atEnd = false
    private(set) var bytesRead: Int64 = 0
    private var line = 1
    private var startOfFile = true

    init(path: String) throws(CSVReadError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path, String(cString: strerror(errno))) }
    }

    deinit {
        close(descriptor)
    }

    private func nextByte() throws(CSVReadError) -> UInt8? {
        if position == filled {
            guard !atEnd else { return nil }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { return try nextByte() }
                throw .cannotRead(String(cString: strerror(errno)))
            }
            bytesRead += Int64(count)
            guard count > 0 else {
                atEnd = true
                return nil
            }
            position = 0
            filled = count
        }
        defer { position += 1 }
        return buffer[position]
    }

    private func peekByte() throws(CSVReadError) -> UInt8? {
        guard let byte = try nextByte() else { return nil }
        position -= 1
        return byte
    }

    /// The next record, or `nil` at the end of the file.
    func next() throws(CSVReadError) -> Item? {
        if startOfFile {
            startOfFile = false
            if try peekByte() == 0xEF {
                // Only a whole byte order mark is skipped; the buffer holds at least 3 bytes if the file does.
                if filled - position >= 3, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF { position += 3 }
            }
        }
        guard try peekByte() != nil else { return nil }
        let start = line
        var fields: [String] = []
        var field: [UInt8] = []
        var size = 0
        var quoted = false
        var quoteJustClosed = false
        var fieldStarted = false

        func finishField() -> String? {
            let text = String(validating: field, as: UTF8.self)
            field.removeAll(keepingCapacity: true)
            return text
        }

        while true {
            guard let byte = try nextByte() else {
                if quoted, !quoteJustClosed { return .malformed(line: start, reason: "a quoted field is not closed before the end of the file") }
                break
            }
            size += 1
            if size > Self.maximumRecordBytes {
                try skipLine()
                return .malformed(line: start, reason: "the record is longer than \(Self.maximumRecordBytes) bytes; is a quote not closed?")
            }
            if quoted, !quoteJustClosed {
                if byte == UInt8(ascii: "\"") {
                    quoteJustClosed = true
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            if quoteJustClosed, byte == UInt8(ascii: "\"") {
                // A doubled quote inside a quoted field.
                field.append(byte)
                quoteJustClosed = false
                continue
            }
            // CR LF ends a record like LF; a CR on its own is data.
            if byte == UInt8(ascii: "\r"), try peekByte() == UInt8(ascii: "\n") { continue }
            switch byte {
            case UInt8(ascii: ","):
                guard let text = finishField() else { try skipLine(); return invalidUTF8(start) }
                fields.append(text)
                quoted = false
                quoteJustClosed = false
                fieldStarted = false
            case UInt8(ascii: "\n"):
                line += 1
                guard let text = finishField() else { return invalidUTF8(start) }
                fields.append(text)
                return .record(line: start, fields: fields)
            case UInt8(ascii: "\"") where !fieldStarted:
                quoted = true
                fieldStarted = true
            case UInt8(ascii: "\""):
                try skipLine()
                return .malformed(line: start, reason: "a quote inside an unquoted field (quote the whole field and double the quote)")
            default:
                if quoteJustClosed {
                    try skipLine()
                    return .malformed(line: start, reason: "text after a closing quote")
                }
                field.append(byte)
                fieldStarted = true
            }
        }
        guard let text = finishField() else { return invalidUTF8(start) }
        fields.append(text)
        return .record(line: start, fields: fields)
    }

    private func invalidUTF8(_ line: Int) -> Item {
        .malformed(line: line, reason: "not valid UTF-8 (save the file as UTF-8)")
    }

    /// Skips to the start of the next line, after a malformed record.
    private func skipLine() throws(CSVReadError) {
        while let byte = try nextByte() {
            if byte == UInt8(ascii: "\n") {
                line += 1
                return
            }
        }
    }
}

/// The file itself could not be read.
enum CSVReadError: Error, CustomStringConvertible {
    case cannotOpen(String, String)
    case cannotRead(String)

    var description: String {
        switch self {
        case .cannotOpen(let path, let why): "cannot open \(path): \(why)"
        case .cannotRead(let why): "cannot read the file: \(why)"
        }
    }
}
