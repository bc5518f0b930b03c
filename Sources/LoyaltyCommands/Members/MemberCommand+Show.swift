import ArgumentParser
import LoyaltyStore
import TillProtocol

extension MemberCommand {
    /// `member show`: one member in full.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a member: status, personal data, balance, cards, purchases and the latest ledger entries.",
            discussion: "Blocked and merged members and blocked cards are shown too. Exit status 1 for an unknown member or card."
        )

        @OptionGroup var member: MemberSelection
        @Option(help: ArgumentHelp("How many of the latest ledger entries to show.", valueName: "count"))
        var ledger = 10
        @Flag(help: "Print the member as one JSON object.") var json = false
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let store = try options.loadConfiguration().openCurrentStore()
            let detail: MemberDetail
            let reference = try member.reference
            do {
                detail = try await store.memberDetail(reference, ledgerLimit: max(0, ledger))
            } catch {
                throw failure(error)
            }
            print(json ? JSONWriter.string(of: MemberDetailFormat.json(detail)) : MemberDetailFormat.text(detail).joined(separator: "\n"))
        }
    }
}
