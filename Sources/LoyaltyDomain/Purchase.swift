/// How a till names the member a purchase belongs to.
public enum MemberReference: Sendable, Hashable {
    case id(MemberID)
    case carrier(Carrier)
    case phone(String)
}

/// One line of a receipt, when the till sends lines. Quantities stay decimal text (`"0.450"` kg)
/// because only the rules engine's product rules look at them, and never as a float.
public struct ReceiptLine: Sendable, Hashable {
    public var sku: String
    public var category: String?
    public var quantity: String
    public var amount: Money

    public init(sku: String, category: String?, quantity: String, amount: Money) {
        self.sku = sku
        self.category = category
        self.quantity = quantity
        self.amount = amount
    }
}

/// A purchase as a till sends it to `purchase.quote` and `purchase.commit`.
public struct PurchaseRequest: Sendable, Hashable {
    public var tillID: String
    public var transactionID: String
    public var member: MemberReference
    public var total: Money
    public var lines: [ReceiptLine]
    public var redeemPoints: Points
    /// Catalogue rewards the member takes for points.
    public var rewards: [RewardRequest]
    /// Promotion codes typed or scanned at the till, in the order given (see ``PromotionCodes``).
    public var codes: [String]

    public init(
        tillID: String, transactionID: String, member: MemberReference, total: Money,
        lines: [ReceiptLine] = [], redeemPoints: Points = .zero, rewards: [RewardRequest] = [], codes: [String] = []
    ) {
        self.rewards = rewards
        self.codes = codes
        self.tillID = tillID
        self.transactionID = transactionID
        self.member = member
        self.total = total
        self.lines = lines
        self.redeemPoints = redeemPoints
    }

    /// A stable hash of everything the till sent that decides the result, for "same ids, different
    /// content" checks. It uses the member reference as sent, so a retry is recognised even after
    /// the card was blocked in between.
    public var fingerprint: String {
        let reference = switch member {
        case .id(let id): "id:\(id)"
        case .carrier(let carrier): "\(carrier.kind.rawValue):\(carrier.value)"
        case .phone(let phone): "phone:\(phone)"
        }
        // Every text is length-prefixed, so no two different requests can print the same.
        func field(_ text: String) -> String { "\(text.utf8.count):\(text)" }
        var text = "member=\(field(reference));total=\(total.minorUnits);redeem=\(redeemPoints.value)"
        for line in lines {
            text += ";line=\(field(line.sku))\(line.category.map(field) ?? "-")\(field(line.quantity))\(line.amount.minorUnits)"
        }
        for reward in rewards {
            text += ";reward=\(field(reward.sku))\(reward.quantity)"
        }
        // Only when codes were sent, so a receipt without codes keeps the fingerprint it always had.
        for code in codes {
            text += ";code=\(field(code))"
        }
        return StableHash.hex(of: text)
    }
}

/// A catalogue reward asked for at the till.
public struct RewardRequest: Sendable, Hashable {
    public var sku: String
    public var quantity: Int64

    public init(sku: String, quantity: Int64) {
        self.sku = sku
        self.quantity = quantity
    }
}
