/// Reads the `metrics:` section; every mistake names its line and key.
enum MetricsReader {
    static func read(_ section: ConfigNode) throws(ConfigProblem) -> MetricsOptions? {
        guard section.isPresent else { return nil }
        try section.mapping(allowed: ["textfile", "interval_seconds", "listen"])
        let textfile = try section["textfile"].text()
        if let textfile {
            guard textfile.hasPrefix("/") else { throw section["textfile"].problem("give an absolute path (node_exporter reads a directory of its own)") }
            guard textfile.hasSuffix(".prom"), !textfile.hasSuffix("/.prom") else {
                throw section["textfile"].problem("node_exporter's textfile collector reads only files named *.prom")
            }
        }
        let endpoint = try section["listen"].text().map { text throws(ConfigProblem) in try Self.endpoint(text, node: section["listen"]) }
        guard textfile != nil || endpoint != nil else { throw section.problem("give textfile, listen or both") }
        return MetricsOptions(
            textfile: textfile, intervalSeconds: try section["interval_seconds"].integer(in: 1...3_600) ?? 15, endpoint: endpoint)
    }

    /// `unix:/PATH`, `127.0.0.1:9464`, `localhost:9464` or `[::1]:9464`.
    static func endpoint(_ text: String, node: ConfigNode) throws(ConfigProblem) -> MetricsOptions.Endpoint {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard path.hasPrefix("/"), path.utf8.count <= 107 else { throw node.problem("expected unix:/ABSOLUTE/PATH of at most 107 bytes") }
            return .unixSocket(path: path)
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            throw node.problem("expected 127.0.0.1:PORT, [::1]:PORT, localhost:PORT or unix:/PATH")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard host == "localhost" || host == "::1" || (octets.count == 4 && octets[0] == 127 && !host.contains(" ")) else {
            throw node.problem("\(host) is not a loopback address: metrics are served on 127.0.0.1, [::1] or a Unix socket only")
        }
        return .loopback(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    }
}
