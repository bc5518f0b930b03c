import Foundation
import LoyaltyTestSupport
import Testing
import TillClient
import TillProtocol

/// Signals, systemd integration and the command line, against the real binary.
@Suite struct DaemonLifecycleTests {
    @Test func sigtermStopsCleanly() throws {
        let daemon = try TemporaryDaemon().start()
        _ = try daemon.client().result("status")
        #expect(daemon.stop() == 0)
        #expect(daemon.notifications.messages.contains("STOPPING=1"))
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "the socket file is removed")
        let events = SQLiteShell(path: daemon.databasePath).run("SELECT kind FROM events ORDER BY seq;")
        #expect(events.split(separator: "\n") == ["daemon.start", "daemon.stop"])
        #expect(SQLiteShell(path: daemon.databasePath).run("PRAGMA integrity_check;").hasPrefix("ok"))
    }

    @Test func pingsTheWatchdogAndLogsWithJournaldPriorities() throws {
        let daemon = try TemporaryDaemon()
        try daemon.start(environment: ["WATCHDOG_USEC": "200000", "JOURNAL_STREAM": "8:12345"])
        #expect(daemon.notifications.waitFor("WATCHDOG=1", timeoutSeconds: 5))
        #expect(daemon.log.contains("<5>loyaltyd 0."), "notice-level lines carry <5>")
        #expect(daemon.log.contains("<6>till socket: listening"), "info-level lines carry <6>")
        #expect(daemon.stop() == 0)
    }

    @Test func sighupReloadsAValidConfigAndKeepsTheOldOneOtherwise() throws {
        // --database on the command line stays in force across reloads.
        let daemon = try TemporaryDaemon()
        try daemon.start(extraArguments: ["--database", daemon.databasePath])
        let till = try daemon.client()
        let before = try till.result("status")["rules_version"]

        try daemon.config.yaml.replacingOccurrences(of: "earn_percent: \"3\"", with: "earn_percent: \"4\"")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.send(signal: SIGHUP)
        #expect(try waitUntil { try till.result("status")["rules_version"] != before })
        let changed = try till.result("status")["rules_version"]

        try "store:\n  id: test-store\ncurrency: [".write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.send(signal: SIGHUP)
        #expect(waitUntil { daemon.log.contains("configuration reload refused") })
        #expect(try till.result("status")["rules_version"] == changed)
        #expect(daemon.isRunning)
    }

    @Test(.requires(FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate"), "systemd-socket-activate (package systemd)"))
    func takesItsSocketFromSystemdSocketActivation() throws {
        // systemd-socket-activate binds the socket and starts the daemon on the first connection,
        // as loyaltyd.socket does: a till that connects before the daemon runs is answered.
        let daemon = try TemporaryDaemon()
        try daemon.start(
            launcher: ["/usr/bin/systemd-socket-activate", "-l", daemon.socketPath, "-E", "NOTIFY_SOCKET=\(daemon.notifications.path)"],
            waitForReady: false)
        #expect(waitUntil { FileManager.default.fileExists(atPath: daemon.socketPath) })
        let till = try daemon.client()
        #expect(try till.result("status")["store_id"] == "test-store")
        #expect(daemon.notifications.waitFor("READY=1"))
        #expect(daemon.log.contains("using the socket passed by systemd"))
        #expect(daemon.stop() == 0)
    }

    @Test(.requires(TestEnvironment.isRoot, "root, to connect as another user"))
    func aPeerTheConfigDoesNotAllowIsRefused() throws {
        let daemon = try TemporaryDaemon {
            $0.group = "nogroup"
            $0.allowedUIDs = [4242]
        }
        chmod(daemon.directory.path, 0o711)
        try daemon.start()
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"status"}\\n')
            print(s.makefile().readline().strip())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, daemon.socketPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.contains("\"permission_denied\""), "\(text)")
        #expect(daemon.log.contains("refused a connection from a peer the config does not allow"))
        #expect(SQLiteShell(path: daemon.databasePath).run("SELECT detail FROM events WHERE kind = 'till.refused';").contains("permission_denied pid="))
        #expect(try daemon.client().result("status")["store_id"] == "test-store", "root is always allowed")
    }

    @Test func anInvalidConfigIsRefusedWithFileLineAndKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("bad.yaml")
        try "store:\n  id: s1\ncurrency:\n  code: EUR\nprogram:\n  rounding: sideways\n".write(toFile: path, atomically: true, encoding: .utf8)
        let serve = try LoyaltydBinary.run(["serve", "--config", path])
        #expect(serve.status == 78)
        #expect(serve.stderr.contains("\(path):6: program.rounding:"))
        let check = try LoyaltydBinary.run(["config", "check", "--config", path])
        #expect(check.status == 78)
    }

    @Test func helpNamesEveryCommand() throws {
        let help = try LoyaltydBinary.run(["--help"])
        #expect(help.status == 0)
        for command in ["serve", "status", "db", "config"] {
            #expect(help.stdout.contains(command))
        }
        #expect(try LoyaltydBinary.run(["--version"]).stdout.hasPrefix("0."))
    }
}
