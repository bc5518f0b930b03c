import ArgumentParser
import ChainSync
import LoyaltyDomain
import LoyaltyStore
import TillProtocol

extension ChainCommand {
    /// `chain status`: this box's queue and cursor, and the centre as it answers now.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show this box's sync: pushed, pending and quarantined facts, cursor, lag, last error, clock offset, rules versions.",
            discussion: """
                Reads this box's database and asks the centre (as the box's own role) for its head, the \
                box's clock offset and the rules version every box of the chain last reported; boxes that \
                apply rules other than this box's are listed. Also counts the members whose balance is \
                below zero (points spent twice while stores were apart: they cannot redeem until it is \
                positive again), the single-use codes used more than once and the rules used beyond \
                their limits (both accepted by boxes while apart; the sales stand). Exit status 1 when the configuration has no chain: section, the centre \
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
            var boxes: [ChainBox] = []
            do {
                let transport = try chain.boxTransport()
                centre = .success(try await transport.hello(rulesVersion: nil, daemonVersion: nil, boxTimeMilliseconds: now))
                boxes = (try? await transport.boxes()) ?? []
                await transport.close()
            } catch {
                centre = .failure(error)
            }
            let hello = try? centre.get()
            let rules = settings.program.version
            let otherRules = boxes.filter { $0.rulesVersion != nil && $0.rulesVersion != rules }
            let overruns = settings.program.promotionOverruns(totals: report.promotionUses, mostByOneMember: report.promotionUsesByOneMember)
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
                    ("negative_balances", .integer(Int64(report.negativeBalances))),
                    ("codes_used_twice", .integer(Int64(report.codesUsedTwice))),
                    ("promotion_overruns", .array(overruns.map { overrun in
                        .object([
                            ("rule_id", .string(overrun.ruleID)), ("uses", .integer(overrun.uses)), ("limit", .integer(overrun.limit)),
                            ("per_member", .bool(overrun.perMember)),
                        ])
                    })),
                    ("rules_version", .string(rules)),
                    ("boxes", .array(boxes.map { box in
                        .object([
                            ("box_id", .string(box.boxID)), ("store_id", .string(box.storeID)),
                            ("rules_version", box.rulesVersion.map(JSONValue.string) ?? .null),
                            ("daemon_version", box.daemonVersion.map(JSONValue.string) ?? .null),
                            ("last_seen_seconds_ago", box.lastSeenMilliseconds.map { .integer(max(0, now - $0) / 1000) } ?? .null),
                        ])
                    })),
                ])))
            } else {
                print("centre:      \(hello.map { "reachable, this box is \($0.boxID) of store \($0.storeID)" } ?? "NOT reachable: \(centre.errorText)")")
                print("pushed:      \(report.pushed) fact(s); pending: \(report.pending)"
                    + (report.oldestPendingAtMilliseconds.map { ", the oldest made \(max(0, now - $0) / 1000) s ago" } ?? ""))
                print("pulled:      \(report.pulled) fact(s) applied; cursor \(report.cursor)" + (lag.map { ", \($0) fact(s) behind the centre" } ?? ""))
                print("clock:       " + ((hello?.clockOffsetMilliseconds ?? report.clockOffsetMilliseconds).map { "\($0) ms off the centre" } ?? "offset unknown"))
                print("last contact: " + (report.lastContactMilliseconds.map { "\(max(0, now - $0) / 1000) s ago" } ?? "never"))
                if let error = report.lastError { print("last error:  \(error)") }
                if hello != nil {
                    print("rules:       \(rules)" + (otherRules.isEmpty
                        ? ", the same in every box that reported"
                        : "; other rules in: " + otherRules.map { "\($0.boxID) (\($0.storeID)) \($0.rulesVersion ?? "")" }.joined(separator: ", ")))
                }
                if report.negativeBalances > 0 {
                    print("negative:    \(report.negativeBalances) member(s) below zero (points spent twice while apart); they cannot redeem until positive again")
                }
                if report.codesUsedTwice > 0 {
                    print("codes:       \(report.codesUsedTwice) single-use code(s) used more than once (accepted by boxes while apart); the sales stand")
                }
                for overrun in overruns {
                    print("limits:      \(overrun.ruleID) used \(overrun.uses) time(s)\(overrun.perMember ? " by one member" : ""), above its \(overrun.perMember ? "max_uses_per_member" : "max_uses") of \(overrun.limit) (accepted by boxes while apart)")
                }
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
