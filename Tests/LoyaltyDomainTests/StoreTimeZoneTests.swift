import Foundation
import LoyaltyDomain
import Testing

/// The store's wall clock from the system's tz database, daylight saving included.
@Suite struct StoreTimeZoneTests {
    func zone(_ name: String) throws -> StoreTimeZone {
        let data = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/\(name)"), "tzdata is installed")
        return try StoreTimeZone(name: name, tzif: Array(data))
    }

    func local(_ zone: StoreTimeZone, _ utc: String) -> String {
        let time = zone.localTime(atMilliseconds: Timestamp.milliseconds(parsing: utc) ?? 0)
        return "\(time.date) \(RuleConditions.clock(time.minuteOfDay))"
    }

    @Test func berlinChangesAtTheLastSundaysOfMarchAndOctober() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(local(berlin, "2026-03-29T00:59:00Z") == "2026-03-29 01:59")
        #expect(local(berlin, "2026-03-29T01:00:00Z") == "2026-03-29 03:00")
        #expect(local(berlin, "2026-10-25T00:59:00Z") == "2026-10-25 02:59")
        #expect(local(berlin, "2026-10-25T01:00:00Z") == "2026-10-25 02:00")
        // Far beyond the file's transitions, the footer rule still applies.
        #expect(local(berlin, "2091-07-01T12:00:00Z") == "2091-07-01 14:00")
        #expect(local(berlin, "2091-12-01T12:00:00Z") == "2091-12-01 13:00")
    }

    @Test func zonesWithoutDaylightSavingAndSouthernZones() throws {
        #expect(local(try zone("Europe/Moscow"), "2026-01-01T21:30:00Z") == "2026-01-02 00:30")
        #expect(local(try zone("Asia/Kolkata"), "2026-01-01T00:00:00Z") == "2026-01-01 05:30")
        let sydney = try zone("Australia/Sydney")
        #expect(local(sydney, "2026-01-15T00:00:00Z") == "2026-01-15 11:00")
        #expect(local(sydney, "2026-07-15T00:00:00Z") == "2026-07-15 10:00")
        #expect(local(sydney, "2090-01-15T00:00:00Z") == "2090-01-15 11:00")
    }

    @Test func civilDatesRoundTrip() {
        for days: Int64 in [-719_468, -1, 0, 1, 10_957, 20_000, 2_932_896] {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 2026, month: 11, day: 23).weekday == 1)
        #expect(Timestamp.text(milliseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.milliseconds(parsing: "2026-11-23T09:30:15Z").map { Timestamp.text(milliseconds: $0) } == "2026-11-23T09:30:15Z")
    }

    @Test func aDamagedFileIsRefused() {
        #expect(throws: StoreTimeZoneError.self) { try StoreTimeZone(name: "X", tzif: Array("TZif2".utf8)) }
        #expect(throws: StoreTimeZoneError.self) { try StoreTimeZone(name: "X", tzif: Array("not a zone".utf8)) }
    }
}
