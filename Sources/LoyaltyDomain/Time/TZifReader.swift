/// Reads the parts of a TZif file (RFC 8536) the store's time zone needs.
struct TZifReader {
    struct Header {
        var version: Int
        var isUTCCount, isStandardCount, leapCount, timeCount, typeCount, characterCount: Int

        func dataLength(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + characterCount + leapCount * (timeSize + 4)
                + isStandardCount + isUTCCount
        }
    }

    struct LocalTimeType {
        var offset: Int32
        var isDST: Bool
    }

    struct Data {
        var transitions: [Int64]
        var typeIndices: [UInt8]
        var types: [LocalTimeType]
    }

    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func header() throws(StoreTimeZoneError) -> Header {
        guard try take(4) == Array("TZif".utf8) else { throw StoreTimeZoneError("not a TZif time zone file") }
        let versionByte = try take(1)[0]
        let version = versionByte == 0 ? 1 : Int(versionByte) - Int(UInt8(ascii: "0"))
        try skip(15)
        var counts: [Int] = []
        for _ in 0..<6 { counts.append(Int(try integer(size: 4))) }
        guard counts.allSatisfy({ $0 >= 0 && $0 < 1_000_000 }), counts[4] > 0 else { throw StoreTimeZoneError("a damaged TZif header") }
        return Header(
            version: version, isUTCCount: counts[0], isStandardCount: counts[1], leapCount: counts[2],
            timeCount: counts[3], typeCount: counts[4], characterCount: counts[5])
    }

    mutating func data(_ header: Header, timeSize: Int) throws(StoreTimeZoneError) -> Data {
        var transitions: [Int64] = []
        for _ in 0..<header.timeCount { transitions.append(try integer(size: timeSize)) }
        let indices = try take(header.timeCount)
        var types: [LocalTimeType] = []
        for _ in 0..<header.typeCount {
            let offset = Int32(truncatingIfNeeded: try integer(size: 4))
            let isDST = try take(2)[0] != 0
            types.append(LocalTimeType(offset: offset, isDST: isDST))
        }
        guard indices.allSatisfy({ Int($0) < types.count }) else { throw StoreTimeZoneError("a damaged TZif type index") }
        try skip(header.characterCount + header.leapCount * (timeSize + 4) + header.isStandardCount + header.isUTCCount)
        return Data(transitions: transitions, typeIndices: indices, types: types)
    }

    /// The POSIX TZ string between the two newlines after version 2+ data.
    mutating func footer() throws(StoreTimeZoneError) -> String {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\n") else { return "" }
        let start = position + 1
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { throw StoreTimeZoneError("a damaged TZif footer") }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    mutating func skip(_ count: Int) throws(StoreTimeZoneError) {
        _ = try take(count)
    }

    private mutating func take(_ count: Int) throws(StoreTimeZoneError) -> [UInt8] {
        guard count >= 0, position + count <= bytes.count else { throw StoreTimeZoneError("the TZif file is truncated") }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// A big-endian signed integer of 4 or 8 bytes.
    private mutating func integer(size: Int) throws(StoreTimeZoneError) -> Int64 {
        let raw = try take(size)
        var value: UInt64 = 0
        for byte in raw { value = value << 8 | UInt64(byte) }
        return size == 4 ? Int64(Int32(truncatingIfNeeded: value)) : Int64(bitPattern: value)
    }
}
