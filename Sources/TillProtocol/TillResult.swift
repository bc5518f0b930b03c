import LoyaltyDomain

/// The JSON shapes of results and notifications, in one place so docs/protocol.md has one
/// source to match: no other module builds a till-visible object. Money is always a decimal string; points are whole JSON numbers.
public struct TillResultEncoder: Sendable {
    public let currency: Currency

    public init(currency: Currency) {
        self.currency = currency
    }

    public func money(_ amount: Money) -> JSONValue { .string(currency.format(amount)) }

    /// A member as `member.lookup`, `member.enroll` and `card.read` show them.
    public func member(_ view: MemberView) -> JSONValue {
        .object([
            ("member_id", .string(view.id)),
            ("name", view.name.map(JSONValue.string) ?? .null),
            ("status", .string(view.status.rawValue)),
            ("balance", .integer(view.balance.value)),
            ("points_spendable", .integer(view.spendable.value)),
            ("points_pending", .integer(view.pending.value)),
            ("tier", view.tier.map(JSONValue.string) ?? .null),
            ("coupons", .array(view.coupons.map(coupon))),
        ])
    }

    public func coupon(_ coupon: Coupon) -> JSONValue {
        .object([
            ("coupon_id", .string(coupon.id)), ("rule_id", .string(coupon.ruleID)),
            ("percent", .string(coupon.percent.description)), ("expires_at", timestamp(coupon.expiresAtMilliseconds)),
        ])
    }

    public func timestamp(_ milliseconds: Int64?) -> JSONValue {
        milliseconds.map { .string(Timestamp.text(milliseconds: $0)) } ?? .null
    }

    public func quote(_ quote: Quote, memberID: MemberID) -> JSONValue {
        .object([
            ("member_id", .string(memberID)),
            ("tier", quote.tier.map(JSONValue.string) ?? .null),
            ("total", money(quote.total)),
            ("discount", money(quote.discount)),
            ("points_redeemed", .integer(quote.pointsRedeemed.value)),
            ("redeemed_value", money(quote.redeemedValue)),
            ("payable", money(quote.payable)),
            ("points_earned", .integer(quote.pointsEarned.value)),
            ("points_available_at", timestamp(quote.earnedAvailableAtMilliseconds)),
            ("points_expire_at", timestamp(quote.earnedExpireAtMilliseconds)),
            ("points_redeemable", .integer(quote.pointsRedeemable.value)),
            ("reward_points", .integer(quote.rewardPoints.value)),
            ("rewards", .array(quote.rewards.map { reward in
                .object([
                    ("sku", .string(reward.sku)), ("name", .string(reward.name)), ("quantity", .integer(reward.quantity)),
                    ("points", .integer(reward.points.value)), ("discount", money(reward.discount)),
                ])
            })),
            ("points_expired", .integer(quote.pointsExpired.value)),
            ("balance_before", .integer(quote.balanceBefore.value)),
            ("balance_after", .integer(quote.balanceAfter.value)),
            ("coupon_applied", quote.couponApplied.map(coupon) ?? .null),
            ("coupons_issued", .array(quote.couponsIssued.map { issue in
                .object([
                    ("coupon_id", issue.id.map(JSONValue.string) ?? .null), ("rule_id", .string(issue.ruleID)),
                    ("percent", .string(issue.percent.description)), ("expires_at", timestamp(issue.expiresAtMilliseconds)),
                ])
            })),
            ("codes", .array(quote.codes.map { code in
                .object([
                    ("code", .string(code.code)), ("status", .string(code.status.rawValue)),
                    ("rule_id", code.ruleID.map(JSONValue.string) ?? .null), ("note", .string(code.note)),
                ])
            })),
            ("lines", .array(quote.lines.map { line in
                .object([
                    ("sku", .string(line.sku)), ("amount", money(line.amount)), ("discount", money(line.discount)),
                    ("points_payment", money(line.pointsPayment)), ("points_earned", .integer(line.pointsEarned.value)),
                ])
            })),
            ("rules", .array(quote.rules.map(rule))),
            ("rules_version", .string(quote.rulesVersion)),
        ])
    }

    public func rule(_ applied: AppliedRule) -> JSONValue {
        .object([
            ("id", .string(applied.id)),
            ("type", .string(applied.type)),
            ("status", .string(applied.status.rawValue)),
            ("discount", money(applied.discount)),
            ("points", .integer(applied.points.value)),
            ("note", .string(applied.note)),
        ])
    }

    /// `purchase.refund`'s result.
    public func refund(_ settlement: RefundSettlement, refundID: String) -> JSONValue {
        .object([
            ("member_id", .string(settlement.memberID)),
            ("refund_id", .string(refundID)),
            ("amount", money(settlement.amount)),
            ("points_reversed", .integer(settlement.pointsReversed.value)),
            ("points_not_reversed", .integer(settlement.pointsForgiven.value)),
            ("spent_points_policy", .string(settlement.spentPointsPolicy.rawValue)),
            ("points_restored", .integer(settlement.pointsRestored.value)),
            ("points_expired", .integer(settlement.pointsExpired.value)),
            ("coupons_cancelled", .array(settlement.couponsCancelled.map(JSONValue.string))),
            ("remaining_refundable", money(settlement.remaining)),
            ("balance_after", .integer(settlement.balanceAfter.value)),
        ])
    }

    /// `purchase.void`'s result.
    public func voided(alreadyVoided: Bool) -> JSONValue {
        .object([("voided", true), ("already_voided", .bool(alreadyVoided))])
    }

    /// `sale.record`'s result.
    public func saleRecorded(alreadyRecorded: Bool) -> JSONValue {
        .object([("recorded", true), ("already_recorded", .bool(alreadyRecorded))])
    }

    /// `events.subscribe`'s result.
    public func subscribed(lane: String?) -> JSONValue {
        .object([("subscribed", true), ("till_id", lane.map(JSONValue.string) ?? .null)])
    }

    /// The `card.read` notification's params: the carrier in full (a till needs it to enrol an
    /// unknown card), the member when one was found, and `problem` only when there is one.
    public func cardRead(
        reader: String, kind: String, tillID: String?, result: String, carrier: Carrier?, member: MemberView?, problem: String?
    ) -> JSONValue {
        var params: [(String, JSONValue)] = [
            ("reader", .string(reader)),
            ("kind", .string(kind)),
            ("till_id", tillID.map(JSONValue.string) ?? .null),
            ("result", .string(result)),
            ("card", carrier.map { .object([("kind", .string($0.kind.rawValue)), ("value", .string($0.value))]) } ?? .null),
            ("member", member.map(self.member) ?? .null),
        ]
        if let problem { params.append(("problem", .string(problem))) }
        return .object(params)
    }

    /// The `reader.added` and `reader.removed` notifications' params.
    public func readerChange(reader: String, kind: String, tillID: String?) -> JSONValue {
        .object([("reader", .string(reader)), ("kind", .string(kind)), ("till_id", tillID.map(JSONValue.string) ?? .null)])
    }
}
