import Logging
import LoyaltyConfig
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The metrics in the daemon's ServiceGroup: every interval it gathers a sample, sets the gauges and
/// rewrites the textfile; with `listen:` it also serves scrapes. It sleeps in between (no thread).
public struct MetricsService: Service {
    let options: MetricsOptions
    let metrics: LoyaltydMetrics
    let sample: @Sendable () async -> MetricsSample
    let group: any EventLoopGroup
    let logger: Logger

    /// - Parameters:
    ///   - sample: what the daemon is now; called once per interval, and once at start.
    ///   - group: the event loop the HTTP endpoint runs on (the daemon's own).
    public init(
        options: MetricsOptions, metrics: LoyaltydMetrics, group: any EventLoopGroup, logger: Logger,
        sample: @escaping @Sendable () async -> MetricsSample
    ) {
        self.options = options
        self.metrics = metrics
        self.sample = sample
        self.group = group
        self.logger = logger
    }

    public func run() async throws {
        var server: (any Channel)?
        if let endpoint = options.endpoint {
            let metrics = self.metrics
            do {
                server = try await MetricsHTTPServer.start(endpoint, group: group) { metrics.exposition() }
                logger.notice("metrics served", metadata: ["endpoint": "\(endpoint)"])
            } catch {
                // The tills matter more than the figures: the daemon goes on without the endpoint.
                logger.error("cannot serve metrics", metadata: ["endpoint": "\(endpoint)", "reason": "\(error)"])
            }
        }
        await cancelWhenGracefulShutdown { await sampleEveryInterval() }
        if let server {
            try? await server.close()
            if case .unixSocket(let path)? = options.endpoint { unlink(path) }
        }
    }

    /// Samples, sets the gauges and rewrites the textfile, then sleeps an interval; until cancelled.
    private func sampleEveryInterval() async {
        let textfile = options.textfile.map(MetricsTextfile.init(path:))
        var lastProblem: String?
        while !Task.isCancelled {
            metrics.update(with: await sample())
            if let textfile {
                do {
                    try textfile.write(metrics.exposition())
                    if lastProblem != nil { logger.notice("metrics textfile written again", metadata: ["path": "\(textfile.path)"]) }
                    lastProblem = nil
                } catch {
                    // Logged once per kind of failure, not every interval.
                    if lastProblem != "\(error)" { logger.error("cannot write the metrics textfile", metadata: ["reason": "\(error)"]) }
                    lastProblem = "\(error)"
                }
            }
            do {
                try await Task.sleep(for: .seconds(options.intervalSeconds))
            } catch {
                return
            }
        }
    }
}
