/// Which receipt lines a rule or an exclusion is about: by category or by SKU. An empty
/// selector means every line (and a receipt sent without lines counts as one line).
///
/// Categories may be paths (`food/dairy/milk`): a category ending in `/*` (`food/dairy/*`) selects
/// that category and every one below it; any other category selects exactly itself.
public struct LineSelector: Sendable, Hashable {
    public var categories: Set<String>
    public var skus: Set<String>

    public init(categories: Set<String> = [], skus: Set<String> = []) {
        self.categories = categories
        self.skus = skus
    }

    public static let all = LineSelector()

    public var isAll: Bool { categories.isEmpty && skus.isEmpty }

    public func matches(sku: String, category: String?) -> Bool {
        isAll || skus.contains(sku) || category.map(matchesCategory) == true
    }

    private func matchesCategory(_ category: String) -> Bool {
        if categories.contains(category) { return true }
        // `dairy/*` selects `dairy` and `dairy/…`, at any depth.
        var path = Substring(category)
        while true {
            if categories.contains(path + "/*") { return true }
            guard let slash = path.lastIndex(of: "/") else { return false }
            path = path[..<slash]
        }
    }

    var canonicalDescription: String {
        isAll ? "all" : "c[\(categories.sorted().joined(separator: ","))]s[\(skus.sorted().joined(separator: ","))]"
    }

    /// `tobacco, alcohol` or `SKU 123`, for notes.
    var summary: String {
        (categories.sorted() + skus.sorted().map { "SKU \($0)" }).joined(separator: ", ")
    }
}

/// What an excluded line is kept out of.
public enum ExclusionScope: String, Sendable, Hashable, CaseIterable {
    /// The line earns no points.
    case earning
    /// The line gets no discount.
    case discount
    /// The line may not be paid with points.
    case pointsPayment = "points-payment"
}

/// Goods kept out of earning, discounts or payment with points (tobacco and alcohol, commonly).
public struct LineExclusion: Sendable, Hashable {
    public var lines: LineSelector
    public var scopes: Set<ExclusionScope>

    public init(lines: LineSelector, scopes: Set<ExclusionScope>) {
        self.lines = lines
        self.scopes = scopes
    }

    var canonicalDescription: String {
        "exclude=\(lines.canonicalDescription):\(scopes.map(\.rawValue).sorted().joined(separator: ","))"
    }
}

/// How rules of one stacking group combine: only one of them gives anything.
public struct StackingGroup: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// The first rule of the group (in configured order) that gives something.
        case exclusive
        /// The rule of the group worth the most to the member (discount plus points at their value).
        case bestOf = "best-of"
    }

    public var name: String
    public var mode: Mode

    public init(name: String, mode: Mode) {
        self.name = name
        self.mode = mode
    }
}

/// A gift item that members take for points at the till, or, with a percentage, a discount on the
/// receipt bought with points ("10% off for 150 points"), taken once per receipt.
public struct CatalogueReward: Sendable, Hashable {
    public var sku: String
    public var name: String
    public var points: Points
    /// For a discount reward: the percentage it takes off what the discount rules left.
    public var percent: Percentage?

    public init(sku: String, name: String, points: Points, percent: Percentage? = nil) {
        self.sku = sku
        self.name = name
        self.points = points
        self.percent = percent
    }
}
