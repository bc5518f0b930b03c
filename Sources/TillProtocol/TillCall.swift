import LoyaltyDomain

/// A till's request, checked and turned into domain values. The daemon acts on these; nothing
/// past this point sees raw JSON.
public enum TillCall: Sendable, Hashable {
    case status
    case lookup(MemberReference)
    case enroll(Enrolment)
    case quote(PurchaseRequest)
    case commit(PurchaseRequest)
    case void(tillID: String, transactionID: String)
    case refund(RefundRequest)
    case subscribe(tillID: String?)
    case recordSale(SaleRecord)

    /// The method names, as documented in docs/protocol.md.
    public static let methods = [
        "status", "member.lookup", "member.enroll", "purchase.quote", "purchase.commit",
        "purchase.void", "purchase.refund", "events.subscribe", "sale.record",
    ]

    /// Limits on what a till may send; from the configuration.
    public struct Limits: Sendable {
        public var currency: Currency
        /// The largest receipt total accepted; larger ones are refused as invalid params.
        public var maximumTotal: Money
        public var maximumLines: Int

        public init(currency: Currency, maximumTotal: Money, maximumLines: Int = 500) {
            self.currency = currency
            self.maximumTotal = maximumTotal
            self.maximumLines = maximumLines
        }
    }

    /// Checks a request's method and parameters. `nowMilliseconds` stamps a consent given now.
    public static func parse(_ request: RPCRequest, limits: Limits, nowMilliseconds: Int64) throws(RPCError) -> TillCall {
        switch request.method {
        case "status":
            _ = try ParameterReader(request.params, allowed: [])
            return .status
        case "member.lookup":
            let reader = try ParameterReader(request.params, allowed: ["card", "phone", "member_id"])
            return .lookup(try memberReference(reader, allowPhone: true))
        case "member.enroll":
            return .enroll(try enrolment(request.params, nowMilliseconds: nowMilliseconds))
        case "purchase.quote":
            return .quote(try purchase(request.params, limits: limits))
        case "purchase.commit":
            return .commit(try purchase(request.params, limits: limits))
        case "purchase.void":
            let reader = try ParameterReader(request.params, allowed: ["till_id", "transaction_id"])
            return .void(tillID: try reader.identifier("till_id", .tillID), transactionID: try reader.identifier("transaction_id", .transactionID))
        case "purchase.refund":
            let reader = try ParameterReader(request.params, allowed: ["till_id", "transaction_id", "refund_id", "amount", "lines"])
            let amount = try reader.optionalMoney("amount", currency: limits.currency)
            if let amount, amount.minorUnits <= 0 { throw .invalidParams("amount: must be greater than zero") }
            var lines: [RefundRequest.Line] = []
            for (position, element) in (try reader.optionalArray("lines", maxCount: limits.maximumLines) ?? []).enumerated() {
                let line = try ParameterReader(element, allowed: ["sku", "amount"], path: "lines[\(position)].")
                let lineAmount = try line.optionalMoney("amount", currency: limits.currency)
                if let lineAmount, lineAmount.minorUnits <= 0 { throw .invalidParams("lines[\(position)].amount: must be greater than zero") }
                lines.append(.init(sku: try line.identifier("sku", .sku), amount: lineAmount))
            }
            if amount != nil, !lines.isEmpty { throw .invalidParams("give amount or lines, not both") }
            if reader.has("lines"), lines.isEmpty { throw .invalidParams("lines: list at least one line (leave lines out to refund all)") }
            return .refund(RefundRequest(
                tillID: try reader.identifier("till_id", .tillID),
                transactionID: try reader.identifier("transaction_id", .transactionID),
                refundID: try reader.identifier("refund_id", .refundID),
                amount: amount, lines: lines))
        case "events.subscribe":
            let reader = try ParameterReader(request.params, allowed: ["till_id"])
            if case .string("")? = request.params?["till_id"] {
                throw .invalidParams("till_id must not be empty (leave it out to receive every lane)")
            }
            let lane = try reader.optionalIdentifier("till_id", .tillID)
            return .subscribe(tillID: lane)
        case "sale.record":
            return .recordSale(try saleRecord(request.params, limits: limits))
        default:
            throw RPCError(.methodNotFound, "method not found: \(request.method)")
        }
    }

    private static func memberReference(_ reader: ParameterReader, allowPhone: Bool) throws(RPCError) -> MemberReference {
        let given = ["card", "phone", "member_id"].filter { reader.has($0) && ($0 != "phone" || allowPhone) }
        guard given.count == 1 else {
            throw .invalidParams(allowPhone
                ? "give exactly one of card, phone or member_id"
                : "give exactly one of card or member_id")
        }
        if let card = try reader.optionalCarrier("card") { return .carrier(card) }
        if let memberID = try reader.optionalIdentifier("member_id", .memberID) { return .id(memberID) }
        let phone = try reader.string("phone", maxLength: 32)
        do {
            return .phone(try PhoneNumber.normalise(phone))
        } catch {
            throw .invalidParams("phone: \(error)")
        }
    }

    private static func enrolment(_ params: JSONValue?, nowMilliseconds: Int64) throws(RPCError) -> Enrolment {
        let reader = try ParameterReader(params, allowed: ["card", "phone", "name", "birthday", "consent"])
        var phone: String?
        if let raw = try reader.optionalString("phone", maxLength: 32) {
            do { phone = try PhoneNumber.normalise(raw) } catch { throw .invalidParams("phone: \(error)") }
        }
        let carrier: Carrier
        if let card = try reader.optionalCarrier("card") {
            carrier = card
        } else if let phone {
            do { carrier = try Carrier(kind: .phone, value: phone) } catch { throw .invalidParams("phone: \(error)") }
        } else {
            throw .invalidParams("give a card, or a phone to identify the member by")
        }
        let birthday = try reader.optionalString("birthday", maxLength: 10)
        if let birthday, !CalendarDate.isValid(birthday) {
            throw .invalidParams("birthday: expected a date as YYYY-MM-DD, got \"\(birthday)\"")
        }
        let consent = try reader.optionalBool("consent") ?? false
        let name = try reader.optionalFreeText("name", maximumBytes: 200)
        if !consent, name != nil || phone != nil || birthday != nil {
            throw .invalidParams("name, phone and birthday are stored only with consent: set \"consent\": true")
        }
        return Enrolment(
            carrier: carrier, name: name, phone: phone, birthday: birthday,
            consentAtMilliseconds: consent ? nowMilliseconds : nil)
    }

    private static func purchase(_ params: JSONValue?, limits: Limits) throws(RPCError) -> PurchaseRequest {
        let reader = try ParameterReader(
            params, allowed: ["till_id", "transaction_id", "member_id", "card", "total", "lines", "redeem_points", "rewards", "codes"])
        let member = try memberReference(reader, allowPhone: false)
        let total = try reader.money("total", currency: limits.currency)
        guard total >= .zero else { throw .invalidParams("total: must not be negative") }
        guard total <= limits.maximumTotal else {
            throw .invalidParams("total: \(limits.currency.format(total)) is above the configured maximum of \(limits.currency.format(limits.maximumTotal))")
        }
        var lines: [ReceiptLine] = []
        for (position, element) in (try reader.optionalArray("lines", maxCount: limits.maximumLines) ?? []).enumerated() {
            let line = try ParameterReader(element, allowed: ["sku", "category", "quantity", "amount"], path: "lines[\(position)].")
            let quantity = try line.optionalString("quantity", maxLength: 20) ?? "1"
            guard (try? Quantity(parsing: quantity)) != nil else {
                throw .invalidParams("lines[\(position)].quantity: expected a decimal string like \"2\" or \"0.450\" (at most 6 decimals)")
            }
            let amount = try line.money("amount", currency: limits.currency)
            guard amount >= .zero else { throw .invalidParams("lines[\(position)].amount: must not be negative") }
            lines.append(ReceiptLine(
                sku: try line.identifier("sku", .sku), category: try line.optionalIdentifier("category", .category),
                quantity: quantity, amount: amount))
        }
        if !lines.isEmpty {
            let sum = lines.reduce(Money.zero) { $0 + $1.amount }
            guard sum == total else {
                throw .invalidParams("lines: amounts add up to \(limits.currency.format(sum)), not the total \(limits.currency.format(total))")
            }
        }
        var rewards: [RewardRequest] = []
        for (position, element) in (try reader.optionalArray("rewards", maxCount: 50) ?? []).enumerated() {
            let reward = try ParameterReader(element, allowed: ["sku", "quantity"], path: "rewards[\(position)].")
            let quantity = try reward.optionalPoints("quantity")?.value ?? 1
            guard (1...100).contains(quantity) else { throw .invalidParams("rewards[\(position)].quantity: must be 1 to 100") }
            rewards.append(RewardRequest(sku: try reward.identifier("sku", .sku), quantity: quantity))
        }
        return PurchaseRequest(
            tillID: try reader.identifier("till_id", .tillID),
            transactionID: try reader.identifier("transaction_id", .transactionID),
            member: member, total: total, lines: lines,
            redeemPoints: try reader.optionalPoints("redeem_points") ?? .zero, rewards: rewards, codes: try codes(reader))
    }

    /// `codes`: up to 20 promotion codes as typed or scanned, each checked as an identifier.
    private static func codes(_ reader: ParameterReader) throws(RPCError) -> [String] {
        var codes: [String] = []
        for (position, element) in (try reader.optionalArray("codes", maxCount: 20) ?? []).enumerated() {
            guard case .string(let code) = element else { throw .invalidParams("codes[\(position)]: expected a string, got \(element.typeName)") }
            do {
                codes.append(try TextCheck.identifier(code, .promotionCode))
            } catch {
                throw .invalidParams(TextError(field: "codes[\(position)]", problem: error.problem).description)
            }
        }
        return codes
    }
}

/// A refund of a committed purchase, whole (`amount` absent) or partial.
public struct RefundRequest: Sendable, Hashable {
    public var tillID: String
    public var transactionID: String
    public var refundID: String
    /// Money refunded, measured against the purchase's `total`; `nil` refunds what remains
    /// (or the lines given).
    public var amount: Money?
    /// Receipt lines refunded, by SKU; a line without an amount is refunded in full.
    public var lines: [Line]

    public struct Line: Sendable, Hashable {
        public var sku: String
        public var amount: Money?
    }

    public init(tillID: String, transactionID: String, refundID: String, amount: Money?, lines: [Line] = []) {
        self.tillID = tillID
        self.transactionID = transactionID
        self.refundID = refundID
        self.amount = amount
        self.lines = lines
    }
}
