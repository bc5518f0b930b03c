import Foundation
import LoyaltyTestSupport
import Synchronization
import Testing
import TillClient
import TillProtocol

/// Issue 7, item 3: hostile clients on the real socket. Malformed frames by the ten thousand
/// (100,000 in `make stress`), clients that stop in the middle of a line, say nothing at all or
/// never read, while good tills keep committing and must get every answer right. The daemon's
/// memory, threads and descriptors are measured throughout.
@Suite struct HostileClientTests {
    /// Counters shared by the client threads.
    final class Tally: Sendable {
        private let counts = Mutex<[String: Int]>([:])
        func add(_ key: String, _ amount: Int = 1) { counts.withLock { $0[key, default: 0] += amount } }
        subscript(key: String) -> Int { counts.withLock { $0[key] ?? 0 } }
    }

    final class Running: Sendable {
        private let flag = Atomic<Bool>(true)
        var isOn: Bool { flag.load(ordering: .relaxed) }
        func stop() { flag.store(false, ordering: .relaxed) }
    }

    func reason(_ response: JSONValue) -> String? {
        guard case .string(let reason)? = response["error"]?["data"]?["reason"] else { return nil }
        return reason
    }

    /// A client (Debian's python3) that pipelines requests and never reads an answer, for up to
    /// 60 s; prints how it ended.
    static let nonReadingClient = """
        import socket, sys, time
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(60)
        line = b'{"jsonrpc":"2.0","id":1,"method":"status"}\\n' * 256
        sent, start = 0, time.time()
        try:
            while time.time() - start < 60:
                sent += s.send(line)
            print("still open after", sent, "bytes")
        except (BrokenPipeError, ConnectionResetError) as error:
            print("disconnected by the daemon after", sent, "bytes")
        except socket.timeout:
            print("send blocked for 60 s")
        """

    @Test func hostileFramesWhileGoodTillsKeepWorking() throws {
        let frameCount = StressRun.count(test: 6_000, stress: 100_000)
        let daemon = try TemporaryDaemon {
            $0.maximumLineBytes = 4_096
            $0.stallTimeoutMilliseconds = 500
            $0.idleTimeoutMilliseconds = 2_000
            $0.maximumConnections = 32
        }.start()
        defer { daemon.cleanUp() }
        let socketPath = daemon.socketPath
        let tally = Tally()
        let running = Running()
        // The database pool opens its reader connections on demand: warm it up before counting.
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            guard let till = try? TillClient(path: socketPath) else { return }
            for _ in 0..<50 { _ = try? till.result("status") }
        }
        let before = try #require(daemon.resources)
        let filesBefore = ProcessResources.openFiles(pid: daemon.processID ?? 0)

        // Good tills: every quote must be 100.00 - 5% = 95.00 and 285 points, every commit must give
        // exactly what its quote promised, and the balance must grow by 285 each time.
        let goodTills = (0..<2).map { SimulatedTill(socketPath: socketPath, tillID: "good-\($0)", card: SimulatedTill.card(100 + $0)) }
        for till in goodTills { try till.enroll() }
        let done = DispatchGroup()
        for (index, till) in goodTills.enumerated() {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                guard let quoting = try? TillClient(path: socketPath) else { return tally.add("good_failures") }
                var sequence = 0
                while running.isOn {
                    sequence += 1
                    let transaction = "G\(index)-\(sequence)"
                    do {
                        let quote = try quoting.result("purchase.quote", till.purchase(transaction, total: "100.00"))
                        guard quote["payable"] == "95.00", quote["points_earned"] == .integer(285) else {
                            tally.add("good_wrong_answers")
                            continue
                        }
                        let result = till.commit(transaction, total: "100.00", deadline: Date().addingTimeInterval(30))
                        var promised = quote
                        if case .object(let members) = quote { promised = .object(members.filter { $0.0 != "balance_after" }) }
                        var given = result ?? .null
                        if case .object(let members) = given { given = .object(members.filter { $0.0 != "balance_after" }) }
                        tally.add(given == promised ? "good_answers" : "good_wrong_answers", 2)
                    } catch {
                        tally.add("good_failures")
                    }
                }
            }
        }

        // Hostile clients: each frame gets exactly one line back, always an error except for the
        // rare mutation that is still a valid call; an oversized line gets line_too_long and the
        // connection is closed.
        for worker in 0..<2 {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                var frames = HostileFrames(seed: 0x7ACE + UInt64(worker), maximumLineBytes: 4_096)
                var client: TillClient?
                for _ in 0..<(frameCount / 2) {
                    let frame = frames.next()
                    tally.add("frames_sent")
                    tally.add("frames_\(frame.kind.rawValue)")
                    do {
                        let till = try client ?? TillClient(path: socketPath)
                        client = till
                        if frame.kind == .oversized {
                            try? till.sendRaw(frame.bytes)
                            let answer = try till.readMessage()
                            tally.add(reason(answer) == "line_too_long" ? "errors_returned" : "hostile_unexpected")
                            tally.add(till.isClosedByPeer() ? "oversized_closed" : "hostile_unexpected")
                            client = nil
                            continue
                        }
                        try till.sendLine(frame.bytes)
                        let answer = try till.readMessage()
                        if answer["error"] != nil || (answer["result"] == nil && answer != .array([])) {
                            tally.add("errors_returned")
                        } else {
                            tally.add("valid_after_mutation")
                        }
                    } catch {
                        tally.add("hostile_unanswered")
                        client = nil
                    }
                }
            }
        }

        // Silent and slow clients, over and over while the rest runs: a half line then silence gets
        // line_timeout; a connection that says nothing gets idle_timeout; one that never reads is
        // disconnected. None of them may keep the good tills out.
        done.enter()
        Thread.detachNewThread {
            defer { done.leave() }
            var round = 0
            while running.isOn {
                round += 1
                do {
                    let halfLine = try TillClient(path: socketPath)
                    try halfLine.sendRaw(Array(#"{"jsonrpc":"2.0","id":1,"method":"purch"#.utf8))
                    let silent = round % 4 == 0 ? try TillClient(path: socketPath) : nil
                    tally.add(self.reason(try halfLine.readMessage(timeoutMilliseconds: 10_000)) == "line_timeout" && halfLine.isClosedByPeer()
                        ? "half_lines_dropped" : "slow_unexpected")
                    if let silent {
                        tally.add(self.reason(try silent.readMessage(timeoutMilliseconds: 10_000)) == "idle_timeout" && silent.isClosedByPeer()
                            ? "silent_dropped" : "slow_unexpected")
                    }
                } catch {
                    tally.add("slow_unexpected")
                }
            }
        }
        let nonReader = Process()
        nonReader.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        nonReader.arguments = ["-c", Self.nonReadingClient, socketPath]
        let nonReaderOutput = Pipe()
        nonReader.standardOutput = nonReaderOutput
        try nonReader.run()

        // The daemon's footprint, sampled while all this goes on.
        var peak = before
        let hostileDone = { tally["frames_sent"] >= frameCount / 2 * 2 }
        let deadline = Date().addingTimeInterval(StressRun.isOn ? 1_800 : 300)
        while !hostileDone() || nonReader.isRunning, Date() < deadline {
            if let now = daemon.resources {
                peak = ProcessResources(
                    threads: max(peak.threads, now.threads), descriptors: max(peak.descriptors, now.descriptors),
                    residentKiB: max(peak.residentKiB, now.residentKiB), peakResidentKiB: now.peakResidentKiB)
            }
            usleep(100_000)
        }
        usleep(1_500_000)  // let the last answers arrive before the good tills stop
        running.stop()
        #expect(done.wait(timeout: .now() + 60) == .success)
        nonReader.waitUntilExit()
        let nonReaderEnd = String(decoding: nonReaderOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        #expect(daemon.isRunning, "the daemon stays up")
        let till = try daemon.client()
        #expect(try waitUntil(timeoutSeconds: 10) { try till.result("status")["connections"] == .integer(1) }, "every hostile connection is gone")
        let after = try #require(daemon.resources)
        let framesSent = tally["frames_sent"]
        let answered = tally["errors_returned"] + tally["valid_after_mutation"]
        #expect(answered == framesSent, "every frame got its one answer")
        #expect(tally["hostile_unanswered"] == 0 && tally["hostile_unexpected"] == 0)
        #expect(tally["good_wrong_answers"] == 0 && tally["good_failures"] == 0)
        #expect(tally["good_answers"] > 0)
        let goodProblems = goodTills.flatMap(\.problems)
        #expect(goodProblems.isEmpty, "\(goodProblems.prefix(5))")
        #expect(tally["half_lines_dropped"] > 0 && tally["slow_unexpected"] == 0)
        #expect(nonReaderEnd.contains("disconnected by the daemon"), "\(nonReaderEnd)")
        #expect(after.peakResidentKiB < 256 * 1024, "memory stays bounded: \(after)")
        // Sockets, pipes and the like must be back where they were (plus the one status connection);
        // database files may have grown by the pool's reader connections (one writer and at most
        // five readers, each with its database and WAL descriptor, and the shared -shm).
        let filesAfter = ProcessResources.openFiles(pid: daemon.processID ?? 0)
        let databaseFiles = filesAfter.filter { $0.hasPrefix(daemon.databasePath) }
        let otherBefore = filesBefore.filter { !$0.hasPrefix(daemon.databasePath) }
        let otherAfter = filesAfter.filter { !$0.hasPrefix(daemon.databasePath) }
        #expect(otherAfter.count <= otherBefore.count + 1, "no descriptor left behind: before \(otherBefore), after \(otherAfter)")
        #expect(databaseFiles.count <= 13, "\(databaseFiles)")
        // Worker threads the load woke (libdispatch's, which GRDB's reads run on) retire after about
        // five idle seconds; a thread left behind never does. Wait up to ten for them.
        var settled = after
        let threadsDeadline = ContinuousClock.now + .seconds(10)
        while settled.threads > before.threads + 4, ContinuousClock.now < threadsDeadline {
            usleep(250_000)
            settled = try #require(daemon.resources)
        }
        #expect(settled.threads <= before.threads + 4, "no thread left behind: before \(before), after \(settled)")

        StressRun.report("hostile", [
            "frames_sent": framesSent, "errors_returned": tally["errors_returned"], "valid_after_mutation": tally["valid_after_mutation"],
            "unanswered": tally["hostile_unanswered"], "oversized_closed": tally["oversized_closed"],
            "good_requests_answered_correctly": tally["good_answers"], "good_wrong": tally["good_wrong_answers"],
            "half_lines_dropped": tally["half_lines_dropped"], "silent_dropped": tally["silent_dropped"],
            "non_reader": nonReaderEnd.contains("disconnected") ? "disconnected" : "NOT disconnected",
            "rss_before_MiB": before.residentKiB / 1024, "peak_rss_MiB": after.peakResidentKiB / 1024,
            "rss_after_MiB": after.residentKiB / 1024, "fds_before": before.descriptors, "fds_peak": peak.descriptors,
            "fds_after": after.descriptors, "threads_before": before.threads, "threads_after": after.threads,
        ])
    }

    @Test func silentClientsLoseTheirSlotsAndSubscribersKeepTheirs() throws {
        let daemon = try TemporaryDaemon {
            $0.maximumConnections = 3
            $0.idleTimeoutMilliseconds = 1_000
        }.start()
        defer { daemon.cleanUp() }
        let subscriber = try daemon.client()
        _ = try subscriber.result("events.subscribe")
        let silent = [try daemon.client(), try daemon.client()]
        let refused = try daemon.client()
        #expect(reason(try refused.readMessage()) == "too_many_connections")
        for client in silent {
            let farewell = try client.readMessage(timeoutMilliseconds: 10_000)
            #expect(reason(farewell) == "idle_timeout")
            #expect(farewell["error"]?["code"] == .integer(1017))
            #expect(client.isClosedByPeer())
        }
        #expect(try daemon.client().result("status")["store_id"] == "test-store", "a freed slot takes a new till")
        #expect(try subscriber.result("status")["subscribers"] == .integer(1), "a subscriber is never idle")
    }

    /// A till that stops reading (its socket full of answers it never read) is closed after
    /// `stall_timeout_ms`; no error line can reach it, so the log says which connection and why.
    @Test func aTillThatReadsNothingIsClosedWithTheReasonInTheLog() throws {
        let daemon = try TemporaryDaemon { $0.stallTimeoutMilliseconds = 500 }.start()
        defer { daemon.cleanUp() }
        let stalled = try daemon.client()
        _ = try stalled.result("events.subscribe")
        // 1,000 status answers (about 450 KB) fill its socket and stay there.
        let batch = "[" + (1...100).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"status"}"# }.joined(separator: ",") + "]"
        for _ in 0..<10 { try stalled.sendLine(Array(batch.utf8)) }
        let line = "closing a till connection that reads nothing"
        #expect(waitUntil(timeoutSeconds: 10) { daemon.log.contains(line) }, "\(daemon.log)")
        let logged = try #require(daemon.log.split(separator: "\n").first { $0.contains(line) })
        #expect(logged.contains("connection=1 "), "the connection is named: \(logged)")
        #expect(logged.contains("stall_timeout_ms (500 ms)"), "the reason is given: \(logged)")
        #expect(try daemon.client().result("status")["subscribers"] == .integer(0), "its subscription ended with it")
    }

    @Test func aHalfLineThenSilenceIsCutOffWhileOthersAreServed() throws {
        let daemon = try TemporaryDaemon { $0.stallTimeoutMilliseconds = 300 }.start()
        defer { daemon.cleanUp() }
        let stalled = try daemon.client()
        try stalled.sendRaw(Array(#"{"jsonrpc":"2.0","id":1,"method":"purchase.commit","params":{"till_id":"t""#.utf8))
        let other = try daemon.client()
        #expect(try other.result("status")["store_id"] == "test-store")
        let answer = try stalled.readMessage(timeoutMilliseconds: 10_000)
        #expect(reason(answer) == "line_timeout")
        #expect(answer["error"]?["code"] == .integer(-32600))
        #expect(stalled.isClosedByPeer())
        #expect(try other.result("status")["database"]?["purchases"] == .integer(0), "nothing of the half line ran")
    }
}
