/// Turns HID boot keyboard reports (8 bytes: modifiers, reserved, up to six key usages) from a
/// keyboard-wedge scanner or magstripe reader into the text it typed.
///
/// A key counts when it appears in a report and was not in the previous one, so keys held over
/// several reports (rollover) count once and a key typed twice must be released in between, as
/// on a real keyboard. A scan ends at Enter, or when the caller sees a gap between reports longer
/// than the configured one and calls ``finish()``.
public struct KeyboardReportDecoder: Sendable {
    public let layout: KeyboardLayout
    private var previousKeys: [UInt8] = []
    private var capsLock = false
    private var text = ""

    static let enter: UInt8 = 0x28
    static let keypadEnter: UInt8 = 0x58
    static let tab: UInt8 = 0x2B
    static let capsLockKey: UInt8 = 0x39
    static let errorRollOver: UInt8 = 0x01

    public init(layout: KeyboardLayout) {
        self.layout = layout
    }

    /// Feeds one report; returns the text of a scan that Enter just ended.
    public mutating func feed(_ report: [UInt8]) -> String? {
        guard report.count >= 8 else { return nil }
        let keys = report[2..<8].filter { $0 != 0 }
        // All slots reading "error roll over" means too many keys at once: the report says nothing.
        guard !keys.contains(Self.errorRollOver) else { return nil }
        let modifiers = report[0]
        let shift = modifiers & 0x22 != 0  // left or right Shift
        let altGr = modifiers & 0x40 != 0  // right Alt
        var finished: String?
        for key in keys where !previousKeys.contains(key) {
            switch key {
            case Self.enter, Self.keypadEnter:
                finished = finish()
            case Self.capsLockKey:
                capsLock.toggle()
            case Self.tab:
                text.append("\t")
            default:
                if let character = layout.character(usage: key, shift: shift, capsLock: capsLock, altGr: altGr) {
                    text.append(character)
                }
            }
        }
        previousKeys = Array(keys)
        return finished
    }

    /// Ends the scan in progress (Enter, or the inter-key gap passed); `nil` when nothing was typed.
    public mutating func finish() -> String? {
        defer { text = "" }
        return text.isEmpty ? nil : text
    }

    /// Whether a scan is in progress (something typed, no Enter yet).
    public var isTyping: Bool { !text.isEmpty }
}
