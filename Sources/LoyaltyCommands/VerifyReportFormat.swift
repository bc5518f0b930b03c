import LoyaltyStore
import TillProtocol

/// How `db verify` prints its report.
enum VerifyReportFormat {
    static func text(_ report: VerifyReport, path: String) -> String {
        var lines = ["database: \(path)"]
        lines.append("integrity_check: \(report.integrity.joined(separator: "; "))")
        lines.append("members with ledger or balance: \(report.membersChecked), ledger entries: \(report.ledgerEntries)")
        if report.mismatches.isEmpty {
            lines.append("balances: every cached balance equals the sum of its ledger")
        } else {
            lines.append("balances: \(report.mismatches.count) mismatch(es):")
            for mismatch in report.mismatches {
                lines.append("  member \(mismatch.memberID): cached \(mismatch.cached), ledger says \(mismatch.ledger)")
            }
        }
        if !report.bankCards.isEmpty {
            lines.append("bank cards: \(report.bankCards.count) bank card number(s) stored as cards (run `loyaltyd db migrate` to block and mask them):")
            for card in report.bankCards {
                lines.append("  \(card.masked) of member \(card.memberID)")
            }
        }
        lines.append(report.isClean ? "result: clean" : "result: PROBLEMS FOUND")
        return lines.joined(separator: "\n")
    }

    static func json(_ report: VerifyReport) -> String {
        JSONWriter.string(of: .object([
            ("clean", .bool(report.isClean)),
            ("integrity_check", .array(report.integrity.map(JSONValue.string))),
            ("members_checked", .integer(Int64(report.membersChecked))),
            ("ledger_entries", .integer(Int64(report.ledgerEntries))),
            ("mismatches", .array(report.mismatches.map { mismatch in
                .object([
                    ("member_id", .string(mismatch.memberID)),
                    ("cached", .integer(mismatch.cached.value)),
                    ("ledger", .integer(mismatch.ledger.value)),
                ])
            })),
            ("bank_cards", .array(report.bankCards.map { card in
                .object([("card", .string(card.masked)), ("member_id", .string(card.memberID))])
            })),
        ]))
    }
}
