import CardDecoding
import Testing

@Suite struct KeyboardLayoutTests {
    @Test(arguments: KeyboardLayout.names)
    func everyShippedLayoutLoads(name: String) {
        #expect(KeyboardLayout.named(name) != nil)
    }

    @Test func layoutFilesWithMistakesAreRefusedWithTheirLine() {
        #expect(throws: LayoutError(layout: "x", line: 2)) { try KeyboardLayout(name: "x", text: "04 a A\nzz b\n") }
    }
}

@Suite struct KeyboardReportDecoderTests {
    /// Reports for typing `text` on a US keyboard the way scanners do: press, release, Enter.
    static func press(_ usage: UInt8, shift: Bool = false) -> [[UInt8]] {
        [[shift ? 0x02 : 0, 0, usage, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]
    }

    static let enter = press(0x28)

    func decode(_ reports: [[UInt8]], layout: String = "us") -> [String] {
        var decoder = KeyboardReportDecoder(layout: KeyboardLayout.named(layout)!)
        return reports.compactMap { decoder.feed($0) }
    }

    @Test func typesDigitsLettersAndShiftedSymbols() {
        // "4006381333931" then Enter, as an EAN-13 scanner types it.
        let digits: [UInt8] = [0x21, 0x27, 0x27, 0x23, 0x20, 0x25, 0x1E, 0x20, 0x20, 0x20, 0x26, 0x20, 0x1E]
        #expect(decode(digits.flatMap { Self.press($0) } + Self.enter) == ["4006381333931"])
        #expect(decode(Self.press(0x04, shift: true) + Self.press(0x05) + Self.press(0x1F, shift: true) + Self.enter) == ["Ab@"])
    }

    @Test func capsLockAffectsLettersOnly() {
        let reports = Self.press(0x39) + Self.press(0x04) + Self.press(0x1E) + Self.press(0x04, shift: true) + Self.enter
        #expect(decode(reports) == ["A1a"])
    }

    @Test func aHeldKeyCountsOnceAndRolloverCountsEachNewKey() {
        let held: [[UInt8]] = [[0, 0, 0x1E, 0, 0, 0, 0, 0], [0, 0, 0x1E, 0, 0, 0, 0, 0], [0, 0, 0x1E, 0x1F, 0, 0, 0, 0], [0, 0, 0x1F, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]
        #expect(decode(held + Self.enter) == ["12"])
        let twice = Self.press(0x1E) + Self.press(0x1E) + Self.enter
        #expect(decode(twice) == ["11"], "a key released and pressed again counts twice")
        let rollover: [[UInt8]] = [[0, 0, 1, 1, 1, 1, 1, 1]]
        #expect(decode(Self.press(0x1E) + rollover + Self.enter) == ["1"], "error roll-over reports are ignored")
    }

    @Test func theSameKeysMeanOtherCharactersUnderOtherLayouts() {
        // A scanner set to French AZERTY types digits with Shift on the top row.
        let french = Self.press(0x1E, shift: true) + Self.press(0x1F, shift: true) + Self.press(0x14) + Self.enter
        #expect(decode(french, layout: "fr") == ["12a"])
        #expect(decode(french, layout: "us") == ["!@q"], "the complaint: read under the wrong layout")
        #expect(decode(Self.press(0x1C) + Self.enter, layout: "de") == ["z"])
        #expect(decode(Self.press(0x14) + Self.press(0x04) + Self.enter, layout: "ru") == ["йф"])
        let altGr: [[UInt8]] = [[0x40, 0, 0x14, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]
        #expect(decode(altGr + Self.enter, layout: "de") == ["@"])
    }

    @Test func aGapEndsAScanWithoutEnter() {
        var decoder = KeyboardReportDecoder(layout: KeyboardLayout.named("us")!)
        for report in Self.press(0x1E) + Self.press(0x1F) { _ = decoder.feed(report) }
        #expect(decoder.isTyping)
        #expect(decoder.finish() == "12")
        #expect(decoder.finish() == nil)
    }
}
