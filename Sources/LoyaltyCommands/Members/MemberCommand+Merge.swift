import LoyaltyDomain
import ArgumentParser
import LoyaltyStore
import TillProtocol

extension MemberCommand {
    /// `member merge`: two records of one person become one.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge a member into another (--into): cards, purchases and points move to it, in one transaction.",
            discussion: """
                The member named by --member, --card or --phone is merged into the member --into names. \
                Its cards and purchases become the survivor's, with the spend and visits that tiers \
                count and the coupons they issued; points already past their expiry are written off, \
                and the balance left moves through two adjust entries in the ledger (balances are never \
                edited; moved points no longer expire); personal data the survivor lacks is copied to it. The merged member is kept, blocked, marked merged and without personal \
                data; `member show` says whom it was merged into. Exit status 1 for an unknown member, \
                a member merged before, or a member merged into itself.
                """
        )

        @OptionGroup var member: MemberSelection
        @Option(help: ArgumentHelp("The id of the member that remains.", valueName: "id")) var into: String
        @Flag(help: "Print the outcome as one JSON object.") var json = false
        @OptionGroup var options: CommonOptions

        func validate() throws { _ = try TextArgument.identifier(into, .memberID, option: "--into") }

        func run() async throws {
            let settings = try options.loadConfiguration()
            let store = try settings.openCurrentStore()
            let outcome: MergeOutcome
            let reference = try member.reference
            do {
                let merged = try await store.memberDetail(reference, ledgerLimit: 0).id
                outcome = try await store.merge(
                    merged, into: into, rulesVersion: settings.program.version, nowMilliseconds: WallClock.system.now())
            } catch {
                throw failure(error)
            }
            if json {
                print(JSONWriter.string(of: .object([
                    ("merged", .string(outcome.merged)), ("into", .string(outcome.survivor)),
                    ("points_moved", .integer(outcome.pointsMoved.value)), ("cards_moved", .integer(Int64(outcome.cardsMoved))),
                    ("purchases_moved", .integer(Int64(outcome.purchasesMoved))), ("balance", .integer(outcome.survivorBalance.value)),
                ])))
            } else {
                print("""
                    merged \(outcome.merged) into \(outcome.survivor): \(outcome.cardsMoved) card(s), \
                    \(outcome.purchasesMoved) purchase(s) and \(outcome.pointsMoved) points moved
                    balance of \(outcome.survivor): \(outcome.survivorBalance) points; \(outcome.merged) is kept, blocked and marked merged
                    """)
            }
        }
    }
}
