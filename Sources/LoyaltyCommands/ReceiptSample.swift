import LoyaltyDomain
import TillProtocol

/// A sample receipt for `config check --explain`: what a till would send to `purchase.quote`,
/// plus the moment and the member's state to quote it for.
///
/// ```json
/// {"at": "2026-06-13T10:00:00Z", "total": "100.00", "lines": [...], "redeem_points": 0, "codes": ["SPRING10"],
///  "member": {"balance": 1000, "spend": "12000.00", "visits": 55, "birthday": "1990-06-15", "group": "staff"}}
/// ```
struct ReceiptSample {
    var request: PurchaseRequest
    var member: MemberState
    var atMilliseconds: Int64

    static let memberKeys = [
        "balance", "pending", "spend", "visits", "window_spend", "window_visits", "birthday", "group", "coupons",
    ]

    init(json text: String, currency: Currency, nowMilliseconds: Int64) throws(SampleError) {
        let document: JSONValue
        do { document = try JSONParser.parse(Array(text.utf8)) } catch { throw SampleError("not valid JSON: \(error)") }
        guard case .object(let fields) = document else { throw SampleError("expected a JSON object") }
        var purchase: [(String, JSONValue)] = [("till_id", "explain"), ("transaction_id", "explain"), ("member_id", "sample")]
        var memberFields: [(String, JSONValue)] = []
        atMilliseconds = nowMilliseconds
        for (key, value) in fields {
            switch key {
            case "at":
                guard case .string(let at) = value, let milliseconds = Timestamp.milliseconds(parsing: at) else {
                    throw SampleError("at: expected a UTC time like \"2026-06-13T10:00:00Z\"")
                }
                atMilliseconds = milliseconds
            case "member":
                guard case .object(let values) = value else { throw SampleError("member: expected an object") }
                memberFields = values
            case "total", "lines", "redeem_points", "rewards", "codes":
                purchase.append((key, value))
            default:
                throw SampleError("unknown key \"\(key)\" (known: at, total, lines, redeem_points, rewards, codes, member)")
            }
        }
        let limits = TillCall.Limits(currency: currency, maximumTotal: Money(minorUnits: Int64.max / 1_000_000))
        do {
            guard case .quote(let request) = try TillCall.parse(
                RPCRequest(id: 1, method: "purchase.quote", params: .object(purchase)), limits: limits, nowMilliseconds: nowMilliseconds)
            else { throw SampleError("not a receipt") }
            self.request = request
        } catch let error as SampleError {
            throw error
        } catch {
            throw SampleError("\(error)")
        }
        member = try Self.member(memberFields, currency: currency)
    }

    private static func member(_ fields: [(String, JSONValue)], currency: Currency) throws(SampleError) -> MemberState {
        var member = MemberState(id: "sample")
        func points(_ value: JSONValue, _ key: String) throws(SampleError) -> Points {
            guard let number = value.int64 else { throw SampleError("member.\(key): expected a whole number") }
            return Points(number)
        }
        func money(_ value: JSONValue, _ key: String) throws(SampleError) -> Money {
            guard case .string(let text) = value, let amount = try? currency.parse(text) else {
                throw SampleError("member.\(key): expected money as a decimal string like \"120.00\"")
            }
            return amount
        }
        var window: (spend: Money?, visits: Int64?) = (nil, nil)
        for (key, value) in fields {
            switch key {
            case "balance":
                member.ledgerBalance = try points(value, key)
                member.credited = member.ledgerBalance
            case "pending": member.pending = try points(value, key)
            case "spend": member.lifetimeSpend = try money(value, key)
            case "visits": member.lifetimeVisits = try points(value, key).value
            case "window_spend": window.spend = try money(value, key)
            case "window_visits": window.visits = try points(value, key).value
            case "birthday":
                guard case .string(let text) = value, let date = CivilDate(parsing: text) else {
                    throw SampleError("member.birthday: expected a date as YYYY-MM-DD")
                }
                member.birthday = date
            case "group":
                guard case .string(let group) = value else { throw SampleError("member.group: expected text") }
                member.group = group
            case "coupons":
                guard case .array(let coupons) = value else { throw SampleError("member.coupons: expected a list") }
                for (index, coupon) in coupons.enumerated() {
                    guard case .string(let rule)? = coupon["rule_id"], case .string(let percent)? = coupon["percent"],
                          let rate = try? Percentage(parsing: percent)
                    else { throw SampleError("member.coupons[\(index)]: expected {\"rule_id\": \"…\", \"percent\": \"20\"}") }
                    member.coupons.append(Coupon(id: "sample-\(index + 1)", ruleID: rule, percent: rate, expiresAtMilliseconds: .max))
                }
            default:
                throw SampleError("unknown key member.\(key) (known: \(memberKeys.joined(separator: ", ")))")
            }
        }
        member.windowSpend = window.spend ?? member.lifetimeSpend
        member.windowVisits = window.visits ?? member.lifetimeVisits
        return member
    }
}

struct SampleError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
