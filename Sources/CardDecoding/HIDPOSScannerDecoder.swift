import LoyaltyDomain
/// Barcode scanners in HID POS mode (usage page 0x8C): the Scanned Data report.
///
/// Layout of the input report as these scanners send it: report ID, the number of data bytes in
/// this report, a 3-byte AIM symbology identifier, up to 56 data bytes, and in the last byte bit 0
/// set when the barcode continues in the next report. Longer barcodes span several reports.
public struct HIDPOSScannerDecoder: Sendable {
    public static let dataCapacity = 56
    public static let reportLength = 1 + 1 + 3 + dataCapacity + 1

    private var pending: [UInt8] = []
    private var symbology: [UInt8] = []

    public init() {}

    /// A complete scan (symbology identifier such as `]E0` for EAN-13, and the data), or `nil`
    /// while a barcode continues in later reports.
    public mutating func feed(_ report: [UInt8]) -> (symbology: String, data: String)? {
        guard report.count >= 6 else { return nil }
        let length = min(Int(report[1]), Self.dataCapacity, report.count - 5)
        if pending.isEmpty { symbology = Array(report[2..<5]) }
        pending.append(contentsOf: report[5..<(5 + length)])
        let continues = report.count >= Self.reportLength && report[Self.reportLength - 1] & 0x01 != 0
        guard !continues else { return nil }
        defer { pending = [] }
        let identifier = String(decoding: symbology.filter { $0 != 0 }, as: UTF8.self)
        return (identifier, String(decoding: pending, as: UTF8.self))
    }
}

/// MagTek swipe readers in HID mode (vendor 0x0801): one input report per swipe with, for each of
/// three tracks, a decode status (0 is success) and a length, then the card encode type and
/// 110 bytes of data per track.
public enum MagTekHIDReport {
    public static let trackCapacity = 110
    public static let reportLength = 7 + 3 * trackCapacity

    /// The tracks that decoded, as ASCII text; `nil` for a report of the wrong size.
    public static func tracks(_ report: [UInt8]) -> [String?]? {
        guard report.count >= reportLength else { return nil }
        return (0..<3).map { track -> String? in
            let status = report[track]
            let length = min(Int(report[3 + track]), trackCapacity)
            guard status == 0, length > 0 else { return nil }
            let start = 7 + track * trackCapacity
            return String(decoding: report[start..<(start + length)], as: UTF8.self)
        }
    }

    /// What the swipe was: bank cards are recognised here and only their last four digits leave.
    public static func swipe(_ report: [UInt8]) -> SwipedCard {
        guard let tracks = tracks(report) else { return .unreadable }
        return MagneticTrack.classify(track1: tracks[0], track2: tracks[1], track3: tracks[2])
    }
}
