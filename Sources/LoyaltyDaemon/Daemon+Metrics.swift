import ChainSync
import Logging
import LoyaltyConfig
import LoyaltyDomain
import LoyaltyMetrics
import LoyaltyStore
import NIOCore
import Synchronization
import TillProtocol
import TillServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The metrics of a daemon whose configuration has a `metrics:` section: the figures (given to the
/// till API, which records requests) and the service that samples, writes and serves them.
func metricsParts(
    settings: LoyaltyConfiguration, store: LoyaltyStore, active: ActiveConfiguration, readers: ReaderDirectory,
    connections: ConnectionRegistry, chain: ChainLink?, clock: WallClock, group: any EventLoopGroup, logger: Logger
) -> (metrics: LoyaltydMetrics, service: MetricsService)? {
    guard let options = settings.metrics else { return nil }
    let metrics = LoyaltydMetrics(version: LoyaltydVersion.current, methods: TillCall.methods)
    let eventCursor = Mutex<Int64?>(nil)
    let service = MetricsService(options: options, metrics: metrics, group: group, logger: logger) {
        let figures = try? await store.metricsFigures(afterEventSequence: eventCursor.withLock { $0 }, chain: chain != nil)
        if let figures { eventCursor.withLock { $0 = figures.lastEventSequence } }
        let listed = readers.readers
        let nowMilliseconds = clock.now()
        return MetricsSample(
            readersPresent: listed.count, readersUnusable: listed.filter { $0.problem != nil }.count,
            tillConnections: connections.count, databaseBytes: fileSize(store.path), walBytes: fileSize(store.path + "-wal"),
            rulesVersion: active.value.program.version,
            newCardReads: figures?.cardReads.map { .init(reader: $0.reader, result: $0.result, count: $0.count) } ?? [],
            chain: chain.map { link in
                let state = link.current
                return MetricsSample.Chain(
                    pendingFacts: figures?.chainPending ?? 0, quarantinedFacts: figures?.chainQuarantined ?? 0,
                    lastSuccessSeconds: state.lastContactMilliseconds.map { Double($0) / 1000 },
                    online: link.offlineSince(nowMilliseconds: nowMilliseconds) == nil)
            })
    }
    return (metrics, service)
}

/// The size of the file at `path` in bytes; 0 when there is none (no WAL between checkpoints).
private func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : 0
}
