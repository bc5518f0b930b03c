/// The store's time zone, read from the system's tz database (a TZif file), so that birthdays,
/// campaign dates, weekdays and hours follow the store's wall clock, daylight saving included.
///
/// It is parsed once from bytes (the configuration loader reads the file) and is then a pure value.
public struct StoreTimeZone: Sendable, Hashable {
    public let name: String
    /// UTC seconds at which the offset changes, ascending, with the offset in force from each.
    private let transitions: [Int64]
    private let offsets: [Int32]
    /// The offset before the first transition.
    private let initialOffset: Int32
    /// The rule for times after the last transition (the TZif footer), when the file has one.
    private let rule: PosixTimeZoneRule?

    public static let utc = StoreTimeZone(name: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

    private init(name: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32, rule: PosixTimeZoneRule?) {
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = rule
    }

    /// Reads a TZif file (versions 1 to 4) as found under /usr/share/zoneinfo.
    public init(name: String, tzif bytes: [UInt8]) throws(StoreTimeZoneError) {
        var reader = TZifReader(bytes: bytes)
        let first = try reader.header()
        // Version 1 data uses 32-bit times; version 2+ repeats the data with 64-bit times and a footer.
        if first.version >= 2 {
            try reader.skip(first.dataLength(timeSize: 4))
            let second = try reader.header()
            let data = try reader.data(second, timeSize: 8)
            let footer = try reader.footer()
            let rule = footer.isEmpty ? nil : try PosixTimeZoneRule(parsing: footer)
            self.init(name: name, data: data, rule: rule)
        } else {
            self.init(name: name, data: try reader.data(first, timeSize: 4), rule: nil)
        }
    }

    private init(name: String, data: TZifReader.Data, rule: PosixTimeZoneRule?) {
        let firstStandard = data.types.firstIndex { !$0.isDST } ?? 0
        self.init(
            name: name, transitions: data.transitions, offsets: data.typeIndices.map { data.types[Int($0)].offset },
            initialOffset: data.types.isEmpty ? 0 : data.types[firstStandard].offset, rule: rule)
    }

    /// The offset from UTC, in seconds, in force at `epochSeconds`.
    public func offsetSeconds(at epochSeconds: Int64) -> Int32 {
        if let last = transitions.last, epochSeconds >= last, let rule { return rule.offset(at: epochSeconds) }
        if transitions.isEmpty { return rule?.offset(at: epochSeconds) ?? initialOffset }
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= epochSeconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? initialOffset : offsets[low - 1]
    }

    /// The wall-clock time at `milliseconds` since the epoch.
    public func localTime(atMilliseconds milliseconds: Int64) -> LocalTime {
        let seconds = floorDivide(milliseconds, 1_000)
        let local = seconds + Int64(offsetSeconds(at: seconds))
        let days = floorDivide(local, 86_400)
        return LocalTime(date: CivilDate(daysSinceEpoch: days), minuteOfDay: Int((local - days * 86_400) / 60))
    }

    public static func == (lhs: StoreTimeZone, rhs: StoreTimeZone) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// Why a time zone file could not be read.
public struct StoreTimeZoneError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
}
