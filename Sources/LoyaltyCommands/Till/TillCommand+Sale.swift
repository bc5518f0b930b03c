import ArgumentParser
import TillProtocol

extension TillCommand {
    /// `till sale`: sale.record.
    struct Sale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report a sale made without a member (sale.record), for the members' share in `loyaltyd report`.",
            discussion: "Idempotent on --till and --transaction: the same total again is harmless."
        )

        @OptionGroup var transaction: TillTransactionOptions
        @Option(help: ArgumentHelp("The receipt total, a decimal string like 12.50.", valueName: "amount"))
        var total: String
        @OptionGroup var options: TillOptions

        func run() async throws {
            try options.send("sale.record", transaction.params + [("total", .string(total))])
        }
    }
}
