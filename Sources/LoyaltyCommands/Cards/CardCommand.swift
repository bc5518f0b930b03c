import ArgumentParser
import LoyaltyDomain
import LoyaltyStore

/// `loyaltyd card …`: a member's carriers, straight on the database.
struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Link a card to a member, unlink it, block it (blocked or lost) or unblock it.",
        discussion: """
            Cards are written kind:value (uid:04A1B2C3D4E5F6, track:…, barcode:…, phone:+…) and \
            normalised as the till protocol does. Works on the database directly, whether the daemon \
            runs or not; each change is one transaction, written to the event log with the card masked.
            Exit status: 1 for an unknown card or member or a refused change, 64 for a malformed card.
            """,
        subcommands: [Link.self, Unlink.self, Block.self, Unblock.self]
    )

    /// The card a subcommand acts on.
    struct CardOption: ParsableArguments {
        @Option(name: .customLong("card"), help: ArgumentHelp("The card: \(CarrierArgument.help).", valueName: "kind:value"))
        var argument: CardArgument

        func validate() throws { _ = try argument.carrier() }

        /// The card; `validate()` has already refused a bad one.
        var card: Carrier { get throws { try argument.carrier() } }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link a card to a member (a new or replacement card).",
            discussion: """
                A card that belongs to another member, or a phone another member gave, is refused (exit \
                status 1); so is a merged member. Linking a card the member already has changes nothing.
                """
        )

        @OptionGroup var card: CardOption
        @Option(name: .customLong("member"), help: ArgumentHelp("The member's id.", valueName: "id")) var memberID: String
        @OptionGroup var options: CommonOptions

        func validate() throws { _ = try TextArgument.identifier(memberID, .memberID, option: "--member") }

        func run() async throws {
            let carrier = try card.card
            let store = try options.loadConfiguration().openCurrentStore()
            do {
                let outcome = try await store.link(carrier, to: .id(memberID), nowMilliseconds: WallClock.system.now())
                let text = CarrierArgument.text(carrier)
                print(outcome.linked ? "\(text) linked to member \(outcome.member)" : "\(text) was already linked to member \(outcome.member)")
            } catch {
                throw failure(error)
            }
        }
    }

    struct Unlink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a card from its member; the member keeps its balance and other cards.",
            discussion: "The card is then unknown to tills and may be linked to anyone. Exit status 1 for an unknown card."
        )

        @OptionGroup var card: CardOption
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let carrier = try card.card
            let store = try options.loadConfiguration().openCurrentStore()
            do {
                let member = try await store.unlink(carrier, nowMilliseconds: WallClock.system.now())
                print("\(CarrierArgument.text(carrier)) unlinked from member \(member)")
            } catch {
                throw failure(error)
            }
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Block a card (or mark it lost with --lost): tills are refused with card_blocked.",
            discussion: "The card stays linked to its member, whose balance and other cards are untouched. Exit status 1 for an unknown card."
        )

        @OptionGroup var card: CardOption
        @Flag(help: "Mark the card lost instead of blocked.") var lost = false
        @OptionGroup var options: CommonOptions

        func run() async throws {
            try await CardCommand.set(card.card, to: lost ? .lost : .blocked, options: options)
        }
    }

    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a blocked or lost card usable again.",
            discussion: "Exit status 1 for an unknown card."
        )

        @OptionGroup var card: CardOption
        @OptionGroup var options: CommonOptions

        func run() async throws {
            try await CardCommand.set(card.card, to: .active, options: options)
        }
    }

    static func set(_ card: Carrier, to status: CarrierStatus, options: CommonOptions) async throws {
        let store = try options.loadConfiguration().openCurrentStore()
        do {
            let outcome = try await store.setStatus(of: card, to: status, nowMilliseconds: WallClock.system.now())
            let text = CarrierArgument.text(card)
            print(outcome.previous == status
                ? "\(text) of member \(outcome.member) was already \(status.rawValue)"
                : "\(text) of member \(outcome.member) is now \(status.rawValue) (was \(outcome.previous.rawValue))")
        } catch {
            throw failure(error)
        }
    }
}
