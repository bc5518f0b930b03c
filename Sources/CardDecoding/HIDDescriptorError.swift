/// A HID report descriptor that cannot be read, or one that lacks what reading a reader needs.
public struct HIDDescriptorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset of the offending item; `nil` when the descriptor reads fine but lacks a usage.
    public var offset: Int?
    public var problem: String

    public init(offset: Int?, problem: String) {
        self.offset = offset
        self.problem = problem
    }

    public var description: String {
        offset.map { "HID report descriptor, byte \($0): \(problem)" } ?? problem
    }
}
