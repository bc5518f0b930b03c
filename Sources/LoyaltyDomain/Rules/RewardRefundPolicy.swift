/// When a refund gives back the points a catalogue reward cost (`program.refunds.reward_points`).
///
/// The gift is not on the receipt, so the money refunded says nothing about whether it came back.
public enum RewardRefundPolicy: String, Sendable, Hashable, CaseIterable {
    /// Only when the reward itself is returned: a refund by lines that names its SKU, or a whole
    /// refund (neither amount nor lines) of what remains. A customer who returns the groceries and
    /// keeps the free gift does not get its points back. The default.
    case whenReturned = "when-returned"
    /// In proportion to the money refunded, like points that paid part of the receipt (the
    /// behaviour before this policy existed); a reward cannot be named in a refund.
    case withMoney = "with-money"
}
