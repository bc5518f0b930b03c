import ArgumentParser
import LoyaltyDomain

/// How a technician names one member: by id, by one of its cards, or by phone. Blocked members
/// and blocked cards still name their member.
struct MemberSelection: ParsableArguments {
    @Option(name: .customLong("member"), help: ArgumentHelp("The member's id.", valueName: "id"))
    var memberID: String?

    @Option(help: ArgumentHelp("One of the member's cards: \(CarrierArgument.help).", valueName: "kind:value"))
    var card: CardArgument?

    @Option(help: ArgumentHelp("The member's phone (as a card or as contact data).", valueName: "phone"), transform: PhoneArgument.parse)
    var phone: String?

    func validate() throws {
        guard [memberID != nil, card != nil, phone != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("name the member with exactly one of --member, --card or --phone")
        }
        _ = try card?.carrier()
        if let memberID { _ = try TextArgument.identifier(memberID, .memberID, option: "--member") }
    }

    /// The member named; `validate()` has already refused a bad card or id.
    var reference: MemberReference {
        get throws {
            if let memberID { return .id(memberID) }
            if let card { return .carrier(try card.carrier()) }
            return .phone(phone ?? "")
        }
    }
}
