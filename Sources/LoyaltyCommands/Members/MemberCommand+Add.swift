import ArgumentParser
import LoyaltyDomain
import LoyaltyStore
import TillProtocol

extension MemberCommand {
    /// `member add`: enrols a member, as a till's member.enroll does, with an optional group.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol a new member with a card (or a phone to be identified by); prints the new member id.",
            discussion: """
                As the till's member.enroll: a card or phone that already belongs to a member is refused \
                (exit status 1). Name, phone and birthday are stored only with --consent. Without --card, \
                the phone becomes the member's carrier.
                """
        )

        @Option(help: ArgumentHelp("The member's card: \(CarrierArgument.help).", valueName: "kind:value"))
        var card: CardArgument?
        @Option(help: ArgumentHelp("The member's name (needs --consent).", valueName: "name"))
        var name: String?
        @Option(help: ArgumentHelp("The member's phone (needs --consent); without --card the member is identified by it.", valueName: "phone"), transform: PhoneArgument.parse)
        var phone: String?
        @Option(help: ArgumentHelp("Birthday as YYYY-MM-DD (needs --consent).", valueName: "date"))
        var birthday: String?
        @Option(help: ArgumentHelp("A group for the member (free text, up to 64 bytes).", valueName: "group"))
        var group: String?
        @Flag(help: "The member agreed to the storing of name, phone and birthday.") var consent = false
        @Flag(help: "Print the new member as one JSON object.") var json = false
        @OptionGroup var options: CommonOptions

        func validate() throws {
            guard card != nil || phone != nil else { throw ValidationError("give --card, or --phone to identify the member by") }
            _ = try card?.carrier()
            if let name { _ = try TextArgument.freeText(name, option: "--name") }
            if let birthday, !CalendarDate.isValid(birthday) { throw ValidationError("--birthday: expected a date as YYYY-MM-DD") }
            if let group { _ = try TextArgument.identifier(group, .group, option: "--group") }
            if !consent, givenName != nil || phone != nil || birthday != nil {
                throw ValidationError("name, phone and birthday are stored only with consent: add --consent once the member agreed")
            }
        }

        /// The name, `nil` when absent or given as `""` (an empty name is no name).
        private var givenName: String? { name.flatMap { try? TextArgument.freeText($0, option: "--name") } }

        func run() async throws {
            let store = try options.loadConfiguration().openCurrentStore()
            let now = WallClock.system.now()
            let carrier = try card?.carrier() ?? Carrier(kind: .phone, value: phone ?? "")
            let enrolment = Enrolment(
                carrier: carrier, name: givenName, phone: phone, birthday: birthday, consentAtMilliseconds: consent ? now : nil)
            let id: MemberID
            do {
                id = try await store.addMember(enrolment, group: group, nowMilliseconds: now)
            } catch {
                throw failure(error)
            }
            if json {
                print(JSONWriter.string(of: .object([("member_id", .string(id)), ("card", .string(CarrierArgument.text(carrier)))])))
            } else {
                print("member \(id) added with \(CarrierArgument.text(carrier))")
            }
        }
    }
}
