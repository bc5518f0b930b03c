import LoyaltyDomain
import ArgumentParser
import Foundation
import LoyaltyStore
import Synchronization
import TillProtocol

extension MemberCommand {
    /// `member import FILE.csv`: a chain's member list into the database.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a member list (CSV with a header row); all of it or nothing, or with --skip-invalid every valid row.",
            discussion: """
                The file is UTF-8 CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks; \
                CRLF or LF). The header row names the columns, in any order: name, phone, birthday \
                (YYYY-MM-DD), card (written as for --card: uid:…, track:…, barcode:…, phone:+…), group, \
                and member_id (written by `member export`: consecutive rows with the same member_id \
                are one member with several cards; it is not stored). Other columns are ignored. Each \
                row needs a card or a phone; a row without a card is identified by its phone. Rows with \
                a name, phone or birthday need --consent.

                A row whose card or phone already belongs to a member is that member: a new card in \
                it is linked to the member, and nothing else is changed (names, phones, birthdays and \
                groups of existing members are never overwritten). Running the same import again \
                therefore creates nothing. A row whose card and phone belong to different members is \
                invalid.

                By default the whole file is checked first and, if any line is invalid, nothing is \
                imported (every invalid line is listed on standard error with its line number; exit \
                status 1). With --skip-invalid the valid rows are imported and the invalid ones listed \
                as skipped. Rows are written in transactions of --batch-size rows, so the daemon keeps \
                serving tills meanwhile; an import that is interrupted can be run again to finish. A \
                progress bar is shown on standard error when it is a terminal.
                """
        )

        @Argument(help: ArgumentHelp("The member list (a regular file: it is read twice).", valueName: "file.csv"), completion: .file())
        var file: String
        @Flag(help: "Import the valid rows and list the invalid ones as skipped, instead of importing nothing.") var skipInvalid = false
        @Flag(help: "Check the whole file and say what an import would do, without writing anything (exit status 1 for an invalid line, unless --skip-invalid).") var dryRun = false
        @Flag(help: "The members on this list agreed to the storing of their name, phone and birthday.") var consent = false
        @Option(help: ArgumentHelp("Rows written per transaction.", valueName: "rows")) var batchSize = 10_000
        @Flag(help: "Print the counts as one JSON object.") var json = false
        @OptionGroup var options: CommonOptions

        func validate() throws {
            guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size: 1 to 100000") }
        }

        func run() async throws {
            let store = try options.loadConfiguration().openCurrentStore()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
                printError("\(file): no such file")
                throw ExitCode.failure
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? NSNumber)?.int64Value ?? 0

            // Pass 1 (all or nothing, or a dry run): decide every row without writing.
            if !skipInvalid || dryRun {
                let check: MemberImportCheck
                do { check = try MemberImportCheck(store: store) } catch {
                    printError("cannot check the file: \(error)")
                    throw ExitCode.failure
                }
                let tally = try await read(label: "checking", size: size) { rows throws(MemberCareError) in
                    do { return try check.check(rows) } catch { throw .store(.storageUnavailable("\(error)")) }
                }
                if dryRun {
                    show(tally, dryRun: true)
                    if tally.invalid > 0, !skipInvalid { throw ExitCode.failure }
                    return
                }
                guard tally.invalid == 0 else {
                    printError("\(file): nothing imported: \(tally.invalid) invalid line(s), listed above; fix them, or pass --skip-invalid to import the other rows")
                    throw ExitCode.failure
                }
            }

            // Pass 2: write, batch by batch.
            let group = Mutex(MemberImportGroup())
            let now = WallClock.system.now()
            let stopAtConflict = !skipInvalid
            let tally = try await read(label: "importing", size: size) { rows throws(MemberCareError) in
                let (outcomes, next) = try await store.importMembers(
                    rows, after: group.withLock { $0 }, stopAtConflict: stopAtConflict, nowMilliseconds: now)
                group.withLock { $0 = next }
                return outcomes
            }
            try? await store.logEvent(
                kind: "member.import",
                detail: "\((file as NSString).lastPathComponent): \(tally.created) created, \(tally.linked) linked, \(tally.unchanged) unchanged, \(tally.invalid) skipped",
                nowMilliseconds: WallClock.system.now())
            show(tally, dryRun: false)
        }

        /// Reads the file in batches, hands each to `handle`, and counts the outcomes; invalid lines
        /// are printed batch by batch, in line order. The next batch is read and checked while
        /// `handle` works on the previous one (each call starts once the previous one returned).
        private func read(
            label: String, size: Int64,
            _ handle: @escaping @Sendable ([MemberImportRow]) async throws(MemberCareError) -> [MemberImportOutcome]
        ) async throws -> Tally {
            var tally = Tally()
            var progress = ProgressBar(label, total: size)
            defer { progress.finish() }
            var list: MemberListReader
            do { list = try MemberListReader(path: file, consent: consent) } catch {
                progress.finish()
                printError("\(file): \(error)")
                throw ExitCode.failure
            }
            /// The batch `handle` works on, with the lines before it that could not be read or checked.
            var inFlight: (rows: [MemberImportRow], invalid: [(line: Int, reason: String)], work: Task<[MemberImportOutcome], any Error>)?
            while true {
                var invalid: [(line: Int, reason: String)] = []
                let batch: [MemberImportRow]?
                do {
                    batch = try list.nextBatch(size: batchSize) { line, reason in invalid.append((line, reason)) }
                } catch {
                    progress.finish()
                    printError("\(file): \(error)")
                    throw ExitCode.failure
                }
                if let previous = inFlight {
                    let outcomes: [MemberImportOutcome]
                    do {
                        outcomes = try await previous.work.value
                    } catch {
                        progress.finish()
                        printError("\(file): \(error)")
                        if label == "importing" {
                            printError("""
                                the rows before this batch are imported (\(tally.created) new members, \(tally.linked) cards linked); \
                                run the same import again to finish: it skips what is already there
                                """)
                        }
                        throw ExitCode.failure
                    }
                    count(previous.rows, outcomes, invalid: previous.invalid, into: &tally, progress: &progress)
                }
                guard let batch else {
                    count([], [], invalid: invalid, into: &tally, progress: &progress)
                    break
                }
                inFlight = (batch, invalid, Task { try await handle(batch) })
                progress.update(done: list.bytesRead, rows: tally.rows)
            }
            return tally
        }

        /// Counts a batch's outcomes and prints its invalid lines (unreadable ones and conflicts) in line order.
        private func count(
            _ rows: [MemberImportRow], _ outcomes: [MemberImportOutcome], invalid unreadable: [(line: Int, reason: String)],
            into tally: inout Tally, progress: inout ProgressBar
        ) {
            var invalid = unreadable
            tally.rows += rows.count + unreadable.count
            for (row, outcome) in zip(rows, outcomes) {
                switch outcome {
                case .created: tally.created += 1
                case .linked: tally.linked += 1
                case .unchanged: tally.unchanged += 1
                case .invalid(let reason): invalid.append((row.line, reason))
                }
            }
            tally.invalid += invalid.count
            guard !invalid.isEmpty else { return }
            progress.finish()
            for entry in invalid.sorted(by: { $0.line < $1.line }) { printError("\(file):\(entry.line): \(entry.reason)") }
        }

        private func show(_ tally: Tally, dryRun: Bool) {
            if json {
                print(JSONWriter.string(of: .object([
                    ("file", .string(file)), ("dry_run", .bool(dryRun)), ("rows", .integer(Int64(tally.rows))),
                    ("created", .integer(Int64(tally.created))), ("linked", .integer(Int64(tally.linked))),
                    ("unchanged", .integer(Int64(tally.unchanged))), ("invalid", .integer(Int64(tally.invalid))),
                ])))
                return
            }
            let verb = dryRun ? "would be" : "were"
            print("""
                \(file): \(tally.rows) row(s)\(dryRun ? " checked; nothing written (dry run)" : "")
                  \(tally.created) new member(s) \(dryRun ? "would be created" : "created")
                  \(tally.linked) card(s) \(verb) linked to existing members
                  \(tally.unchanged) row(s) already in the database (nothing to change)
                  \(tally.invalid) invalid line(s)\(tally.invalid > 0 ? (skipInvalid && !dryRun ? ", skipped (listed on standard error)" : ", listed on standard error") : "")
                """)
        }
    }

    /// What happened to the rows of a member list.
    struct Tally {
        var rows = 0
        var created = 0
        var linked = 0
        var unchanged = 0
        var invalid = 0
    }
}
