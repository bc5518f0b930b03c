import LoyaltyConfig
import LoyaltyDomain

/// The quote of a sample receipt, rule by rule, as `config check --explain` prints it.
struct QuoteExplanation {
    let quote: Quote
    let sample: ReceiptSample
    let settings: LoyaltyConfiguration

    var text: String {
        let currency = settings.currency
        let zone = settings.program.policies.timeZone
        let local = zone.localTime(atMilliseconds: sample.atMilliseconds)
        let weekday = RuleConditions.weekdayNames[local.date.weekday]
        var lines = [
            "receipt \(currency.format(quote.total)) at \(local.date) \(RuleConditions.clock(local.minuteOfDay)) \(zone.name) (\(weekday)), rules version \(quote.rulesVersion)",
            "member: tier \(quote.tier ?? "none"), balance \(quote.balanceBefore) points (spendable \(quote.spendableBefore))",
            "",
        ]
        let rows = [["rule", "type", "status", "discount", "points", "why"]] + quote.rules.map { rule in
            [rule.id, rule.type, rule.status.rawValue, currency.format(rule.discount), String(rule.points.value), rule.note]
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for column in 0..<5 {
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                line += column >= 3 ? pad + cell + "  " : cell + pad + "  "
            }
            lines.append(line + row[5])
        }
        lines.append("")
        lines.append("total \(currency.format(quote.total)), discount \(currency.format(quote.discount)), paid with points \(quote.pointsRedeemed) (\(currency.format(quote.redeemedValue))), payable \(currency.format(quote.payable))")
        lines.append("points earned \(quote.pointsEarned), redeemable on this receipt \(quote.pointsRedeemable), balance after \(quote.balanceAfter)")
        if let coupon = quote.couponApplied {
            lines.append("coupon applied: \(coupon.percent.isZero ? "a free item" : "\(coupon.percent)%") (rule \(coupon.ruleID))")
        }
        for issue in quote.couponsIssued {
            let what = issue.percent.isZero ? "a free item on" : "\(issue.percent)% off"
            lines.append("coupon issued: \(what) the next purchase, until \(Timestamp.text(milliseconds: issue.expiresAtMilliseconds)) (rule \(issue.ruleID))")
        }
        for code in quote.codes {
            lines.append("code \(code.code): \(code.status.rawValue)\(code.ruleID.map { " (rule \($0))" } ?? ""): \(code.note)")
        }
        for reward in quote.rewards { lines.append("reward: \(reward.quantity) × \(reward.name) for \(reward.points) points") }
        return lines.joined(separator: "\n")
    }
}
