import ArgumentParser

extension TillCommand {
    /// `till lookup`: member.lookup.
    struct Lookup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look a member up by card, phone (--card phone:…) or id, as a till does (member.lookup)."
        )

        @OptionGroup var member: TillMemberOptions
        @OptionGroup var options: TillOptions

        func run() async throws {
            try options.send("member.lookup", member.params)
        }
    }
}
