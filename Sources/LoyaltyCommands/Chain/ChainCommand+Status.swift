import ArgumentParser
import ChainSync
import LoyaltyDomain
import LoyaltyStore
import TillProtocol

extension ChainCommand {
    /// `chain status`: this box's queue and cursor, and the centre as it answers now.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show this box's sync: pushed, pending and quarantined facts, cursor, lag, last error, clock offset.",
            discussion: """
                Reads this box's database and asks the centre (as the box's own role) for its head and the \
                box's clock offset. Exit status 1 when the configuration has no chain: section, the centre \
                cannot be reached, or facts are quarantined.
                """
        )

        @OptionGroup var options: CommonOptions
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let settings = try options.loadConfiguration()
            let chain = try settings.requiredChain()
            let store = try settings.openCurrentStore()
            let report: ChainReport
            do {
                report = try await store.chainReport()
            } catch {
                printError("cannot read the database: \(error)")
                throw ExitCode.failure
            }
            let now = WallClock.system.now()
            var centre: Result<ChainHello, any Error>
            do {
                let transport = try chain.boxTransport()
                centre = .success(try await transport.hello(rulesVersion: settings.program.version, daemonVersion: "status", boxTimeMilliseconds: now))
                await transport.close()
            } catch {
                centre = .failure(error)
            }
            let hello = try? centre.get()
            let lag = hello.map { max(0, $0.headSequence - report.cursor) }
            if json {
                print(JSONWriter.string(of: .object([
                    ("reachable", .bool(hello != nil)),
                    ("error", (try? centre.get()) == nil ? .string(centre.errorText) : .null),
                    ("box_id", hello.map { .string($0.boxID) } ?? .null),
                    ("pending", .integer(Int64(report.pending))), ("pushed", .integer(report.pushed)), ("pulled", .integer(report.pulled)),
                    ("quarantined", .integer(Int64(report.quarantined.count))), ("cursor", .integer(report.cursor)),
                    ("lag_facts", lag.map(JSONValue.integer) ?? .null),
                    ("oldest_pending_seconds", report.oldestPendingAtMilliseconds.map { .integer(max(0, now - $0) / 1000) } ?? .null),
                    ("clock_offset_ms", (hello?.clockOffsetMilliseconds ?? report.clockOffsetMilliseconds).map(JSONValue.integer) ?? .null),
                    ("last_contact_seconds_ago", report.lastContactMilliseconds.map { .integer(max(0, now - $0) / 1000) } ?? .null),
                    ("last_error", report.lastError.map(JSONValue.string) ?? .null),
                ])))
            } else {
                print("centre:      \(hello.map { "reachable, this box is \($0.boxID) of store \($0.storeID)" } ?? "NOT reachable: \(centre.errorText)")")
                print("pushed:      \(report.pushed) fact(s); pending: \(report.pending)"
                    + (report.oldestPendingAtMilliseconds.map { ", the oldest made \(max(0, now - $0) / 1000) s ago" } ?? ""))
                print("pulled:      \(report.pulled) fact(s) applied; cursor \(report.cursor)" + (lag.map { ", \($0) fact(s) behind the centre" } ?? ""))
                print("clock:       " + ((hello?.clockOffsetMilliseconds ?? report.clockOffsetMilliseconds).map { "\($0) ms off the centre" } ?? "offset unknown"))
                print("last contact: " + (report.lastContactMilliseconds.map { "\(max(0, now - $0) / 1000) s ago" } ?? "never"))
                if let error = report.lastError { print("last error:  \(error)") }
                print("quarantine:  \(report.quarantined.count) fact(s)")
                for fact in report.quarantined {
                    print("  \(fact.direction) \(fact.factID): \(fact.reason)")
                }
            }
            if hello == nil || !report.quarantined.isEmpty { throw ExitCode.failure }
        }
    }
}

extension Result where Failure == any Error {
    /// The failure in one line, or `""`.
    var errorText: String {
        if case .failure(let error) = self { return ChainErrorText.of(error) }
        return ""
    }
}
