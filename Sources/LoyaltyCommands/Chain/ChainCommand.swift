import ArgumentParser

/// `loyaltyd chain …`: the chain's central database, and this box's part in it.
struct ChainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Set up the chain's central PostgreSQL and see how this box syncs with it.",
        discussion: """
            A box with a chain: section in its configuration pushes the facts it makes (members, cards, \
            purchases, refunds, ledger entries, coupons) to the centre and pulls those of every other \
            box, while its tills are served from its own database. The README's "Running a chain" \
            section shows the whole setup.
            """,
        subcommands: [Migrate.self, AddBox.self, Status.self, Resync.self]
    )

    /// The centre as head office reaches it (an admin role, not a box's).
    struct CentreOptions: ParsableArguments {
        @Option(help: ArgumentHelp(
            "The central database as its admin role: postgres://ROLE[:PASSWORD]@HOST[:PORT]/DATABASE.", valueName: "url"))
        var url: String

        @Option(help: ArgumentHelp("A file holding the admin role's password (instead of one in the URL).", valueName: "file"), completion: .file())
        var passwordFile: String?

        @Option(help: ArgumentHelp("TLS as libpq's sslmode: disable, require or verify-full.", valueName: "mode"))
        var sslmode: String = "disable"

        @Option(help: ArgumentHelp("The certificate authority for verify-full (PEM).", valueName: "file"), completion: .file())
        var sslrootcert: String?
    }
}
