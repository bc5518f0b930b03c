#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes RFC 4180 CSV records (CRLF line ends; a field with a comma, quote, CR, LF or leading or
/// trailing space is quoted, quotes doubled) to a file descriptor through a 64 KiB buffer.
final class CSVWriter {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []

    /// Writes to standard output.
    init() {
        descriptor = STDOUT_FILENO
        ownsDescriptor = false
        buffer.reserveCapacity(1 << 16)
    }

    /// Creates `path` (it must not exist) readable by its owner only: a member list is personal data.
    init(creating path: String) throws(CSVWriteError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotCreate(path, String(cString: strerror(errno))) }
        ownsDescriptor = true
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    func write(_ fields: [String]) throws(CSVWriteError) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
                || field.first == " " || field.last == " "
            if needsQuotes {
                buffer.append(UInt8(ascii: "\""))
                for byte in field.utf8 {
                    if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                    buffer.append(byte)
                }
                buffer.append(UInt8(ascii: "\""))
            } else {
                buffer.append(contentsOf: field.utf8)
            }
        }
        buffer.append(contentsOf: [0x0D, 0x0A])
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes out what is buffered; a full disk or closed pipe is an error.
    func flush() throws(CSVWriteError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(String(cString: strerror(errno)))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and makes the file durable.
    func finish() throws(CSVWriteError) {
        try flush()
        if ownsDescriptor, fsync(descriptor) != 0 { throw .cannotWrite(String(cString: strerror(errno))) }
    }
}

enum CSVWriteError: Error, CustomStringConvertible {
    case cannotCreate(String, String)
    case cannotWrite(String)

    var description: String {
        switch self {
        case .cannotCreate(let path, let why): "cannot create \(path): \(why)"
        case .cannotWrite(let why): "cannot write: \(why)"
        }
    }
}
