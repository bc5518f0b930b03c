import LoyaltyDomain
import Testing

@Suite struct CarrierTests {
    @Test func uidsAreNormalisedToUppercaseHex() throws {
        #expect(try Carrier(kind: .uid, value: "04:a1:b2:c3:d4:e5:f6").value == "04A1B2C3D4E5F6")
        #expect(try Carrier(kind: .uid, value: "04 A1 B2 C3").value == "04A1B2C3")
    }

    @Test(arguments: ["04A1B2", "XYZ12345", "04A1B2C3D", "", String(repeating: "A", count: 22), "０４Ａ１Ｂ２Ｃ３"])
    func invalidUIDsAreRefused(value: String) {
        #expect(throws: CarrierError.self) { try Carrier(kind: .uid, value: value) }
    }

    @Test func phonesAreNormalised() throws {
        #expect(try PhoneNumber.normalise("+49 (30) 123-456.78") == "+493012345678")
        #expect(try PhoneNumber.normalise("0049 30 1234567") == "+49301234567")
        #expect(try PhoneNumber.normalise("030 1234567") == "0301234567")
        #expect(throws: CarrierError.self) { try PhoneNumber.normalise("12345") }
        #expect(throws: CarrierError.self) { try PhoneNumber.normalise("+49 30 CALL ME") }
    }

    @Test func barcodesAndTracksArePrintableASCII() throws {
        #expect(try Carrier(kind: .barcode, value: "2000000012345").value == "2000000012345")
        #expect(throws: CarrierError.self) { try Carrier(kind: .barcode, value: "12\u{7}3") }
        #expect(throws: CarrierError.self) { try Carrier(kind: .track, value: String(repeating: "1", count: 129)) }
    }

    /// ISO 14443-3: a single-size UID starting 08 is random (phones, many bank cards); any other
    /// first byte, or a longer UID starting 08, is a fixed number.
    @Test func randomUIDsCanBeReadButNeverLinked() throws {
        let random = try Carrier(kind: .uid, value: "08:1f:a2:3c")
        #expect(random.isRandomUID)
        #expect(random.linkRefusal == .randomUID)
        #expect(random.linkRefusal?.reason == "random_uid")
        #expect(throws: CarrierRefusal.randomUID) { try random.checkLinkable() }
        for fixed in ["041FA23C", "881FA23C", "081FA23C5E6F70", "0808080808080808"] {
            let carrier = try Carrier(kind: .uid, value: fixed)
            #expect(!carrier.isRandomUID && carrier.linkRefusal == nil, "\(fixed)")
        }
        #expect(try Carrier(kind: .barcode, value: "081FA23C").linkRefusal == nil, "only a UID can be random")
    }

    @Test func onlyTheMaskedFormIsPrinted() throws {
        let carrier = try Carrier(kind: .uid, value: "04A1B2C3D4E5F6")
        #expect(carrier.masked == "uid:**********E5F6")
        #expect("\(carrier)" == carrier.masked)
        #expect(!"\(carrier)".contains("04A1B2C3"))
    }
}

@Suite struct GlobalIDTests {
    @Test func idsAreUniqueAndSortByTime() {
        let generator = GlobalIDGenerator(storeID: "store-7")
        var ids: [String] = []
        for milliseconds: Int64 in [1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000] {
            ids.append(generator.next(milliseconds: milliseconds))
        }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { $0.hasPrefix("store-7-") && $0.count == "store-7-".count + 26 })
    }

    @Test func aClockGoingBackwardsKeepsTheOrder() {
        let generator = GlobalIDGenerator(storeID: "s")
        let first = generator.next(milliseconds: 2_000_000)
        let second = generator.next(milliseconds: 1_000_000)
        #expect(first < second)
    }

    @Test func calendarDatesAreChecked() {
        #expect(CalendarDate.isValid("2000-02-29"))
        #expect(!CalendarDate.isValid("1900-02-29"))
        #expect(!CalendarDate.isValid("2023-13-01"))
        #expect(!CalendarDate.isValid("23-01-01"))
        #expect(!CalendarDate.isValid("1990-+4-+2"))
    }
}

@Suite struct RepeatFilterTests {
    @Test func theSameCardOnTheSameReaderIsSuppressedWithinTheWindow() {
        var filter = RepeatFilter()
        let reads: [(reader: String, card: String, at: Int64, admitted: Bool)] = [
            ("a", "X", 0, true),
            ("a", "X", 500, false),  // within the window
            ("a", "X", 900, false),  // still within it: suppressed reads do not extend it
            ("a", "X", 1_000, true),  // the window after the last report has passed
            ("b", "X", 1_100, true),  // another reader is independent
            ("a", "Y", 1_200, true),  // another card is new
            ("a", "X", 1_300, true),  // the last report on "a" was Y
        ]
        for read in reads {
            let admitted = filter.admit(reader: read.reader, value: read.card, now: read.at, windowMilliseconds: 1_000)
            #expect(admitted == read.admitted, "\(read)")
        }
        filter.forget(reader: "a")
        let afterReturn = filter.admit(reader: "a", value: "X", now: 1_400, windowMilliseconds: 1_000)
        #expect(afterReturn, "a reader that came back starts afresh")
    }
}
