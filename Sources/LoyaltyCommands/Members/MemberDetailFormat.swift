import LoyaltyDomain
import LoyaltyStore
import TillProtocol

/// How `member show` and `member find` print a member. Personal data goes only to the command's
/// own standard output, which the technician asked for.
enum MemberDetailFormat {
    static func text(_ member: MemberDetail) -> [String] {
        var status = member.status.rawValue
        if let survivor = member.mergedInto { status += " (merged into \(survivor))" }
        var lines = [
            "member:    \(member.id)",
            "status:    \(status)",
            "name:      \(member.name ?? "-")",
            "phone:     \(member.phone ?? "-")",
            "birthday:  \(member.birthday ?? "-")",
            "group:     \(member.group ?? "-")",
            "consent:   \(member.consentAtMilliseconds.map(timestamp) ?? "-")",
            "enrolled:  \(timestamp(member.createdAtMilliseconds))",
            "balance:   \(member.balance) points",
            "purchases: \(member.purchases)\(member.lastPurchaseAtMilliseconds.map { ", the last at \(timestamp($0))" } ?? "")",
        ]
        if member.cards.isEmpty {
            lines.append("cards:     none")
        } else {
            lines.append("cards:")
            var table = TextTable(["card", "status", "linked"])
            for card in member.cards { table.append([CarrierArgument.text(card.carrier), card.status.rawValue, timestamp(card.linkedAtMilliseconds)]) }
            lines += table.lines(indent: 2)
        }
        guard !member.recentLedger.isEmpty else { return lines + ["ledger:    no entries"] }
        lines.append("ledger (newest first):")
        var table = TextTable(["time", "kind", "points", "purchase", "note"])
        for entry in member.recentLedger {
            let purchase = entry.tillID.map { "\($0)/\(entry.transactionID ?? "?")" } ?? "-"
            let points = entry.points.value > 0 ? "+\(entry.points)" : "\(entry.points)"
            table.append([timestamp(entry.atMilliseconds), entry.kind.rawValue, points, purchase, entry.note ?? ""])
        }
        return lines + table.lines(indent: 2)
    }

    static func json(_ member: MemberDetail) -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return .object([
            ("member_id", .string(member.id)),
            ("status", .string(member.status.rawValue)),
            ("merged_into", optional(member.mergedInto)),
            ("name", optional(member.name)),
            ("phone", optional(member.phone)),
            ("birthday", optional(member.birthday)),
            ("group", optional(member.group)),
            ("consent_at", optional(member.consentAtMilliseconds.map(timestamp))),
            ("enrolled_at", .string(timestamp(member.createdAtMilliseconds))),
            ("balance", .integer(member.balance.value)),
            ("purchases", .integer(Int64(member.purchases))),
            ("last_purchase_at", optional(member.lastPurchaseAtMilliseconds.map(timestamp))),
            ("cards", .array(member.cards.map { card in
                .object([
                    ("kind", .string(card.carrier.kind.rawValue)), ("value", .string(card.carrier.value)),
                    ("status", .string(card.status.rawValue)), ("linked_at", .string(timestamp(card.linkedAtMilliseconds))),
                ])
            })),
            ("ledger", .array(member.recentLedger.map { entry in
                .object([
                    ("id", .string(entry.id)), ("at", .string(timestamp(entry.atMilliseconds))), ("kind", .string(entry.kind.rawValue)),
                    ("points", .integer(entry.points.value)), ("till_id", optional(entry.tillID)),
                    ("transaction_id", optional(entry.transactionID)), ("rules_version", optional(entry.rulesVersion)),
                    ("note", optional(entry.note)),
                ])
            })),
        ])
    }
}
