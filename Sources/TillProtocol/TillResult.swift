import LoyaltyDomain

/// The JSON shapes of results and notifications, in one place so docs/protocol.md has one
/// source to match. Money is always a decimal string; points are whole JSON numbers.
public struct TillResultEncoder: Sendable {
    public let currency: Currency

    public init(currency: Currency) {
        self.currency = currency
    }

    public func money(_ amount: Money) -> JSONValue { .string(currency.format(amount)) }

    public func member(_ summary: MemberSummary) -> JSONValue {
        .object([
            ("member_id", .string(summary.id)),
            ("name", summary.name.map(JSONValue.string) ?? .null),
            ("status", .string(summary.status.rawValue)),
            ("balance", .integer(summary.balance.value)),
            ("tier", summary.tier.map(JSONValue.string) ?? .null),
        ])
    }

    public func quote(_ quote: Quote, memberID: MemberID) -> JSONValue {
        .object([
            ("member_id", .string(memberID)),
            ("total", money(quote.total)),
            ("discount", money(quote.discount)),
            ("points_redeemed", .integer(quote.pointsRedeemed.value)),
            ("redeemed_value", money(quote.redeemedValue)),
            ("payable", money(quote.payable)),
            ("points_earned", .integer(quote.pointsEarned.value)),
            ("points_redeemable", .integer(quote.pointsRedeemable.value)),
            ("balance_before", .integer(quote.balanceBefore.value)),
            ("balance_after", .integer(quote.balanceAfter.value)),
            ("rules", .array(quote.rules.map(rule))),
            ("rules_version", .string(quote.rulesVersion)),
        ])
    }

    public func rule(_ applied: AppliedRule) -> JSONValue {
        .object([
            ("id", .string(applied.id)),
            ("type", .string(applied.type)),
            ("discount", money(applied.discount)),
            ("points", .integer(applied.points.value)),
            ("note", .string(applied.note)),
        ])
    }
}
