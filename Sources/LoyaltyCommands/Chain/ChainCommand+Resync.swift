import ArgumentParser
import ChainSync
import LoyaltyDomain
import LoyaltyStore

extension ChainCommand {
    /// `chain resync`: a new or replaced box takes the whole chain from the centre.
    struct Resync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pull every fact of the chain into this box's database (a new or replaced box), with a progress bar.",
            discussion: """
                Stop the daemon first (systemctl stop loyaltyd), and create the database with `loyaltyd db \
                migrate` if the box is new. Facts come in central order from the beginning, in large batches, \
                each batch applied in one transaction with the cursor, so an interrupted resync goes on where it \
                stopped when run again (--from-cursor). Facts the box already has change nothing. The daemon \
                would do the same on its own, more slowly, batch by batch. Exit status 1 when the centre \
                cannot be reached.
                """
        )

        @OptionGroup var options: CommonOptions
        @Option(help: ArgumentHelp("Facts per batch (1 to 10000).", valueName: "count")) var batchSize = 10_000
        @Flag(help: "Go on from this box's cursor instead of from the beginning.") var fromCursor = false

        func validate() throws {
            guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size: 1 to 10000") }
        }

        func run() async throws {
            let settings = try options.loadConfiguration()
            let chain = try settings.requiredChain()
            let store = try settings.openCurrentStore()
            let transport: PostgresChainTransport
            do {
                transport = try chain.boxTransport()
            } catch {
                printError("invalid configuration: \(error)")
                throw ExitCode(78)
            }
            var totals = ChainApplyOutcome()
            var cursor: Int64 = 0
            var progress = ProgressBar("resync", total: 1)
            do {
                // What this box held before joining is queued first, so the pull is not taken for it.
                try await store.enableChainQueue()
                if fromCursor { cursor = try await store.chainCursor() }
                let head = try await transport.hello(
                    rulesVersion: nil, daemonVersion: nil, boxTimeMilliseconds: WallClock.system.now()).headSequence
                progress = ProgressBar("resync", total: head)
                while true {
                    let facts = try await transport.pull(after: cursor, limit: batchSize)
                    guard let last = facts.last?.sequence else { break }
                    let outcome = try await store.applyPulledFacts(facts, through: last, nowMilliseconds: WallClock.system.now())
                    totals.applied += outcome.applied
                    totals.alreadyKnown += outcome.alreadyKnown
                    totals.refused += outcome.refused
                    cursor = last
                    progress.update(done: cursor, rows: totals.applied + totals.alreadyKnown + totals.refused)
                }
            } catch {
                progress.finish()
                await transport.close()
                printError("chain resync stopped at cursor \(cursor): \(ChainErrorText.of(error)); run it again with --from-cursor")
                throw ExitCode.failure
            }
            progress.finish()
            await transport.close()
            print("resync done: cursor \(cursor); \(totals.applied) fact(s) applied, \(totals.alreadyKnown) already here, \(totals.refused) quarantined")
            if totals.refused > 0 { throw ExitCode.failure }
        }
    }
}
