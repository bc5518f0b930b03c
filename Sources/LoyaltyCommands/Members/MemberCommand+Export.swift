import ArgumentParser
import LoyaltyStore

extension MemberCommand {
    /// `member export [FILE]`: the member list, in the format `member import` reads.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the member list as CSV (to FILE, or standard output), in the format `member import` reads.",
            discussion: """
                Columns: name, phone, birthday, card, group, member_id (CRLF line ends). Every active \
                member is written, one row per usable card, so `member import` of the file recreates \
                them and their cards; consecutive rows with the same member_id are one member. Left out, \
                and counted on standard error: blocked and merged members, blocked and lost cards (an \
                import would make them usable again), and members with neither a usable card nor a \
                phone. Balances and ledgers are not part of the list. FILE must not exist; it is \
                created readable by its owner only (it holds personal data). Reads one consistent \
                snapshot; safe while the daemon runs.
                """
        )

        @Argument(help: ArgumentHelp("Where to write the list (must not exist); standard output when left out.", valueName: "file"), completion: .file())
        var file: String?
        @OptionGroup var options: CommonOptions

        func run() async throws {
            let store = try options.loadConfiguration().openCurrentStore()
            let writer: CSVWriter
            do {
                writer = try file.map { path throws(CSVWriteError) in try CSVWriter(creating: path) } ?? CSVWriter()
            } catch {
                printError(error.description)
                throw ExitCode.failure
            }
            let summary: MemberExportSummary
            do {
                try writer.write(MemberCSV.header)
                summary = try store.exportMembers { row in try writer.write(MemberCSV.fields(of: row)) }
                try writer.finish()
            } catch {
                printError("export failed: \(error)")
                throw ExitCode.failure
            }
            var leftOut: [String] = []
            if summary.blockedMembers > 0 { leftOut.append("\(summary.blockedMembers) blocked member(s)") }
            if summary.mergedMembers > 0 { leftOut.append("\(summary.mergedMembers) merged member(s)") }
            if summary.unusableCards > 0 { leftOut.append("\(summary.unusableCards) blocked or lost card(s)") }
            if summary.unidentifiableMembers > 0 { leftOut.append("\(summary.unidentifiableMembers) member(s) with neither a usable card nor a phone") }
            printError("exported \(summary.members) member(s) in \(summary.rows) row(s)\(file.map { " to \($0)" } ?? "")"
                + (leftOut.isEmpty ? "" : "; left out: \(leftOut.joined(separator: ", "))"))
        }
    }
}
