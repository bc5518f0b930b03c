/// When a rule applies: card groups, tiers, campaign dates, weekdays and hours in the store's
/// time zone, the member's birthday, a minimum receipt, the first purchase. Every condition
/// given must hold; a rule with none always applies.
public struct RuleConditions: Sendable, Hashable {
    /// `false` ends a rule (such as a campaign) early without deleting it.
    public var enabled = true
    public var cardGroups: Set<String> = []
    public var tiers: Set<String> = []
    /// First and last day (inclusive) in the store's time zone.
    public var fromDate: CivilDate?
    public var untilDate: CivilDate?
    /// 0 Sunday … 6 Saturday.
    public var weekdays: Set<Int> = []
    /// Minutes after local midnight: from (inclusive) to (exclusive); `to` may be past midnight.
    public var hours: ClosedRange<Int>?
    /// Days before and after the member's birthday (0 and 0: the day itself).
    public var birthday: (before: Int, after: Int)?
    public var minimumTotal: Money?
    public var firstPurchaseOnly = false
    /// The rule applies only when the till sends this code (a shared code: any number of receipts).
    public var code: String?
    /// The rule applies only with an unused single-use code generated for it (`loyaltyd codes generate`).
    public var singleUseCodes = false
    /// At least this quantity of the rule's selected items (its categories and SKUs) on the receipt.
    public var minimumQuantity: Quantity?
    /// The receipt holds a line of each of these SKUs.
    public var requiredSKUs: Set<String> = []
    /// The rule's selected lines add up to at least this, before discounts.
    public var minimumSelectedTotal: Money?
    /// The rule gives something on at most this many committed receipts, in all and per member.
    public var maximumUses: Int64?
    public var maximumUsesPerMember: Int64?
    /// Only in these stores of the chain (`store.id`); empty: everywhere.
    public var stores: Set<String> = []

    public init() {}

    public static func == (lhs: RuleConditions, rhs: RuleConditions) -> Bool {
        lhs.canonicalDescription == rhs.canonicalDescription
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalDescription) }

    public static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    var canonicalDescription: String {
        var parts: [String] = []
        if !enabled { parts.append("disabled") }
        if !cardGroups.isEmpty { parts.append("groups=\(cardGroups.sorted().joined(separator: ","))") }
        if !tiers.isEmpty { parts.append("tiers=\(tiers.sorted().joined(separator: ","))") }
        if let fromDate { parts.append("from=\(fromDate)") }
        if let untilDate { parts.append("until=\(untilDate)") }
        if !weekdays.isEmpty { parts.append("weekdays=\(weekdays.sorted().map(String.init).joined(separator: ","))") }
        if let hours { parts.append("hours=\(hours.lowerBound)-\(hours.upperBound)") }
        if let birthday { parts.append("birthday=\(birthday.before),\(birthday.after)") }
        if let minimumTotal { parts.append("min_total=\(minimumTotal.minorUnits)") }
        if firstPurchaseOnly { parts.append("first_purchase") }
        if let code { parts.append("code=\(code.utf8.count):\(code)") }
        if singleUseCodes { parts.append("single_use_codes") }
        if let minimumQuantity { parts.append("min_quantity=\(minimumQuantity.millionths)") }
        if !requiredSKUs.isEmpty { parts.append("requires=\(requiredSKUs.sorted().map { "\($0.utf8.count):\($0)" }.joined())") }
        if let minimumSelectedTotal { parts.append("min_selected_total=\(minimumSelectedTotal.minorUnits)") }
        if let maximumUses { parts.append("max_uses=\(maximumUses)") }
        if let maximumUsesPerMember { parts.append("max_uses_per_member=\(maximumUsesPerMember)") }
        if !stores.isEmpty { parts.append("stores=\(stores.sorted().joined(separator: ","))") }
        return parts.joined(separator: "&")
    }

    /// Whether the rule counts its uses (a usage limit or single-use codes), so a commit records them.
    public var countsUses: Bool { maximumUses != nil || maximumUsesPerMember != nil || singleUseCodes }

    /// The first unused single-use code of rule `ruleID` among the codes the till sent.
    func singleUseCode(of ruleID: String, in context: RuleContext) -> String? {
        context.request.codes.first { code in
            context.promotions.generatedCodes[code].map { $0.ruleID == ruleID && !$0.isUsed } ?? false
        }
    }

    /// Why the rule `ruleID`, acting on `lines`, does not apply in `context`, or `nil` when it does.
    func reasonNotApplicable(in context: RuleContext, ruleID: String = "", lines: LineSelector = .all) -> String? {
        if !enabled { return "the rule is switched off (enabled: false)" }
        if !stores.isEmpty, !stores.contains(context.storeID) {
            return "only in stores \(stores.sorted().joined(separator: ", ")) (this is \(context.storeID.isEmpty ? "no store" : context.storeID))"
        }
        if let reason = promotionReason(in: context, ruleID: ruleID) { return reason }
        if let reason = contentReason(in: context, lines: lines) { return reason }
        let member = context.member
        if !cardGroups.isEmpty, !(member.group.map(cardGroups.contains) ?? false) {
            return "only for card groups \(cardGroups.sorted().joined(separator: ", "))"
        }
        if !tiers.isEmpty, !(context.tier.map(tiers.contains) ?? false) {
            return "only for tiers \(tiers.sorted().joined(separator: ", ")) (member: \(context.tier ?? "no tier"))"
        }
        let today = context.localTime.date
        if let fromDate, today < fromDate { return "the campaign starts on \(fromDate)" }
        if let untilDate, untilDate < today { return "the campaign ended on \(untilDate)" }
        if !weekdays.isEmpty, !weekdays.contains(today.weekday) {
            return "only on \(weekdays.sorted().map { Self.weekdayNames[$0] }.joined(separator: ", "))"
        }
        if let hours, !Self.minute(context.localTime.minuteOfDay, isIn: hours) {
            return "only from \(Self.clock(hours.lowerBound)) to \(Self.clock(hours.upperBound))"
        }
        if let birthday {
            guard let born = member.birthday else { return "the member's birthday is not known" }
            guard Self.isNear(today, birthday: born, before: birthday.before, after: birthday.after) else {
                return "not within the member's birthday window"
            }
        }
        if let minimumTotal, context.request.total < minimumTotal {
            return "the receipt is below \(context.currency.format(minimumTotal))"
        }
        if firstPurchaseOnly, member.lifetimeVisits > 0 { return "only on the member's first purchase" }
        return nil
    }

    /// Codes and usage limits.
    private func promotionReason(in context: RuleContext, ruleID: String) -> String? {
        if let code, !context.request.codes.contains(code) { return "only with the code \(code)" }
        if singleUseCodes, singleUseCode(of: ruleID, in: context) == nil {
            let own = context.request.codes.filter { context.promotions.generatedCodes[$0]?.ruleID == ruleID }
            return own.isEmpty ? "only with a single-use code of this rule" : "code \(own[0]) was already used"
        }
        let uses = context.promotions.uses[ruleID] ?? PromotionState.Uses()
        if let maximumUses, uses.total >= maximumUses { return "used up: \(uses.total) of \(maximumUses) uses in all" }
        if let maximumUsesPerMember, uses.byMember >= maximumUsesPerMember {
            return "the member used it \(uses.byMember) of \(maximumUsesPerMember) times"
        }
        return nil
    }

    /// Conditions on the receipt's content: quantity and amount of the selected lines, SKUs held.
    private func contentReason(in context: RuleContext, lines: LineSelector) -> String? {
        // Most rules have no condition on the cart's content: they pay for none of the work below.
        guard minimumQuantity != nil || minimumSelectedTotal != nil || !requiredSKUs.isEmpty else { return nil }
        let receipt = context.request.lines.isEmpty
            ? [ReceiptLine(sku: "", category: nil, quantity: "1", amount: context.request.total)]
            : context.request.lines
        let hasLines = !context.request.lines.isEmpty
        let selected = receipt.filter { lines.isAll || (hasLines && lines.matches(sku: $0.sku, category: $0.category)) }
        var what: String { lines.isAll ? "items" : lines.summary }
        if let minimumQuantity {
            let quantity = selected.reduce(Int64(0)) { $0 + ((try? Quantity(parsing: $1.quantity))?.millionths ?? Percentage.scale) }
            if quantity < minimumQuantity.millionths {
                return "needs \(minimumQuantity) of \(what) (the receipt has \(Quantity(millionths: quantity)))"
            }
        }
        if let minimumSelectedTotal {
            let amount = selected.reduce(Money.zero) { $0 + $1.amount }
            if amount < minimumSelectedTotal {
                return "\(what) add up to \(context.currency.format(amount)), below \(context.currency.format(minimumSelectedTotal))"
            }
        }
        guard !requiredSKUs.isEmpty else { return nil }
        let missing = requiredSKUs.filter { sku in !context.request.lines.contains { $0.sku == sku } }.sorted()
        if !missing.isEmpty { return "the receipt holds no SKU \(missing.joined(separator: ", "))" }
        return nil
    }

    private static func minute(_ minute: Int, isIn hours: ClosedRange<Int>) -> Bool {
        // The range's upper bound is exclusive; past 24:00 it wraps into the next morning.
        if hours.upperBound <= 1_440 { return minute >= hours.lowerBound && minute < hours.upperBound }
        return minute >= hours.lowerBound || minute < hours.upperBound - 1_440
    }

    public static func clock(_ minutes: Int) -> String {
        let hour = (minutes / 60) % 24
        let minute = minutes % 60
        return "\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute)"
    }

    /// Whether `today` is within `before` days before to `after` days after a birthday; 29 February
    /// is the 28th in other years.
    static func isNear(_ today: CivilDate, birthday: CivilDate, before: Int, after: Int) -> Bool {
        for year in [today.year - 1, today.year, today.year + 1] {
            let day = birthday.month == 2 && birthday.day == 29 && !CivilDate.isLeapYear(year) ? 28 : birthday.day
            let anniversary = CivilDate(year: year, month: birthday.month, day: day).daysSinceEpoch
            let distance = today.daysSinceEpoch - anniversary
            if distance >= -Int64(before), distance <= Int64(after) { return true }
        }
        return false
    }
}
