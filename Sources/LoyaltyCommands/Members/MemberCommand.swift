import ArgumentParser

/// `loyaltyd member …`: members, straight on the database.
struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Enrol, show, find, block, unblock and merge members; import and export a member list (CSV).",
        discussion: """
            Works on the database directly, whether the daemon runs or not: each change is one short \
            transaction through the same write path as the daemon's. Changes are written to the event \
            log (loyaltyd log) with the member's id and cards masked, never with a name, phone or \
            birthday. Personal data is printed only by show, find and export, on their standard output.
            Exit status: 1 when the member or card is unknown or the change is refused, 64 for a usage \
            error such as a malformed --card.
            """,
        subcommands: [Add.self, Show.self, Find.self, Block.self, Unblock.self, Merge.self, Import.self, Export.self]
    )
}
