/// Suppresses the same card read again on the same reader within a window after it was last
/// reported (a customer tapping twice, a scanner reading one barcode twice). Suppressed reads do
/// not extend the window. Two readers are independent.
public struct RepeatFilter: Sendable {
    private var lastReported: [String: (value: String, at: Int64)] = [:]

    public init() {}

    /// Whether a read of `value` on `reader` at `now` is to be reported, with the window in force now.
    public mutating func admit(reader: String, value: String, now: Int64, windowMilliseconds: Int64) -> Bool {
        if let last = lastReported[reader], last.value == value, now - last.at < windowMilliseconds {
            return false
        }
        lastReported[reader] = (value, now)
        return true
    }

    /// Forgets a reader that went away.
    public mutating func forget(reader: String) {
        lastReported[reader] = nil
    }
}
