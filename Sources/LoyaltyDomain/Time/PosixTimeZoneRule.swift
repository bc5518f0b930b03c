/// A POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: the offsets and daylight-saving dates a
/// TZif file gives for the years after its last listed transition.
struct PosixTimeZoneRule: Sendable, Hashable {
    /// Offsets east of UTC in seconds (POSIX writes them west, with the opposite sign).
    var standardOffset: Int32
    var daylight: Daylight?

    struct Daylight: Sendable, Hashable {
        var offset: Int32
        var start: Transition
        var end: Transition
    }

    /// `Mm.w.d/time`: day `d` (0 Sunday) of week `w` (5 = last) of month `m`, at local `time`.
    struct Transition: Sendable, Hashable {
        var month: Int
        var week: Int
        var weekday: Int
        var secondsAfterMidnight: Int64

        func date(in year: Int) -> CivilDate {
            let first = CivilDate(year: year, month: month, day: 1)
            var day = 1 + (weekday - first.weekday + 7) % 7 + (week - 1) * 7
            while day > CivilDate.daysIn(month: month, of: year) { day -= 7 }
            return CivilDate(year: year, month: month, day: day)
        }
    }

    init(parsing text: String) throws(StoreTimeZoneError) {
        var scanner = Scanner(Array(text.utf8))
        try scanner.name()
        standardOffset = -(try scanner.offset())
        guard !scanner.atEnd else { daylight = nil; return }
        try scanner.name()
        var daylightOffset = standardOffset + 3_600
        if let next = scanner.peek, next != UInt8(ascii: ",") { daylightOffset = -(try scanner.offset()) }
        guard scanner.consume(UInt8(ascii: ",")) else { throw StoreTimeZoneError("unsupported time zone rule \"\(text)\"") }
        let start = try scanner.transition()
        guard scanner.consume(UInt8(ascii: ",")) else { throw StoreTimeZoneError("unsupported time zone rule \"\(text)\"") }
        let end = try scanner.transition()
        daylight = Daylight(offset: daylightOffset, start: start, end: end)
    }

    func offset(at epochSeconds: Int64) -> Int32 {
        guard let daylight else { return standardOffset }
        let year = CivilDate(daysSinceEpoch: floorDivide(epochSeconds + Int64(standardOffset), 86_400)).year
        // Both changes are given in the local time in force just before them.
        let start = daylight.start.date(in: year).daysSinceEpoch * 86_400 + daylight.start.secondsAfterMidnight - Int64(standardOffset)
        let end = daylight.end.date(in: year).daysSinceEpoch * 86_400 + daylight.end.secondsAfterMidnight - Int64(daylight.offset)
        let inDaylight = start < end
            ? (start <= epochSeconds && epochSeconds < end)
            : !(end <= epochSeconds && epochSeconds < start)
        return inDaylight ? daylight.offset : standardOffset
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        /// `CET` or `<+03>`.
        mutating func name() throws(StoreTimeZoneError) {
            if consume(UInt8(ascii: "<")) {
                while let byte = peek, byte != UInt8(ascii: ">") { index += 1 }
                guard consume(UInt8(ascii: ">")) else { throw StoreTimeZoneError("unterminated zone name") }
                return
            }
            let start = index
            while let byte = peek, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) {
                index += 1
            }
            guard index - start >= 3 else { throw StoreTimeZoneError("a zone name of fewer than 3 letters") }
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, with POSIX's sign (west positive).
        mutating func offset() throws(StoreTimeZoneError) -> Int32 {
            Int32(try clock())
        }

        mutating func clock() throws(StoreTimeZoneError) -> Int64 {
            var sign: Int64 = 1
            if consume(UInt8(ascii: "-")) { sign = -1 } else { _ = consume(UInt8(ascii: "+")) }
            var total: Int64 = 0
            for (position, unit) in [Int64(3_600), 60, 1].enumerated() {
                if position > 0, !consume(UInt8(ascii: ":")) { break }
                guard let value = number() else { throw StoreTimeZoneError("a malformed time in a zone rule") }
                total += value * unit
            }
            return sign * total
        }

        mutating func number() -> Int64? {
            let start = index
            var value: Int64 = 0
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), index - start < 3 {
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                index += 1
            }
            return index > start ? value : nil
        }

        mutating func transition() throws(StoreTimeZoneError) -> Transition {
            guard consume(UInt8(ascii: "M")), let month = number(), consume(UInt8(ascii: ".")), let week = number(),
                  consume(UInt8(ascii: ".")), let weekday = number(),
                  (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday)
            else { throw StoreTimeZoneError("only Mm.w.d daylight-saving rules are supported") }
            let time = consume(UInt8(ascii: "/")) ? try clock() : 7_200
            return Transition(month: Int(month), week: Int(week), weekday: Int(weekday), secondsAfterMidnight: time)
        }
    }
}
