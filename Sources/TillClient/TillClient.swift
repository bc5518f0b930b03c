#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TillProtocol

/// A plain blocking client of the till socket: what `loyaltyd status`, the tests and the
/// benchmark use to talk to a running daemon exactly as a till would.
///
/// One request at a time per client; notifications that arrive while waiting for a response
/// are kept and returned by ``nextNotification(timeoutMilliseconds:)``.
public final class TillClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var pendingNotifications: [JSONValue] = []
    private var nextID: Int64 = 1

    /// Connects to the socket at `path`.
    public init(path: String) throws(TillClientError) {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw .system("socket path too long", ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw .cannotConnect(path, code)
        }
    }

    deinit {
        close(descriptor)
    }

    /// Calls `method` and returns the whole response object (with `result` or `error`).
    public func call(_ method: String, _ params: JSONValue? = nil, timeoutMilliseconds: Int32 = 10_000) throws(TillClientError) -> JSONValue {
        let id = nextID
        nextID += 1
        var request: [(String, JSONValue)] = [("jsonrpc", "2.0"), ("id", .integer(id)), ("method", .string(method))]
        if let params { request.append(("params", params)) }
        try sendLine(JSONWriter.bytes(of: .object(request)))
        while true {
            let message = try readMessage(timeoutMilliseconds: timeoutMilliseconds)
            if message["id"] == nil, message["method"] != nil {
                pendingNotifications.append(message)
                continue
            }
            return message
        }
    }

    /// Calls `method` and returns its `result`, or throws the daemon's error.
    public func result(_ method: String, _ params: JSONValue? = nil, timeoutMilliseconds: Int32 = 10_000) throws(TillClientError) -> JSONValue {
        let response = try call(method, params, timeoutMilliseconds: timeoutMilliseconds)
        if let result = response["result"] { return result }
        throw .rpc(response["error"] ?? .null)
    }

    /// Sends raw bytes as they are (no newline added): for tests of hostile input.
    public func sendRaw(_ bytes: [UInt8]) throws(TillClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw .system("send", errno) }
            offset += sent
        }
    }

    /// Shuts down the sending side, as a till that has sent its last request may.
    public func shutdownWriting() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    public func sendLine(_ bytes: [UInt8]) throws(TillClientError) {
        try sendRaw(bytes + [UInt8(ascii: "\n")])
    }

    /// The next line from the daemon, parsed.
    public func readMessage(timeoutMilliseconds: Int32 = 10_000) throws(TillClientError) -> JSONValue {
        let line = try readLine(timeoutMilliseconds: timeoutMilliseconds)
        do {
            return try JSONParser.parse(line)
        } catch {
            throw .malformedResponse(String(decoding: line, as: UTF8.self))
        }
    }

    /// The next notification (`card.read`, `reader.added` …), waiting up to the timeout.
    public func nextNotification(timeoutMilliseconds: Int32 = 10_000) throws(TillClientError) -> JSONValue {
        if !pendingNotifications.isEmpty { return pendingNotifications.removeFirst() }
        return try readMessage(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// The next raw line, without its newline. Throws ``TillClientError/closed`` at end of stream.
    public func readLine(timeoutMilliseconds: Int32 = 10_000) throws(TillClientError) -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, timeoutMilliseconds)
            guard ready > 0 else {
                if ready < 0, errno == EINTR { continue }
                throw ready == 0 ? .timedOut : .system("poll", errno)
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { throw .closed }
            guard count > 0 else {
                if errno == EINTR { continue }
                throw .system("recv", errno)
            }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Whether the daemon has closed the connection (reads end of stream within the timeout).
    public func isClosedByPeer(timeoutMilliseconds: Int32 = 5_000) -> Bool {
        do {
            _ = try readLine(timeoutMilliseconds: timeoutMilliseconds)
            return false
        } catch {
            if case .closed = error { return true }
            if case .system(_, let code) = error, code == ECONNRESET { return true }
            return false
        }
    }
}

/// Why a till call failed.
public enum TillClientError: Error, CustomStringConvertible {
    case cannotConnect(String, Int32)
    case system(String, Int32)
    case timedOut
    case closed
    case malformedResponse(String)
    /// The daemon answered with this JSON-RPC error object.
    case rpc(JSONValue)

    public var description: String {
        switch self {
        case .cannotConnect(let path, let code): "cannot connect to \(path): \(String(cString: strerror(code)))"
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .timedOut: "no answer from the daemon in time"
        case .closed: "the daemon closed the connection"
        case .malformedResponse(let text): "the daemon sent something that is not JSON: \(text.prefix(200))"
        case .rpc(let error): "the daemon answered with an error: \(JSONWriter.string(of: error))"
        }
    }

    /// The `reason` of an RPC error, if this is one.
    public var reason: String? {
        guard case .rpc(let error) = self, case .string(let reason)? = error["data"]?["reason"] else { return nil }
        return reason
    }
}
