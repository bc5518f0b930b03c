/// The `metrics:` section: what the daemon tells Prometheus. Without the section it writes and
/// serves nothing.
public struct MetricsOptions: Sendable, Hashable {
    /// Where an HTTP scrape endpoint listens: never beyond this machine.
    public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// A loopback address (127.0.0.0/8, ::1 or localhost) and port.
        case loopback(host: String, port: Int)
        /// A Unix stream socket, for a local proxy or node_exporter's neighbour.
        case unixSocket(path: String)

        public var description: String {
            switch self {
            case .loopback(let host, let port): host.contains(":") ? "http://[\(host)]:\(port)/metrics" : "http://\(host):\(port)/metrics"
            case .unixSocket(let path): "unix:\(path) (GET /metrics)"
            }
        }
    }

    /// The file node_exporter's textfile collector reads (`*.prom`), rewritten atomically every interval.
    public var textfile: String?
    /// How often the figures are gathered and the textfile rewritten.
    public var intervalSeconds: Int
    public var endpoint: Endpoint?

    public init(textfile: String?, intervalSeconds: Int, endpoint: Endpoint?) {
        self.textfile = textfile
        self.intervalSeconds = intervalSeconds
        self.endpoint = endpoint
    }
}
