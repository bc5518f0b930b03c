/// Reading a contactless card's UID with the PC/SC part 3 GET DATA command.
public enum CardUID {
    /// `FF CA 00 00 00`: GET DATA, UID, full length.
    public static let getDataCommand: [UInt8] = [0xFF, 0xCA, 0x00, 0x00, 0x00]

    /// The UID in a GET DATA answer, or `nil` unless the answer ends in 90 00 and has data.
    public static func uid(fromAnswer answer: [UInt8]) -> [UInt8]? {
        guard answer.count > 2, answer[answer.count - 2] == 0x90, answer[answer.count - 1] == 0x00 else { return nil }
        return Array(answer.dropLast(2))
    }

    /// Uppercase hex, as the `uid` carrier stores it.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
