/// Suppresses the same card read again on the same reader within a window (a customer tapping
/// twice, a scanner reading one barcode twice). Two readers are independent.
public struct RepeatFilter: Sendable {
    public let windowMilliseconds: Int64
    private var lastSeen: [String: (value: String, at: Int64)] = [:]

    public init(windowMilliseconds: Int64) {
        self.windowMilliseconds = windowMilliseconds
    }

    /// Whether a read of `value` on `reader` at `now` is new; records it either way.
    public mutating func admit(reader: String, value: String, now: Int64) -> Bool {
        defer { lastSeen[reader] = (value, now) }
        guard let last = lastSeen[reader], last.value == value else { return true }
        return now - last.at >= windowMilliseconds
    }

    /// Forgets a reader that went away.
    public mutating func forget(reader: String) {
        lastSeen[reader] = nil
    }
}
