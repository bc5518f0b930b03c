import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy between the boxes and the centre that a test breaks on purpose: the network a
/// store really has. Boxes connect to ``port``; the link forwards to the centre unless told
/// otherwise:
/// - ``Mode/pass``: bytes flow both ways.
/// - ``Mode/silent``: a partition that says nothing. Connections stay open, no byte crosses, new
///   connections are accepted and then starve; only the box's own deadline can notice.
/// - ``Mode/reset``: every connection, open or new, is reset (RST), as a router that lost its state.
/// - ``Mode/cutMidway``: each connection is reset after a random number of bytes in each
///   direction, drawn from the seed: a query cut half-sent, or an answer cut after the centre
///   committed, so the box never learns that it did.
///
/// Plain POSIX sockets on threads of its own; nothing here shares the daemon's code.
public final class FaultyLink: @unchecked Sendable {
    public enum Mode: Sendable, Equatable { case pass, silent, reset, cutMidway }

    /// The port the boxes connect to, on 127.0.0.1.
    public let port: Int
    private let targetPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var mode: Mode = .pass
    private var generator: SeededGenerator
    private var closed = false
    private var counters: [String: Int] = [:]

    /// Listens on a free loopback port and forwards to `targetPort` on 127.0.0.1.
    public init(targetPort: Int, seed: UInt64) throws {
        self.targetPort = targetPort
        generator = SeededGenerator(seed: seed)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            Glibc.close(listener)
            throw TemporaryPostgresError("the faulty link cannot listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "faulty-link accept"
        thread.start()
    }

    /// Changes what the link does to traffic, for open connections and new ones.
    public func set(_ mode: Mode) {
        lock.withLock { self.mode = mode }
    }

    /// What the link did so far: `connections`, `resets`, `cuts`.
    public var counts: [String: Int] { lock.withLock { counters } }

    /// Stops accepting and ends every connection.
    public func close() {
        let first = lock.withLock {
            defer { closed = true }
            return !closed
        }
        if first {
            shutdown(listener, Int32(SHUT_RDWR))
            Glibc.close(listener)
        }
    }

    deinit { close() }

    private func count(_ name: String) {
        lock.withLock { counters[name, default: 0] += 1 }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let (current, isClosed) = lock.withLock { (mode, closed) }
            if isClosed {
                Self.reset(client)
                return
            }
            count("connections")
            if current == .reset {
                count("resets")
                Self.reset(client)
                continue
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                Self.reset(client)
                Glibc.close(server)
                continue
            }
            let thread = Thread { [self] in pump(client: client, server: server) }
            thread.name = "faulty-link pump"
            thread.start()
        }
    }

    /// Moves bytes both ways until either side closes or the mode says otherwise.
    private func pump(client: Int32, server: Int32) {
        var budgets = lock.withLock { [Int.random(in: 1...6_000, using: &generator), Int.random(in: 1...6_000, using: &generator)] }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        defer {
            Self.reset(client)
            Self.reset(server)
        }
        while true {
            let (current, isClosed) = lock.withLock { (mode, closed) }
            if isClosed { return }
            switch current {
            case .reset:
                count("resets")
                return
            case .silent:
                usleep(20_000)
                continue
            case .pass, .cutMidway:
                break
            }
            var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: server, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, 50) >= 0 || errno == EINTR else { return }
            for (index, (from, to)) in [(client, server), (server, client)].enumerated() where fds[index].revents != 0 {
                let read = recv(from, &buffer, buffer.count, 0)
                if read <= 0 { return }
                var length = read
                if current == .cutMidway {
                    if budgets[index] <= read {
                        length = budgets[index]
                        _ = Self.send(to, buffer, length)
                        count("cuts")
                        return
                    }
                    budgets[index] -= read
                }
                guard Self.send(to, buffer, length) else { return }
            }
        }
    }

    private static func send(_ socket: Int32, _ buffer: [UInt8], _ length: Int) -> Bool {
        var sent = 0
        while sent < length {
            let wrote = buffer.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, length - sent, Int32(MSG_NOSIGNAL)) }
            if wrote <= 0 { return false }
            sent += wrote
        }
        return true
    }

    /// Closes with RST rather than FIN: the peer sees "connection reset", as when a link dies.
    private static func reset(_ socket: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(socket)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
