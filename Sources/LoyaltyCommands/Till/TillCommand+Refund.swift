import ArgumentParser
import TillProtocol

extension TillCommand {
    /// `till refund`: purchase.refund.
    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refund a committed receipt in whole or in part (purchase.refund); points go back in proportion.",
            discussion: "Idempotent on --till and --refund-id. Without --amount, everything that remains is refunded."
        )

        @OptionGroup var transaction: TillTransactionOptions
        @Option(name: .customLong("refund-id"), help: ArgumentHelp("Your id for this refund, unique per till (refund_id).", valueName: "id"))
        var refundID: String
        @Option(help: ArgumentHelp("The money refunded, a decimal string like 5.00 (default: all that remains).", valueName: "amount"))
        var amount: String?
        @OptionGroup var options: TillOptions

        func run() async throws {
            var params = transaction.params + [("refund_id", JSONValue.string(refundID))]
            if let amount { params.append(("amount", .string(amount))) }
            try options.send("purchase.refund", params)
        }
    }
}
