import LoyaltyDomain
/// Barcode scanners in HID POS mode (usage page 0x8C): joins the Scanned Data reports of one
/// barcode and gives the scan, reading each report where the scanner's own report descriptor
/// says its fields are (``HIDPOSScannerLayout``). Reports with another report ID (trigger, status)
/// are ignored.
public struct HIDPOSScannerDecoder: Sendable {
    public let layout: HIDPOSScannerLayout
    /// A barcode longer than this (16 KiB) is dropped: no symbology holds that much, so the
    /// scanner lost a report's end-of-barcode flag and what follows would be glued together.
    public static let maximumScanBytes = 16 * 1024

    private var pending: [UInt8] = []
    private var symbology: [UInt8] = []
    private var overflowed = false

    public init(layout: HIDPOSScannerLayout) {
        self.layout = layout
    }

    /// A complete scan (symbology identifier such as `]E0` for EAN-13 when the scanner sends one,
    /// and the data), or `nil` while a barcode continues in later reports.
    public mutating func feed(_ report: [UInt8]) -> (symbology: String, data: String)? {
        if let reportID = layout.reportID, report.first != reportID { return nil }
        guard report.count > layout.dataOffset else { return nil }
        let available = min(layout.dataCapacity, report.count - layout.dataOffset)
        let field = report[layout.dataOffset..<(layout.dataOffset + available)]
        let length: Int
        if let lengthField = layout.lengthField, report.count >= lengthField.offset + lengthField.bytes {
            let declared = report[lengthField.offset..<(lengthField.offset + lengthField.bytes)].reversed().reduce(0) { $0 << 8 | Int($1) }
            length = min(declared, available)
        } else {
            length = (field.lastIndex(where: { $0 != 0 }).map { $0 + 1 } ?? field.startIndex) - field.startIndex
        }
        if pending.isEmpty, !overflowed { symbology = layout.symbologyOffsets.filter { $0 < report.count }.map { report[$0] } }
        if pending.count + length > Self.maximumScanBytes { overflowed = true }
        if !overflowed { pending.append(contentsOf: field.prefix(length)) }
        let continues = layout.continuation.map { report.count > $0.byte && report[$0.byte] & (1 << $0.bit) != 0 } ?? false
        guard !continues else { return nil }
        defer {
            pending = []
            overflowed = false
        }
        guard !overflowed else { return nil }
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
