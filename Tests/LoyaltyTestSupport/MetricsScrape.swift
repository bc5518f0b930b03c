import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The Prometheus text exposition read back: each sample line `name{labels} value` as its series
/// (`name{labels}` exactly as written) and value. Comment lines are kept apart.
public struct MetricsScrape: Sendable {
    public let text: String
    public let values: [String: Double]

    public init(_ text: String) throws {
        self.text = text
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw MetricsScrapeError(description: "not a sample line: \(line)")
            }
            values[String(line[..<space])] = value
        }
        self.values = values
    }

    /// The value of a series, such as `loyaltyd_till_requests_total{method="status",outcome="ok"}`.
    public subscript(series: String) -> Double? { values[series] }

    /// Reads the textfile at `path`; nil while there is none.
    public static func textfile(_ path: String) -> MetricsScrape? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return try? MetricsScrape(text)
    }

    /// `GET path` over HTTP/1.0 on a Unix socket or a loopback TCP port; the status code and body.
    public static func get(unixSocket socketPath: String? = nil, port: UInt16? = nil, path: String = "/metrics") throws -> (status: Int, body: String) {
        let descriptor: Int32
        if let socketPath {
            descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { close(descriptor); throw MetricsScrapeError(description: "cannot connect to \(socketPath)") }
        } else {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = (port ?? 0).bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { close(descriptor); throw MetricsScrapeError(description: "cannot connect to 127.0.0.1:\(port ?? 0)") }
        }
        defer { close(descriptor) }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: localhost\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw MetricsScrapeError(description: "cannot send the request")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else {
            throw MetricsScrapeError(description: "not an HTTP response: \(text.prefix(200))")
        }
        return (status, String(text[headerEnd.upperBound...]))
    }
}

public struct MetricsScrapeError: Error, CustomStringConvertible {
    public var description: String
}
