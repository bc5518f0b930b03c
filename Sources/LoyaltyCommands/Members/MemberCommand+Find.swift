import ArgumentParser
import LoyaltyDomain
import LoyaltyStore
import TillProtocol

extension MemberCommand {
    /// `member find`: members by name, phone, card, birthday or group.
    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find members by part of the name, phone, card, birthday or group; one line each.",
            discussion: """
                Every criterion given must match. --name matches any part of the name in any case \
                ("MÜLLER" finds "Müller"). --phone matches any run of digits of the contact phone or a phone \
                card, leading zeros and + not counted ("0151 2345" finds +4915123456789). --card matches any \
                part of a card: kind:part looks at that kind (uid:E5F6), a bare part at every kind. Lists \
                the oldest members first, at most --limit of them. Exit status 1 when nobody matches.
                """
        )

        @Option(help: ArgumentHelp("A part of the name.", valueName: "text")) var name: String?
        @Option(help: ArgumentHelp("Digits of the phone, as a card or as contact data (3 or more).", valueName: "digits"))
        var phone: String?
        @Option(help: ArgumentHelp("A part of a card: kind:part, or a part of any kind of card.", valueName: "[kind:]part"))
        var card: String?
        @Option(help: ArgumentHelp("Birthday as YYYY-MM-DD.", valueName: "date")) var birthday: String?
        @Option(help: ArgumentHelp("The member's group.", valueName: "group")) var group: String?
        @Option(help: ArgumentHelp("At most this many members.", valueName: "count")) var limit = 20
        @Flag(help: "Print a JSON array of members.") var json = false
        @OptionGroup var options: CommonOptions

        func validate() throws {
            guard name != nil || phone != nil || card != nil || birthday != nil || group != nil else {
                throw ValidationError("give at least one of --name, --phone, --card, --birthday or --group")
            }
            if let name, try TextArgument.freeText(name, option: "--name") == nil { throw ValidationError("--name must not be empty") }
            if let phone { _ = try SearchPart.phoneDigits(phone) }
            if let card { _ = try SearchPart.card(card) }
            if let group { _ = try TextArgument.identifier(group, .group, option: "--group") }
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let store = try options.loadConfiguration().openCurrentStore()
            let members: [MemberDetail]
            let query = MemberQuery(
                nameContains: name, phoneDigitsContain: try phone.map { try SearchPart.phoneDigits($0) },
                carrierContains: try card.map { try SearchPart.card($0) } ?? [:], birthday: birthday, group: group)
            do {
                members = try await store.findMembers(query, limit: limit)
            } catch {
                throw failure(error)
            }
            if json {
                print(JSONWriter.string(of: .array(members.map(MemberDetailFormat.json))))
            } else if !members.isEmpty {
                var table = TextTable(["member", "status", "balance", "name", "phone", "birthday", "group", "cards"])
                for member in members {
                    table.append([
                        member.id, member.mergedInto == nil ? member.status.rawValue : "merged", String(member.balance.value),
                        member.name ?? "-", member.phone ?? "-", member.birthday ?? "-", member.group ?? "-",
                        member.cards.isEmpty ? "-" : member.cards.map { CarrierArgument.text($0.carrier) }.joined(separator: " "),
                    ])
                }
                print(table.lines().joined(separator: "\n"))
            }
            if members.isEmpty {
                printError("no member matches")
                throw ExitCode.failure
            }
        }
    }
}
