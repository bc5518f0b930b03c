import Foundation

/// The receiving end of `$NOTIFY_SOCKET`, as systemd has it: a datagram Unix socket that collects
/// the daemon's `READY=1`, `STATUS=…`, `WATCHDOG=1` and `STOPPING=1` messages.
public final class NotifySocketListener: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32
    private let lock = NSLock()
    private var received: [String] = []

    /// Binds a socket at `path`; a path starting with `@` is abstract.
    public init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard result == 0 else {
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    deinit {
        close(descriptor)
    }

    /// Every message received so far, in order.
    public var messages: [String] {
        drain(timeoutMilliseconds: 0)
        return lock.withLock { received }
    }

    /// Waits until a message containing `line` arrives (as one of its lines) at index `from` or
    /// later of ``messages``; `false` on timeout.
    public func waitFor(_ line: String, from first: Int = 0, timeoutSeconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            if lock.withLock({ received.dropFirst(first).contains { $0.split(separator: "\n").contains(Substring(line)) } }) { return true }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            drain(timeoutMilliseconds: Int32(min(left, 0.2) * 1000))
        }
    }

    private func drain(timeoutMilliseconds: Int32) {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        var timeout = timeoutMilliseconds
        while poll(&poller, 1, timeout) > 0 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            let message = String(decoding: buffer[..<count], as: UTF8.self)
            lock.withLock { received.append(message) }
            timeout = 0
        }
    }
}
