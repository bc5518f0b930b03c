import LoyaltyDomain
import Testing

@Suite struct CurrencyTests {
    let euro = Currency(code: "EUR", minorUnitDigits: 2)

    @Test(arguments: [
        ("1234.50", Int64(123_450)), ("0", 0), ("7", 700), ("0.05", 5), ("-3.10", -310), ("00012.3", 1230),
        ("999999999999.99", 99_999_999_999_999),
    ])
    func parsesExactly(text: String, minorUnits: Int64) throws {
        #expect(try euro.parse(text) == Money(minorUnits: minorUnits))
    }

    @Test(arguments: ["", "1.", ".5", "1.2.3", "1e3", "+1", " 1", "1,50", "abc", "--1", "0x10", "1 000", "١٢"])
    func refusesWhatIsNotADecimal(text: String) {
        #expect(throws: MoneyFormatError.notADecimal(text)) { try euro.parse(text) }
    }

    @Test func refusesMoreDecimalsThanTheCurrencyHas() {
        #expect(throws: MoneyFormatError.tooManyDecimals("9.999", allowed: 2)) { try euro.parse("9.999") }
        let yen = Currency(code: "JPY", minorUnitDigits: 0)
        #expect(throws: MoneyFormatError.tooManyDecimals("5.5", allowed: 0)) { try yen.parse("5.5") }
    }

    @Test func refusesAbsurdAmounts() {
        #expect(throws: MoneyFormatError.outOfRange("100000000000000000000")) { try euro.parse("100000000000000000000") }
        #expect(throws: MoneyFormatError.outOfRange("10000000000000.01")) { try euro.parse("10000000000000.01") }
    }

    @Test func formatsAndRoundTrips() throws {
        #expect(euro.format(Money(minorUnits: 123_450)) == "1234.50")
        #expect(euro.format(Money(minorUnits: -5)) == "-0.05")
        #expect(Currency(code: "JPY", minorUnitDigits: 0).format(Money(minorUnits: 12)) == "12")
        #expect(Currency(code: "KWD", minorUnitDigits: 3).format(Money(minorUnits: 1)) == "0.001")
        for minorUnits: Int64 in [0, 1, 99, 100, 101, 1_000_000_007, -42] {
            #expect(try euro.parse(euro.format(Money(minorUnits: minorUnits))).minorUnits == minorUnits)
        }
    }
}

@Suite struct RoundingTests {
    @Test(arguments: [
        // numerator, denominator, down, half-up, half-even
        (Int128(25), Int128(10), Int128(2), Int128(3), Int128(2)),
        (35, 10, 3, 4, 4),
        (24, 10, 2, 2, 2),
        (26, 10, 2, 3, 3),
        (-25, 10, -2, -3, -2),
        (-26, 10, -2, -3, -3),
        (1, 3, 0, 0, 0),
        (2, 3, 0, 1, 1),
        (0, 7, 0, 0, 0),
    ])
    func eachModeRoundsAsNamed(numerator: Int128, denominator: Int128, down: Int128, halfUp: Int128, halfEven: Int128) {
        #expect(RoundingMode.down.divide(numerator, by: denominator) == down)
        #expect(RoundingMode.halfUp.divide(numerator, by: denominator) == halfUp)
        #expect(RoundingMode.halfEven.divide(numerator, by: denominator) == halfEven)
    }
}

@Suite struct PercentageTests {
    @Test func parsesDecimalText() throws {
        #expect(try Percentage(parsing: "5").millionths == 5_000_000)
        #expect(try Percentage(parsing: "3.5").millionths == 3_500_000)
        #expect(try Percentage(parsing: "0.000001").millionths == 1)
        #expect(try Percentage(parsing: "100").millionths == 100_000_000)
        #expect(try Percentage(parsing: "12.125").description == "12.125")
    }

    @Test(arguments: ["-1", "100.01", "1e2", "", "5%", "0.0000001", "abc"])
    func refusesOutOfRangeOrMalformed(text: String) {
        #expect(throws: PercentageFormatError.self) { try Percentage(parsing: text) }
    }

    @Test func takesAPercentageOfMoneyWithTheNamedRounding() throws {
        let threeAndAHalf = try Percentage(parsing: "3.5")
        // 3.5% of 0.30 = 0.0105 → 0.01 in every mode.
        #expect(threeAndAHalf.of(Money(minorUnits: 30), rounding: .halfUp) == Money(minorUnits: 1))
        // 5% of 0.50 = 0.025: down 0.02, half-up 0.03, half-even 0.02.
        let five = try Percentage(parsing: "5")
        #expect(five.of(Money(minorUnits: 50), rounding: .down) == Money(minorUnits: 2))
        #expect(five.of(Money(minorUnits: 50), rounding: .halfUp) == Money(minorUnits: 3))
        #expect(five.of(Money(minorUnits: 50), rounding: .halfEven) == Money(minorUnits: 2))
    }
}
