import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// Prometheus metrics from the real daemon: the textfile node_exporter reads and the HTTP endpoint,
/// scraped while real tills talk to it; the values must move with the traffic.
@Suite struct MetricsTests {
    /// A daemon whose configuration has a `metrics:` section with `lines` (indented by two spaces).
    static func daemon(metrics lines: String) throws -> TemporaryDaemon {
        let daemon = try TemporaryDaemon()
        let handle = try #require(FileHandle(forWritingAtPath: daemon.configPath))
        handle.seekToEndOfFile()
        handle.write(Data("\nmetrics:\n\(lines)".utf8))
        try handle.close()
        return try daemon.start()
    }

    static let anna: JSONValue = .object([("kind", "barcode"), ("value", "2900000099991")])

    @Test func theTextfileAndTheUnixEndpointMoveWithTillTraffic() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let textfile = directory.file("loyaltyd.prom")
        let endpoint = directory.file("metrics.sock")
        let daemon = try Self.daemon(metrics: "  textfile: \(textfile)\n  interval_seconds: 1\n  listen: unix:\(endpoint)\n")
        defer { daemon.cleanUp() }

        // The first sample is written at start: nothing has happened yet.
        #expect(waitUntil { MetricsScrape.textfile(textfile) != nil })
        let before = try #require(MetricsScrape.textfile(textfile))
        #expect(before["loyaltyd_till_requests_total{method=\"purchase.commit\",outcome=\"ok\"}"] == nil)
        #expect(before["loyaltyd_till_connections"] == 0)
        let databaseBytes = try #require(before["loyaltyd_database_bytes"])
        #expect(databaseBytes > 0)
        #expect(before["loyaltyd_database_wal_bytes"] != nil)
        #expect(before["loyaltyd_readers_present"] == 0)
        #expect(before["loyaltyd_chain_pending_facts"] == nil, "no chain, no chain figures")

        // Real till traffic on one connection, closed when this function returns.
        func traffic() throws {
            let till = try daemon.client()
            let status = try till.result("status")
            guard case .string(let rulesVersion)? = status["rules_version"], case .string(let version)? = status["version"] else {
                Issue.record("status without versions: \(status)")
                return
            }
            _ = try till.result("member.enroll", .object([("card", Self.anna)]))
            for number in 1...3 {
                let purchase: JSONValue = .object([
                    ("till_id", "lane-1"), ("transaction_id", .string("T-\(number)")), ("card", Self.anna), ("total", "20.00"),
                ])
                _ = try till.result("purchase.quote", purchase)
                _ = try till.result("purchase.commit", purchase)
            }
            let refused = try till.call("member.lookup", .object([("card", .object([("kind", "barcode"), ("value", "2900000099992")]))]))
            #expect(refused["error"]?["data"]?["reason"] == "unknown_card")
            _ = try till.call("no.such.method", nil)
            let garbled = try TillClient(path: daemon.socketPath)
            try garbled.sendLine(Array("{not json".utf8))
            #expect(try garbled.readMessage()["error"]?["data"]?["reason"] == "parse_error")

            #expect(waitUntil { MetricsScrape.textfile(textfile)?["loyaltyd_till_requests_total{method=\"purchase.commit\",outcome=\"ok\"}"] == 3 })
            let after = try #require(MetricsScrape.textfile(textfile))
            #expect(after["loyaltyd_till_requests_total{method=\"purchase.quote\",outcome=\"ok\"}"] == 3)
            #expect(after["loyaltyd_till_requests_total{method=\"member.enroll\",outcome=\"ok\"}"] == 1)
            #expect(after["loyaltyd_till_requests_total{method=\"member.lookup\",outcome=\"unknown_card\"}"] == 1)
            #expect(after["loyaltyd_till_requests_total{method=\"unknown\",outcome=\"method_not_found\"}"] == 1, "\(after.text)")
            #expect(after["loyaltyd_till_requests_total{method=\"unknown\",outcome=\"parse_error\"}"] == 1, "\(after.text)")
            #expect(after["loyaltyd_till_connections"] == 2, "the tills' connections are open")
            for method in ["purchase.quote", "purchase.commit"] {
                #expect(after["loyaltyd_till_request_duration_seconds_count{method=\"\(method)\"}"] == 3)
                #expect((after["loyaltyd_till_request_duration_seconds_sum{method=\"\(method)\"}"] ?? 0) > 0)
                #expect(after["loyaltyd_till_request_duration_seconds_bucket{method=\"\(method)\",le=\"+Inf\"}"] == 3)
            }
            #expect(after["loyaltyd_till_request_duration_seconds_count{method=\"status\"}"] == nil, "only quote and commit are timed")
            #expect(after["loyaltyd_rules_version_info{version=\"\(rulesVersion)\"}"] == 1)
            #expect(after["loyaltyd_build_info{version=\"\(version)\"}"] == 1)
            #expect((after["loyaltyd_database_bytes"] ?? 0) + (after["loyaltyd_database_wal_bytes"] ?? 0) > databaseBytes)
        }
        try traffic()

        // The endpoint serves the same figures; anything but GET /metrics is a 404.
        let scraped = try MetricsScrape.get(unixSocket: endpoint)
        #expect(scraped.status == 200)
        #expect(try MetricsScrape(scraped.body)["loyaltyd_till_requests_total{method=\"purchase.commit\",outcome=\"ok\"}"] == 3)
        #expect(try MetricsScrape.get(unixSocket: endpoint, path: "/").status == 404)

        // The till hangs up: the gauge goes back down. The file is only ever replaced whole.
        #expect(waitUntil { MetricsScrape.textfile(textfile)?["loyaltyd_till_connections"] == 0 })
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.contains("loyaltyd.prom") && !names.contains { $0.hasPrefix("loyaltyd.prom.") }, "no temporary file left beside the textfile: \(names)")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: textfile)[.posixPermissions] as? Int)
        #expect(mode == 0o644, "node_exporter, another user, reads it")

        #expect(daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: endpoint), "the endpoint's socket is removed at stop")
    }

    @Test func aLoopbackEndpointServesTheFigures() throws {
        // A port from a range the system does not hand out on its own; another one is tried if it is taken.
        var served: (TemporaryDaemon, UInt16)?
        for _ in 0..<5 where served == nil {
            let port = UInt16.random(in: 20_000...30_000)
            let daemon = try Self.daemon(metrics: "  listen: 127.0.0.1:\(port)\n  interval_seconds: 1\n")
            if waitUntil(timeoutSeconds: 5, { daemon.log.contains("metrics served") }) {
                served = (daemon, port)
            } else {
                daemon.cleanUp()
            }
        }
        let (daemon, port) = try #require(served)
        defer { daemon.cleanUp() }
        _ = try daemon.client().result("status")
        #expect(waitUntil {
            (try? MetricsScrape(MetricsScrape.get(port: port).body))?["loyaltyd_till_requests_total{method=\"status\",outcome=\"ok\"}"] == 1
        })
    }

    @Test(.requires(TemporaryPostgres.binaries != nil, "PostgreSQL (apt-get install postgresql-15)"))
    func aChainBoxExportsItsSyncState() throws {
        let chain = try TemporaryChain()
        defer { chain.remove() }
        let box = try chain.addBox("m1", store: "store-m", start: false)
        let textfile = box.directory.file("loyaltyd.prom")
        let handle = try #require(FileHandle(forWritingAtPath: box.configPath))
        handle.seekToEndOfFile()
        handle.write(Data("\nmetrics:\n  textfile: \(textfile)\n  interval_seconds: 1\n".utf8))
        try handle.close()
        let started = Date().timeIntervalSince1970
        try box.start()

        // Online: the facts of an enrolment and a purchase are pushed, the last success is recent.
        _ = try box.client().result("member.enroll", .object([("card", Self.anna)]))
        let purchase: JSONValue = .object([("till_id", "lane-1"), ("transaction_id", "M-1"), ("card", Self.anna), ("total", "20.00")])
        _ = try box.client().result("purchase.commit", purchase)
        #expect(try chain.settled())
        #expect(waitUntil {
            guard let scrape = MetricsScrape.textfile(textfile) else { return false }
            return scrape["loyaltyd_chain_online"] == 1 && scrape["loyaltyd_chain_pending_facts"] == 0
                && (scrape["loyaltyd_chain_last_success_timestamp_seconds"] ?? 0) >= started.rounded(.down)
        }, "\(MetricsScrape.textfile(textfile)?.text ?? "no textfile")")
        #expect(MetricsScrape.textfile(textfile)?["loyaltyd_chain_quarantined_facts"] == 0)

        // The centre goes away: purchases wait in the outbox and the box counts as offline (after_ms: 1000).
        chain.centre.stop()
        let lastSuccess = try #require(MetricsScrape.textfile(textfile)?["loyaltyd_chain_last_success_timestamp_seconds"])
        let offline: JSONValue = .object([("till_id", "lane-1"), ("transaction_id", "M-2"), ("card", Self.anna), ("total", "10.00")])
        _ = try box.client().result("purchase.commit", offline)
        #expect(waitUntil(timeoutSeconds: 15) {
            guard let scrape = MetricsScrape.textfile(textfile) else { return false }
            return scrape["loyaltyd_chain_online"] == 0 && (scrape["loyaltyd_chain_pending_facts"] ?? 0) > 0
        }, "\(MetricsScrape.textfile(textfile)?.text ?? "no textfile")")
        #expect(MetricsScrape.textfile(textfile)?["loyaltyd_chain_last_success_timestamp_seconds"] == lastSuccess)
    }

    @Test func configCheckChecksTheMetricsSection() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        func check(_ lines: String) throws -> (status: Int32, stdout: String, stderr: String) {
            let path = database.directory.file("metrics.yaml")
            try (database.config.yaml + "\nmetrics:\n" + lines).write(toFile: path, atomically: true, encoding: .utf8)
            return try LoyaltydBinary.run(["config", "check", "--config", path])
        }
        let good = try check("  textfile: \(database.directory.file("loyaltyd.prom"))\n  listen: unix:/run/loyaltyd/metrics.sock\n")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("metrics: textfile \(database.directory.file("loyaltyd.prom")) every 15 s; served on unix:/run/loyaltyd/metrics.sock"))
        let refusals: [(String, String)] = [
            ("  listen: 0.0.0.0:9464\n", "metrics.listen: 0.0.0.0 is not a loopback address"),
            ("  listen: 192.168.1.5:9464\n", "metrics.listen: 192.168.1.5 is not a loopback address"),
            ("  listen: 127.0.0.1:99999\n", "metrics.listen: expected 127.0.0.1:PORT"),
            ("  textfile: \(database.directory.file("loyaltyd.txt"))\n", "metrics.textfile: node_exporter's textfile collector reads only files named *.prom"),
            ("  textfile: loyaltyd.prom\n", "metrics.textfile: give an absolute path"),
            ("  interval_seconds: 0\n  listen: localhost:9464\n", "metrics.interval_seconds"),
            ("  interval_seconds: 5\n", "metrics: give textfile, listen or both"),
            ("  textfile: /nonexistent/loyaltyd.prom\n", "metrics.textfile: the directory /nonexistent does not exist"),
            ("  port: 9464\n", "metrics.port: unknown key"),
        ]
        for (lines, message) in refusals {
            let result = try check(lines)
            #expect(result.status == 78, "\(lines)")
            #expect(result.stderr.contains(message), "\(lines): \(result.stderr)")
        }
    }
}
