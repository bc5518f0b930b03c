/// A member number written on an NFC Forum Type 2 tag (NTAG21x, MIFARE Ultralight) as the first
/// text or URI record of its NDEF message, read with PC/SC READ BINARY (`FF B0 00 <page> 10`,
/// four 4-byte pages at a time).
///
/// Cheap tags' UIDs can be cloned; a number the program wrote on the tag can be used instead
/// (`readers.contactless.identify_by: ndef`). The layout read is the Type 2 Tag one: the
/// capability container in page 3 (`E1`, version, data area size ÷ 8, access), then from page 4
/// TLV blocks (`00` null, `01` lock control, `02` memory control, `03` NDEF message, `FE` end).
public enum NDEFMemberNumber {
    /// Why no member number could be read.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The most pages read for one tag: the capability container and 128 bytes of data area.
    static let maximumDataBytes = 128

    /// READ BINARY of 16 bytes (four pages) from `page`.
    public static func readCommand(page: UInt8) -> [UInt8] { [0xFF, 0xB0, 0x00, page, 0x10] }

    /// Reads the member number through `readPages`, which sends ``readCommand(page:)`` to the tag
    /// and returns the answer (status word included).
    public static func read(_ readPages: (UInt8) throws -> [UInt8]) -> Result<String, Problem> {
        func pages(from page: UInt8) throws(Problem) -> [UInt8] {
            let answer: [UInt8]
            do { answer = try readPages(page) } catch { throw Problem("READ BINARY failed: \(error)") }
            guard answer.count == 18, answer[16] == 0x90, answer[17] == 0x00 else {
                throw Problem("READ BINARY answered " + CardUID.hex(Array(answer.suffix(2))))
            }
            return Array(answer.prefix(16))
        }
        do throws(Problem) {
            let first = try pages(from: 3)
            guard first[0] == 0xE1 else { throw Problem("no NDEF on the card (no capability container in page 3)") }
            var data = Array(first.dropFirst(4))
            let dataAreaBytes = min(Int(first[2]) * 8, maximumDataBytes)
            while true {
                switch try message(in: data, complete: data.count >= dataAreaBytes) {
                case .found(let message): return .success(try memberNumber(in: message))
                case .needMore:
                    data += try pages(from: UInt8(4 + data.count / 4))
                }
            }
        } catch {
            return .failure(error)
        }
    }

    enum Scan: Equatable {
        case found([UInt8])
        case needMore
    }

    /// The NDEF message TLV's value in the data area read so far (from page 4).
    static func message(in data: [UInt8], complete: Bool) throws(Problem) -> Scan {
        var index = 0
        func need(_ count: Int) throws(Problem) -> Bool {
            if index + count <= data.count { return true }
            if complete { throw Problem("the NDEF data runs past the tag's data area") }
            return false
        }
        while try need(1) {
            let type = data[index]
            index += 1
            if type == 0x00 { continue }
            if type == 0xFE { throw Problem("no NDEF message on the card") }
            guard try need(1) else { return .needMore }
            var length = Int(data[index])
            index += 1
            if length == 0xFF {
                guard try need(2) else { return .needMore }
                length = Int(data[index]) << 8 | Int(data[index + 1])
                index += 2
            }
            if type == 0x03 {
                guard length > 0 else { throw Problem("the NDEF message on the card is empty") }
                guard length <= maximumDataBytes else { throw Problem("the NDEF message is longer than \(maximumDataBytes) bytes") }
                guard try need(length) else { return .needMore }
                return .found(Array(data[index..<(index + length)]))
            }
            index += length
        }
        return .needMore
    }

    /// The text of the first text record, or the URI of the first URI record, of a message.
    static func memberNumber(in message: [UInt8]) throws(Problem) -> String {
        var index = 0
        while index < message.count {
            let header = message[index]
            let shortRecord = header & 0x10 != 0
            let hasID = header & 0x08 != 0
            let typeNameFormat = header & 0x07
            let lengthBytes = shortRecord ? 1 : 4
            guard index + 2 + lengthBytes + (hasID ? 1 : 0) <= message.count else { throw Problem("the NDEF record header is cut short") }
            let typeLength = Int(message[index + 1])
            var payloadLength = 0
            for offset in 0..<lengthBytes { payloadLength = payloadLength << 8 | Int(message[index + 2 + offset]) }
            var cursor = index + 2 + lengthBytes
            let idLength = hasID ? Int(message[cursor]) : 0
            if hasID { cursor += 1 }
            let type = Array(message[min(cursor, message.count)..<min(cursor + typeLength, message.count)])
            cursor += typeLength + idLength
            guard payloadLength <= message.count, cursor + payloadLength <= message.count else {
                throw Problem("the NDEF record is longer than its message")
            }
            let payload = Array(message[cursor..<(cursor + payloadLength)])
            if typeNameFormat == 0x01, type == [0x54] { return try text(payload) }
            if typeNameFormat == 0x01, type == [0x55] { return try uri(payload) }
            index = cursor + payloadLength
            if header & 0x40 != 0 { break }
        }
        throw Problem("the NDEF message has no text or URI record")
    }

    /// A text record's text (UTF-8, or UTF-16 when the status byte's top bit says so).
    static func text(_ payload: [UInt8]) throws(Problem) -> String {
        guard let status = payload.first else { throw Problem("the NDEF text record is empty") }
        let start = 1 + Int(status & 0x3F)
        guard start <= payload.count else { throw Problem("the NDEF text record is cut short") }
        let bytes = payload[start...]
        if status & 0x80 == 0 { return String(decoding: bytes, as: UTF8.self) }
        var units: [UInt16] = []
        var littleEndian = false
        var position = bytes.startIndex
        while position + 1 < bytes.endIndex {
            let unit = littleEndian
                ? UInt16(bytes[position + 1]) << 8 | UInt16(bytes[position])
                : UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
            position += 2
            if units.isEmpty, unit == 0xFEFF { continue }
            if units.isEmpty, unit == 0xFFFE { littleEndian = true; continue }
            units.append(unit)
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// The URI abbreviations of the NFC Forum URI record type, by identifier code.
    static let uriPrefixes = [
        "", "http://www.", "https://www.", "http://", "https://", "tel:", "mailto:", "ftp://anonymous:anonymous@",
        "ftp://ftp.", "ftps://", "sftp://", "smb://", "nfs://", "ftp://", "dav://", "news:", "telnet://", "imap:",
        "rtsp://", "urn:", "pop:", "sip:", "sips:", "tftp:", "btspp://", "btl2cap://", "btgoep://", "tcpobex://",
        "irdaobex://", "file://", "urn:epc:id:", "urn:epc:tag:", "urn:epc:pat:", "urn:epc:raw:", "urn:epc:", "urn:nfc:",
    ]

    /// A URI record's URI, its abbreviation written out.
    static func uri(_ payload: [UInt8]) throws(Problem) -> String {
        guard let code = payload.first else { throw Problem("the NDEF URI record is empty") }
        guard Int(code) < uriPrefixes.count else { throw Problem("the NDEF URI record has an unknown abbreviation code \(code)") }
        return uriPrefixes[Int(code)] + String(decoding: payload.dropFirst(), as: UTF8.self)
    }
}
