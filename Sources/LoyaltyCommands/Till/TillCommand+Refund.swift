import ArgumentParser
import TillProtocol

extension TillCommand {
    /// `till refund`: purchase.refund.
    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refund a committed receipt in whole or in part (purchase.refund); points go back in proportion.",
            discussion: """
                Idempotent on --till and --refund-id. Give --amount, or receipt lines with --line (a line \
                without an amount is refunded in full); with neither, everything that remains is refunded.
                """
        )

        @OptionGroup var transaction: TillTransactionOptions
        @Option(name: .customLong("refund-id"), help: ArgumentHelp("Your id for this refund, unique per till (refund_id).", valueName: "id"))
        var refundID: String
        @Option(help: ArgumentHelp("The money refunded, a decimal string like 5.00 (default: all that remains).", valueName: "amount"))
        var amount: String?
        @Option(
            name: .customLong("line"),
            help: ArgumentHelp("A receipt line refunded, SKU or SKU:AMOUNT (lines); repeat it for each line.", valueName: "line"),
            transform: RefundLineArgument.parse)
        var lines: [JSONValue] = []
        @OptionGroup var options: TillOptions

        func run() async throws {
            var params = transaction.params + [("refund_id", JSONValue.string(refundID))]
            if let amount { params.append(("amount", .string(amount))) }
            if !lines.isEmpty { params.append(("lines", .array(lines))) }
            try options.send("purchase.refund", params)
        }
    }
}

/// `--line SKU[:AMOUNT]` of `till refund` as a `lines[i]` object; the daemon checks the values.
enum RefundLineArgument {
    static func parse(_ text: String) throws -> JSONValue {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            throw ValidationError("expected SKU or SKU:AMOUNT, like 4006381333931:3.98")
        }
        return .object([("sku", .string(parts[0]))] + (parts.count == 2 ? [("amount", .string(parts[1]))] : []))
    }
}
