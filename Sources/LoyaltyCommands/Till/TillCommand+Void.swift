import ArgumentParser

extension TillCommand {
    /// `till void`: purchase.void.
    struct VoidTransaction: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void",
            abstract: "Void a transaction that will never be committed (purchase.void); a later commit of it is refused."
        )

        @OptionGroup var transaction: TillTransactionOptions
        @OptionGroup var options: TillOptions

        func run() async throws {
            try options.send("purchase.void", transaction.params)
        }
    }
}
