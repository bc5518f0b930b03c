#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sockets passed by systemd socket activation (`LISTEN_FDS`, `LISTEN_PID`), as `sd_listen_fds` finds them.
public enum SocketActivation {
    /// The first passed descriptor is always 3.
    public static let firstDescriptor: Int32 = 3

    /// The descriptors passed to this process, or an empty list when not socket-activated.
    /// Descriptors meant for another process (`LISTEN_PID` differs) are ignored.
    public static func passedDescriptors(environment: [String: String], processID: Int32 = getpid()) -> [Int32] {
        guard let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid == processID,
              let countText = environment["LISTEN_FDS"], let count = Int32(countText), count > 0, count < 64
        else { return [] }
        return (0..<count).map { firstDescriptor + $0 }
    }

    /// Removes the activation variables so that child processes do not think they were activated,
    /// and marks the descriptors close-on-exec.
    public static func consume(_ descriptors: [Int32]) {
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        for descriptor in descriptors {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Whether `descriptor` is a listening Unix stream socket, the only kind the till socket can be.
    public static func isListeningUnixStream(_ descriptor: Int32) -> Bool {
        var type: Int32 = 0
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue) else { return false }
        length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else { return false }
        var address = sockaddr_storage()
        var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &addressLength) }
        }
        return named == 0 && address.ss_family == sa_family_t(AF_UNIX)
    }
}
