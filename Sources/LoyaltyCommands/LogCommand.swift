import ArgumentParser
import Foundation
import LoyaltyStore

/// `loyaltyd log`: the event log, readable.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the event log: starts, stops, card reads (card numbers masked), readers, refused tills, errors.",
        discussion: "Reads the database directly, so it works while the daemon runs or is stopped."
    )

    @OptionGroup var options: CommonOptions
    @Option(help: ArgumentHelp("Only events of this kind, such as card.read or reader.added; an unknown kind is an error listing them.", valueName: "kind"))
    var kind: String?
    @Option(help: ArgumentHelp("Only events since this UTC time (2026-11-23 or 2026-11-23T10:00:00Z).", valueName: "time"))
    var since: String?
    @Option(help: "How many of the most recent events to show.") var limit = 50
    @Flag(help: "Keep showing new events as they are written, until interrupted.") var follow = false

    func run() async throws {
        let settings = try options.loadConfiguration()
        var sinceMilliseconds: Int64?
        if let since {
            guard let date = Self.parse(since) else {
                printError("--since: \"\(since)\" is not a UTC date like 2026-11-23 or 2026-11-23T10:00:00Z")
                throw ExitCode(64)
            }
            sinceMilliseconds = Int64(date.timeIntervalSince1970 * 1000)
        }
        let store = try settings.openStore()
        if let kind {
            let kinds = Set(EventKinds.known).union(try await store.eventKindsLogged()).sorted()
            guard kinds.contains(kind) else {
                printError("--kind: no event is of kind \"\(kind)\"; the kinds are \(kinds.joined(separator: ", "))")
                throw ExitCode(64)
            }
        }
        var last: Int64?
        repeat {
            let events = try await store.events(kind: kind, sinceMilliseconds: sinceMilliseconds, afterSequence: last, limit: limit)
            for event in events {
                print(Self.line(event))
                last = event.sequence
            }
            if follow {
                fflush(nil)
                try await Task.sleep(for: .milliseconds(500))
                if last == nil { last = 0 }
            }
        } while follow
    }

    static func line(_ event: EventRecord) -> String {
        let time = Date(timeIntervalSince1970: Double(event.atMilliseconds) / 1000).formatted(.iso8601)
        var text = "\(time) \(event.kind)"
        if let reader = event.reader { text += " reader=\"\(reader)\"" }
        if let carrier = event.carrier { text += " card=\(carrier)" }
        if let member = event.memberID { text += " member=\(member)" }
        if !event.detail.isEmpty { text += " \(event.detail)" }
        return text
    }

    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }
}
