import ArgumentParser
import Foundation
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyStore
import TillProtocol

/// `loyaltyd report`: what the program did in a period.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report a period: active members, their purchases and share of all sales, points issued, redeemed and expired.",
        discussion: """
            The period runs from the start of --from to the end of --to (both included), in the \
            store's time zone (store.time_zone). Active members: members with a committed purchase in \
            the period. The members' share compares their purchases with all sales the tills reported: \
            member purchases plus sales without a member (sale.record), by count and by receipt total \
            (before discounts and points; refunds are not subtracted). Points issued, redeemed and \
            expired come from the ledger; breakage is expired ÷ issued. Average visits: member \
            purchases ÷ active members. Reads the database directly; safe while the daemon runs.
            """
    )

    @Option(help: ArgumentHelp("The first day, YYYY-MM-DD.", valueName: "date")) var from: String
    @Option(help: ArgumentHelp("The last day, YYYY-MM-DD (included).", valueName: "date")) var to: String
    @Flag(help: "Print the report as one JSON object.") var json = false
    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard CalendarDate.isValid(from) else { throw ValidationError("--from: expected a date as YYYY-MM-DD") }
        guard CalendarDate.isValid(to) else { throw ValidationError("--to: expected a date as YYYY-MM-DD") }
        guard from <= to else { throw ValidationError("--from must not be after --to") }
    }

    func run() async throws {
        let settings = try options.loadConfiguration()
        guard let zone = TimeZone(identifier: settings.timeZone), let start = Self.startOfDay(from, in: zone, plusDays: 0),
              let end = Self.startOfDay(to, in: zone, plusDays: 1)
        else {
            printError("cannot place \(from) to \(to) in the time zone \(settings.timeZone)")
            throw ExitCode.failure
        }
        let store = try settings.openCurrentStore()
        let report: ActivityReport
        do {
            report = try await store.activityReport(fromMilliseconds: start, toMilliseconds: end)
        } catch {
            printError("cannot read the database \(settings.databasePath): \(error)")
            throw ExitCode.failure
        }
        let currency = settings.currency
        let purchaseShare = Self.percent(Int64(report.memberPurchases), of: Int64(report.memberPurchases + report.otherSales))
        let amountShare = Self.percent(
            report.memberPurchaseTotal.minorUnits, of: report.memberPurchaseTotal.minorUnits + report.otherSalesTotal.minorUnits)
        let visits = Self.ratio(Int64(report.memberPurchases), Int64(report.activeMembers))
        let breakage = Self.percent(report.pointsExpired.value, of: report.pointsIssued.value)
        if json {
            func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
            print(JSONWriter.string(of: .object([
                ("from", .string(from)), ("to", .string(to)), ("time_zone", .string(settings.timeZone)),
                ("active_members", .integer(Int64(report.activeMembers))),
                ("member_purchases", .integer(Int64(report.memberPurchases))),
                ("member_purchase_total", .string(currency.format(report.memberPurchaseTotal))),
                ("other_sales", .integer(Int64(report.otherSales))),
                ("other_sales_total", .string(currency.format(report.otherSalesTotal))),
                ("member_share_of_purchases_percent", optional(purchaseShare)),
                ("member_share_of_amount_percent", optional(amountShare)),
                ("average_visits_per_member", optional(visits)),
                ("points_issued", .integer(report.pointsIssued.value)),
                ("points_redeemed", .integer(report.pointsRedeemed.value)),
                ("points_expired", .integer(report.pointsExpired.value)),
                ("breakage_percent", optional(breakage)),
                ("points_reversed", .integer(report.pointsReversed.value)),
                ("points_adjusted", .integer(report.pointsAdjusted.value)),
            ])))
            return
        }
        let code = currency.code
        print("""
            report \(from) to \(to) (\(settings.timeZone))
            active members:              \(report.activeMembers)
            purchases by members:        \(report.memberPurchases), total \(currency.format(report.memberPurchaseTotal)) \(code)
            sales without a member:      \(report.otherSales), total \(currency.format(report.otherSalesTotal)) \(code) (reported with sale.record)
            members' share of sales:     \(purchaseShare.map { "\($0) %" } ?? "-") of purchases, \(amountShare.map { "\($0) %" } ?? "-") of the amount
            average visits per member:   \(visits ?? "-")
            points issued:               \(report.pointsIssued)
            points redeemed:             \(report.pointsRedeemed)
            points expired:              \(report.pointsExpired) (breakage: \(breakage.map { "\($0) %" } ?? "-") of the points issued)
            points reversed by refunds:  \(report.pointsReversed) (net)
            points adjusted:             \(report.pointsAdjusted) (net)
            """)
    }

    /// Midnight starting `date` + `plusDays` in `zone`, in milliseconds since the epoch.
    static func startOfDay(_ date: String, in zone: TimeZone, plusDays: Int) -> Int64? {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let day = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let start = calendar.date(byAdding: .day, value: plusDays, to: day)
        else { return nil }
        return Int64(start.timeIntervalSince1970) * 1000
    }

    /// `part` as a percentage of `whole` with one decimal, rounded half up, in exact integer arithmetic; `nil` when `whole` is 0.
    static func percent(_ part: Int64, of whole: Int64) -> String? {
        guard whole > 0 else { return nil }
        let tenths = (Int128(part) * 1000 + Int128(whole) / 2) / Int128(whole)
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `numerator ÷ denominator` with two decimals, rounded half up; `nil` when the denominator is 0.
    static func ratio(_ numerator: Int64, _ denominator: Int64) -> String? {
        guard denominator > 0 else { return nil }
        let hundredths = (Int128(numerator) * 100 + Int128(denominator) / 2) / Int128(denominator)
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
