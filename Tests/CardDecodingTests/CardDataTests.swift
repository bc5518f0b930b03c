import CardDecoding
import LoyaltyDomain
import Testing

@Suite struct MagneticTrackTests {
    // A well-known test card number (Visa test PAN), never a real account.
    static let testPAN = "4111111111111111"

    @Test func bankCardsAreRecognisedAndOnlyTheirLastFourDigitsKept() {
        let track1 = "%B\(Self.testPAN)^DOE/JOHN^2512101000000000000000?"
        let track2 = ";\(Self.testPAN)=25121010000000000000?"
        for swipe in [
            MagneticTrack.classify(track1: track1, track2: track2),
            MagneticTrack.classify(track1: nil, track2: track2),
            MagneticTrack.classify(track1: track1, track2: nil),
            MagneticTrack.classify(track1: "B\(Self.testPAN)^DOE/JOHN^2512101", track2: nil),  // no sentinels
        ] {
            #expect(swipe == .bankCard(lastFour: "1111"))
        }
    }

    @Test func storeCardsGiveTheirNumber() {
        #expect(MagneticTrack.classify(track1: nil, track2: ";6001234567?") == .storeCard(number: "6001234567"))
        #expect(MagneticTrack.classify(track1: nil, track2: "6001234567") == .storeCard(number: "6001234567"))
        // Luhn-valid but no service code and no format code B: a store card numbering, not a bank card.
        #expect(MagneticTrack.classify(track1: nil, track2: ";\(Self.testPAN)?") == .storeCard(number: Self.testPAN))
        #expect(MagneticTrack.classify(track1: "%E?", track2: ";E?") == .unreadable, "the readers' own sign of a failed track")
        #expect(MagneticTrack.classify(track1: nil, track2: nil) == .unreadable)
    }

    @Test func keyboardWedgeTextSplitsIntoTracks() {
        let typed = "%B\(Self.testPAN)^DOE/JOHN^2512101?;\(Self.testPAN)=2512101?"
        let tracks = MagneticTrack.tracks(inTypedText: typed)
        #expect(tracks.track1?.hasPrefix("%B") == true)
        #expect(tracks.track2?.hasPrefix(";4111") == true)
        #expect(MagneticTrack.tracks(inTypedText: ";600123?").track2 == ";600123?")
        // A reader that drops the sentinels still types a track, never a barcode.
        let bare = "B\(Self.testPAN)^DOE/JOHN^2512101000000000"
        #expect(MagneticTrack.looksLikeTrackData(bare))
        #expect(MagneticTrack.looksLikeTrackData("\(Self.testPAN)=2512101"))
        #expect(!MagneticTrack.looksLikeTrackData("4006381333931"))
        let bareTracks = MagneticTrack.tracks(inTypedText: bare)
        #expect(MagneticTrack.classify(track1: bareTracks.track1, track2: bareTracks.track2) == .bankCard(lastFour: "1111"))
    }

    @Test func luhn() {
        #expect(Luhn.isValid("79927398713"))
        #expect(!Luhn.isValid("79927398710"))
        #expect(!Luhn.isValid("7992739871a"))
    }
}

@Suite struct BarcodeTests {
    @Test(arguments: ["4006381333931", "96385074", "036000291452"])
    func validGTINs(code: String) {
        #expect(Barcode.hasValidGTINCheckDigit(code))
    }

    @Test(arguments: ["4006381333932", "96385075", "03600029145", "40063813339a1"])
    func invalidGTINs(code: String) {
        #expect(!Barcode.hasValidGTINCheckDigit(code))
    }

    @Test func theMemberPatternPicksMemberCardsOnly() {
        let pattern = MemberBarcodePattern(prefix: "2900", length: 13, checkDigit: .gtin)
        #expect(pattern.cardNumber(in: "2900000055555") == nil, "wrong check digit")
        #expect(pattern.cardNumber(in: "2900000055551") == "2900000055551")
        #expect(pattern.cardNumber(in: "4006381333931") == nil, "a product, not a member card")
        #expect(MemberBarcodePattern(prefix: "M", length: nil, checkDigit: .none).cardNumber(in: "M-12345") == "M-12345")
    }
}

@Suite struct ReportDecoderTests {
    @Test func magTekReportsGiveTracksAndRecogniseBankCards() {
        func report(track2: String, status: UInt8 = 0) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: MagTekHIDReport.reportLength)
            bytes[0] = 1  // track 1 failed
            bytes[1] = status
            bytes[2] = 1
            bytes[4] = UInt8(track2.utf8.count)
            bytes.replaceSubrange((7 + 110)..<(7 + 110 + track2.utf8.count), with: Array(track2.utf8))
            return bytes
        }
        #expect(MagTekHIDReport.swipe(report(track2: ";6001234567?")) == .storeCard(number: "6001234567"))
        #expect(MagTekHIDReport.swipe(report(track2: ";4111111111111111=2512101?")) == .bankCard(lastFour: "1111"))
        #expect(MagTekHIDReport.swipe(report(track2: ";6001234567?", status: 1)) == .unreadable)
        #expect(MagTekHIDReport.swipe([1, 2, 3]) == .unreadable)
    }
}
