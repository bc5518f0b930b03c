import Foundation

/// Another user of the machine, for tests that use the till socket as someone other than the
/// daemon: created with useradd (and its groups with groupadd) when missing. Needs root; CI is root.
public struct TestUser: Sendable {
    public let name: String
    public let uid: UInt32
    public let gid: UInt32

    /// The user `name` (a system user without a home), member of exactly `groups` besides its own.
    public static func ensure(_ name: String, groups: [String] = []) throws -> TestUser {
        for group in groups { _ = try ensureGroup(group) }
        if getpwnam(name) == nil {
            try run(["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", name])
        }
        try run(["/usr/sbin/usermod", "-G", groups.joined(separator: ","), name])
        guard let entry = getpwnam(name) else { throw TestUserError(description: "useradd did not create \(name)") }
        return TestUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// The id of group `name`, created when missing.
    public static func ensureGroup(_ name: String) throws -> UInt32 {
        if getgrnam(name) == nil { try run(["/usr/sbin/groupadd", "--system", name]) }
        guard let entry = getgrnam(name) else { throw TestUserError(description: "groupadd did not create \(name)") }
        return entry.pointee.gr_gid
    }

    /// Connects to the till socket as this user (with its groups, as a login would have them),
    /// sends `request` and returns the first line answered, or `connect failed: ERRNO`.
    public func send(_ request: String, to socketPath: String) throws -> String {
        let script = """
            import errno, socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as error:
                print("connect failed:", errno.errorcode.get(error.errno, error.errno)); sys.exit(0)
            s.sendall(sys.argv[2].encode() + b"\\n")
            print(s.makefile().readline().strip())
            """
        return try Self.run(["/usr/bin/setpriv", "--reuid=\(name)", "--regid=\(gid)", "--init-groups", "/usr/bin/python3", "-c", script, socketPath, request])
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        try SystemCommand.run(arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct TestUserError: Error, CustomStringConvertible {
    public var description: String
}
