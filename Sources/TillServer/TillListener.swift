#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the till socket comes from.
public enum TillListener: Sendable, Hashable {
    /// The daemon creates the socket file at `path` with `mode` and group `groupID` (nil: its own).
    case path(String, mode: UInt32, groupID: UInt32?)
    /// systemd created and bound it (socket activation) and passed this descriptor.
    case inherited(descriptor: Int32)
}

/// Why the till socket could not be opened.
public struct TillListenerError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension TillListener {
    /// Fails when another process already answers on `path`, so two daemons never fight over a
    /// socket; removes a stale socket file left by a crash.
    static func prepare(path: String) throws(TillListenerError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard (status.st_mode & S_IFMT) == S_IFSOCK else {
            throw TillListenerError(description: "\(path) exists and is not a socket; remove it or choose another till_socket.path")
        }
        if isAnswering(path: path) {
            throw TillListenerError(description: "another process is already listening on \(path) (is loyaltyd already running?)")
        }
        unlink(path)
    }

    private static func isAnswering(path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix(107)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// Gives the new socket file its configured mode and group.
    static func applyPermissions(path: String, mode: UInt32, groupID: UInt32?) throws(TillListenerError) {
        if let groupID, chown(path, uid_t.max, groupID) != 0 {
            throw TillListenerError(description: "cannot give \(path) group id \(groupID): \(String(cString: strerror(errno)))")
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            throw TillListenerError(description: "cannot set mode \(String(mode, radix: 8)) on \(path): \(String(cString: strerror(errno)))")
        }
    }
}
