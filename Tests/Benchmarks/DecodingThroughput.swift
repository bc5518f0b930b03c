import CardDecoding
import LoyaltyDomain

/// How fast the USB readers' decoders run: far beyond any reader, which sends a few hundred
/// reports a second at most.
enum DecodingThroughput {
    static func measure() -> (keyboardReports: Double, swipes: Double) {
        let layout = KeyboardLayout.named("us")!
        // "4006381333931" and Enter, each key pressed and released: 28 reports a scan.
        let usages: [UInt8] = [0x21, 0x27, 0x27, 0x23, 0x20, 0x25, 0x1E, 0x20, 0x20, 0x20, 0x26, 0x20, 0x1E, 0x28]
        let reports = usages.flatMap { [[0, 0, $0, 0, 0, 0, 0, 0], [UInt8](repeating: 0, count: 8)] }
        var decoder = KeyboardReportDecoder(layout: layout)
        var scans = 0
        let scanRounds = 20_000
        let keyboardStart = ContinuousClock.now
        for _ in 0..<scanRounds {
            for report in reports where decoder.feed(report) != nil { scans += 1 }
        }
        let keyboardSeconds = (ContinuousClock.now - keyboardStart).seconds
        precondition(scans == scanRounds, "every scan decodes")

        let swipes = 100_000
        var rejected = 0
        let swipeStart = ContinuousClock.now
        for index in 0..<swipes {
            let track2 = index % 2 == 0 ? ";4111111111111111=2512101000000000?" : ";600123456\(index % 10)?"
            if case .bankCard = MagneticTrack.classify(track1: nil, track2: track2) { rejected += 1 }
        }
        let swipeSeconds = (ContinuousClock.now - swipeStart).seconds
        precondition(rejected == swipes / 2, "every bank card is recognised")
        return (Double(scanRounds * reports.count) / keyboardSeconds, Double(swipes) / swipeSeconds)
    }
}
