import CoreMetrics
import Prometheus
import Synchronization

/// Every figure the daemon exports, recorded through swift-metrics into a Prometheus registry of its
/// own (no global bootstrap, so several daemons in one test process never share one). Requests and
/// latencies are recorded as they happen; the rest is set from a ``MetricsSample`` every interval.
public final class LoyaltydMetrics: Sendable {
    /// The methods whose latency is a histogram: the two a cashier waits for.
    public static let timedMethods: Set<String> = ["purchase.quote", "purchase.commit"]

    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let knownMethods: Set<String>
    private let rulesVersion = Mutex<(version: String, gauge: CoreMetrics.Gauge)?>(nil)

    /// - Parameters:
    ///   - version: the daemon's version, exported as `loyaltyd_build_info{version}`.
    ///   - methods: the till methods; any other name a till sends is counted as `unknown`, so a
    ///     hostile till cannot grow the label set.
    public init(version: String, methods: [String]) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        self.factory = factory
        knownMethods = Set(methods)
        CoreMetrics.Gauge(label: "loyaltyd_build_info", dimensions: [("version", version)], factory: factory).record(1)
    }

    /// One till request answered: `outcome` is `ok` or the error's reason (`unknown_card`, …).
    public func request(method: String, outcome: String, duration: Duration) {
        let method = knownMethods.contains(method) ? method : "unknown"
        CoreMetrics.Counter(label: "loyaltyd_till_requests_total", dimensions: [("method", method), ("outcome", outcome)], factory: factory).increment()
        if Self.timedMethods.contains(method) {
            let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
            CoreMetrics.Timer(label: "loyaltyd_till_request_duration_seconds", dimensions: [("method", method)], factory: factory)
                .recordNanoseconds(nanoseconds)
        }
    }

    /// Sets the gauges from `sample` and adds its card reads to the counters.
    public func update(with sample: MetricsSample) {
        gauge("loyaltyd_readers_present").record(sample.readersPresent)
        gauge("loyaltyd_readers_unusable").record(sample.readersUnusable)
        gauge("loyaltyd_till_connections").record(sample.tillConnections)
        gauge("loyaltyd_database_bytes").record(sample.databaseBytes)
        gauge("loyaltyd_database_wal_bytes").record(sample.walBytes)
        for reads in sample.newCardReads where reads.count > 0 {
            CoreMetrics.Counter(label: "loyaltyd_card_reads_total", dimensions: [("reader", reads.reader), ("result", reads.result)], factory: factory)
                .increment(by: reads.count)
        }
        if let chain = sample.chain {
            gauge("loyaltyd_chain_pending_facts").record(chain.pendingFacts)
            gauge("loyaltyd_chain_quarantined_facts").record(chain.quarantinedFacts)
            gauge("loyaltyd_chain_online").record(chain.online ? 1 : 0)
            if let last = chain.lastSuccessSeconds { gauge("loyaltyd_chain_last_success_timestamp_seconds").record(last) }
        }
        rulesVersion.withLock { current in
            guard current?.version != sample.rulesVersion else { return }
            current?.gauge.destroy()
            let gauge = CoreMetrics.Gauge(label: "loyaltyd_rules_version_info", dimensions: [("version", sample.rulesVersion)], factory: factory)
            gauge.record(1)
            current = (sample.rulesVersion, gauge)
        }
    }

    /// Everything, in the Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String {
        registry.emitToString()
    }

    private func gauge(_ name: String) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name, factory: factory)
    }
}
