import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// Issue 7, item 4: who may use the till socket. The file gets the configured group and mode 0660
/// (under systemd, loyaltyd.socket gives the same); users outside the group cannot even connect;
/// a user the configuration does not allow is refused and the refusal logged. Real users, created
/// with useradd (root only, as in CI), connect with their own credentials.
@Suite(.serialized) struct SocketAccessTests {
    static let socketGroup = "lyd-socket"
    static let tillGroup = "lyd-tills"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let status = #"{"jsonrpc":"2.0","id":1,"method":"status"}"#

    /// `lyd-till` (in the socket group and the tills' group), `lyd-intruder` (in the socket group
    /// only) and `lyd-stranger` (in neither).
    func users() throws -> (till: TestUser, intruder: TestUser, stranger: TestUser) {
        (try TestUser.ensure("lyd-till", groups: [Self.socketGroup, Self.tillGroup]),
         try TestUser.ensure("lyd-intruder", groups: [Self.socketGroup]),
         try TestUser.ensure("lyd-stranger"))
    }

    func refusals(_ daemon: TemporaryDaemon) -> [String] {
        SQLiteShell(path: daemon.databasePath).run("SELECT detail FROM events WHERE kind = 'till.refused';")
            .split(separator: "\n").map(String.init)
    }

    @Test(.requires(TestEnvironment.isRoot, "root, to create users and connect as them"))
    func theSocketHasTheConfiguredGroupAndModeAndOnlyAllowedUsersGetIn() throws {
        let (till, intruder, stranger) = try users()
        let socketGID = try TestUser.ensureGroup(Self.socketGroup)
        let tillGID = try TestUser.ensureGroup(Self.tillGroup)
        let daemon = try TemporaryDaemon {
            $0.group = Self.socketGroup
            $0.allowedGIDs = [tillGID]
        }
        defer { daemon.cleanUp() }
        chmod(daemon.directory.path, 0o711)  // others may reach the socket file; its mode decides
        try daemon.start()

        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0)
        #expect(info.st_gid == socketGID, "the socket file has the configured group")
        #expect(info.st_mode & 0o777 == 0o660, "and mode 0660")

        // Outside the socket's group: the kernel refuses the connection; the daemon never sees it.
        let strangerAnswer = try stranger.send(Self.status, to: daemon.socketPath)
        #expect(strangerAnswer == "connect failed: EACCES", "\(strangerAnswer)")
        // In the socket's group but not in allowed_gids: connected, refused, logged.
        let intruderAnswer = try intruder.send(Self.status, to: daemon.socketPath)
        #expect(intruderAnswer.contains(#""reason":"permission_denied""#), "\(intruderAnswer)")
        #expect(intruderAnswer.contains(#""code":1014"#))
        // In allowed_gids through a supplementary group: served.
        let tillAnswer = try till.send(Self.status, to: daemon.socketPath)
        #expect(tillAnswer.contains(#""store_id":"test-store""#), "\(tillAnswer)")

        #expect(daemon.log.contains("refused a connection from a peer the config does not allow"))
        #expect(daemon.log.contains("uid=\(intruder.uid)"), "the log names the refused uid")
        let refused = refusals(daemon)
        #expect(refused.count == 1 && refused.first?.contains("permission_denied") == true && refused.first?.contains("uid=\(intruder.uid)") == true,
                "\(refused)")
        StressRun.report("socket_access", [
            "mode": String(info.st_mode & 0o777, radix: 8), "group": Self.socketGroup, "outsider": strangerAnswer.hasSuffix("EACCES") ? "EACCES_at_connect" : strangerAnswer,
            "not_allowed": "permission_denied", "allowed": "served", "refusals_logged": refused.count,
        ])
    }

    @Test(.requires(TestEnvironment.isRoot, "root, to create users and connect as them"), .requires(FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate"), "systemd-socket-activate (package systemd)"))
    func aUserNotAllowedIsRefusedAlsoOnTheSocketSystemdPasses() throws {
        let (till, intruder, _) = try users()
        let daemon = try TemporaryDaemon { $0.allowedUIDs = [till.uid] }
        defer { daemon.cleanUp() }
        chmod(daemon.directory.path, 0o711)
        try daemon.start(
            launcher: ["/usr/bin/systemd-socket-activate", "-l", daemon.socketPath, "-E", "NOTIFY_SOCKET=\(daemon.notifications.path)"],
            waitForReady: false)
        #expect(waitUntil { FileManager.default.fileExists(atPath: daemon.socketPath) })
        // systemd would create it 0660 for group loyaltyd; here every user can open it, so the
        // daemon's own check is all that stands between the socket and a user.
        chmod(daemon.socketPath, 0o666)
        let intruderAnswer = try intruder.send(Self.status, to: daemon.socketPath)
        #expect(intruderAnswer.contains(#""reason":"permission_denied""#), "\(intruderAnswer)")
        let tillAnswer = try till.send(Self.status, to: daemon.socketPath)
        #expect(tillAnswer.contains(#""store_id":"test-store""#), "\(tillAnswer)")
        #expect(daemon.log.contains("using the socket passed by systemd"))
        #expect(refusals(daemon).contains { $0.contains("uid=\(intruder.uid)") })
    }

    @Test func theShippedSocketUnitGivesGroupLoyaltydAndMode0660() throws {
        let unit = try String(contentsOfFile: Self.repository.appendingPathComponent("systemd/loyaltyd.socket").path, encoding: .utf8)
        let settings = Dictionary(
            unit.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }
                .map { line -> (String, String) in
                    let parts = line.split(separator: "=", maxSplits: 1)
                    return (String(parts[0]), String(parts[1]))
                },
            uniquingKeysWith: { first, _ in first })
        #expect(settings["SocketMode"] == "0660")
        #expect(settings["SocketGroup"] == "loyaltyd")
        #expect(settings["SocketUser"] == "loyaltyd")
        #expect(settings["ListenStream"] == "/run/loyaltyd/till.sock")
        #expect(settings["Accept"] == "no", "one daemon serves every connection, so its peer check sees them all")
        let example = try String(contentsOfFile: Self.repository.appendingPathComponent("config/loyaltyd.yaml").path, encoding: .utf8)
        #expect(example.contains("  path: /run/loyaltyd/till.sock"), "the example config names the same socket")
        #expect(example.contains("  mode: \"0660\""))
    }
}
