import ChainSync
import LoyaltyDomain
import Logging
import LoyaltyConfig
import LoyaltyMetrics
import LoyaltyStore
import NIOCore
import NIOPosix
import ServiceLifecycle
import SystemdSupport
import TillProtocol
import TillServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The running daemon: the store, the program in force and every long-running part as a service
/// of one `ServiceGroup`, shut down gracefully on SIGTERM or SIGINT.
public struct Daemon: Sendable {
    /// What `loyaltyd serve` was given.
    public struct Options: Sendable {
        public var configuration: LoyaltyConfiguration
        public var socketOverride: String?
        public var databaseOverride: String?
        public var environment: [String: String]

        public init(configuration: LoyaltyConfiguration, socketOverride: String?, databaseOverride: String?, environment: [String: String]) {
            self.configuration = configuration
            self.socketOverride = socketOverride
            self.databaseOverride = databaseOverride
            self.environment = environment
        }
    }

    public let store: LoyaltyStore
    public let configuration: ActiveConfiguration
    public let events: EventHub
    let group: ServiceGroup
    let lifecycle: LifecycleService

    /// Runs until SIGTERM or SIGINT, then drains and closes everything.
    public func run() async throws {
        try await group.run()
        await store.record("daemon.stop", detail: "graceful shutdown", now: lifecycle.clock.now(), logger: lifecycle.logger)
        try store.close()
    }
}

/// Why the daemon could not start; printed as is, with exit status 1.
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
}

/// Builds the daemon from its options: opens and migrates the database, prepares the till socket
/// (from systemd or a path) and composes the services. Tests call this too.
public func buildDaemon(_ options: Daemon.Options, logger: Logger, clock: WallClock = .system) throws -> Daemon {
    let settings = options.configuration.overriding(socketPath: options.socketOverride, databasePath: options.databaseOverride)
    let notifier = SystemdNotifier(environment: options.environment)
    let startedAt = clock.now()

    let store: LoyaltyStore
    do {
        store = try LoyaltyStore(path: settings.databasePath, storeID: settings.storeID, migrate: false)
        let applied = try store.migrate()
        if !applied.isEmpty {
            logger.notice("database migrated", metadata: ["applied": "\(applied.joined(separator: ","))"])
        }
        if let masked = try store.bankCardsMaskedByMigration(), applied.contains(StoreSchema.bankCardMigration) {
            logger.warning("bank card numbers found stored as cards: blocked, values replaced by a masked marker", metadata: ["count": "\(masked)"])
        }
        try store.openCheckpointConnection()
    } catch {
        throw StartupError(description: "cannot open the database \(settings.databasePath): \(error)")
    }

    let listener = try tillListener(for: settings.tillSocket, environment: options.environment)
    let active = ActiveConfiguration(settings)
    let events = EventHub(logger: logger)
    let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    let connections = ConnectionRegistry()
    let readers = ReaderDirectory()
    let chain = try chainServices(settings: settings, store: store, active: active, eventLoop: eventLoops.next(), clock: clock, logger: logger)
    let status: @Sendable () async -> JSONValue = {
        await statusReport(
            store: store, configuration: active.value, startedAt: startedAt, clock: clock,
            connections: connections.count, subscribers: events.count, readers: readers, chain: chain?.link)
    }
    var api = TillAPI(store: store, configuration: active, events: events, clock: clock, status: status, logger: logger)
    let metrics = metricsParts(
        settings: settings, store: store, active: active, readers: readers, connections: connections, chain: chain?.link, clock: clock,
        group: eventLoops, logger: logger)
    api.metrics = metrics?.metrics
    if let chain, let options = settings.chain {
        api.offline = OfflineRedemptionGuard(link: chain.link, policy: options.offlineRedemption, store: store)
    }
    let server = TillServer(
        configuration: .init(
            listener: listener,
            peerPolicy: PeerPolicy(allowedUIDs: settings.tillSocket.allowedUIDs, allowedGIDs: settings.tillSocket.allowedGIDs),
            maximumConnections: settings.tillSocket.maximumConnections,
            maximumLineBytes: settings.tillSocket.maximumLineBytes,
            idleTimeout: settings.tillSocket.idleTimeoutMilliseconds == 0 ? nil : .milliseconds(settings.tillSocket.idleTimeoutMilliseconds),
            stallTimeout: .milliseconds(settings.tillSocket.stallTimeoutMilliseconds)),
        handler: api, registry: connections, eventLoopGroup: eventLoops, logger: logger,
        onListening: {
            logger.notice("loyaltyd \(LoyaltydVersion.current) ready", metadata: ["store": "\(settings.storeID)", "rules_version": "\(settings.program.version)"])
            notifier.ready(status: "serving tills on \(settings.tillSocket.path)")
        },
        onRefusal: { reason, peer in
            // Refused tills go to the event log: a technician sees who tried, and why they were turned away.
            await store.record(
                "till.refused", detail: "\(reason.rawValue) \(peer.map(\.description) ?? "unknown peer")", now: clock.now(), logger: logger)
        })

    let watchdog = WatchdogService(
        interval: WatchdogSchedule.pingInterval(environment: options.environment), notifier: notifier,
        isHealthy: { await store.health().state == "ok" }, logger: logger)
    let reload = ReloadService(
        configuration: active, store: store, clock: clock, overrides: (options.socketOverride, options.databaseOverride), notifier: notifier,
        logger: logger)
    let lifecycle = LifecycleService(store: store, notifier: notifier, clock: clock, logger: logger)
    let router = CardReadRouter(store: store, events: events, configuration: active, clock: clock, logger: logger)
    var readerServices: [ServiceGroupConfiguration.ServiceConfiguration] = []
    if settings.readers.contactlessEnabled {
        readerServices.append(.init(service: ContactlessReaderService(directory: readers, router: router, configuration: active, logger: logger)))
    } else {
        readers.set(ContactlessReaderService.kind, .init(state: "disabled", reason: "readers.contactless.enabled is false"))
    }
    if !settings.readers.usb.isEmpty {
        readerServices.append(.init(service: USBReaderService(directory: readers, router: router, configuration: active, logger: logger)))
    }

    // Shutdown runs in reverse order: lifecycle (STOPPING=1), the readers, then the till socket
    // drains, then the rest.
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
        .init(service: watchdog, successTerminationBehavior: .ignore),
        .init(service: reload),
        .init(service: CheckpointService(store: store, interval: .seconds(1), logger: logger)),
        .init(service: server),
    ]
    services += readerServices
    if let chain { services.append(.init(service: chain.service)) }
    if let metrics { services.append(.init(service: metrics.service)) }
    services.append(.init(service: lifecycle))
    let group = ServiceGroup(configuration: .init(
        services: services,
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    return Daemon(store: store, configuration: active, events: events, group: group, lifecycle: lifecycle)
}


/// The chain's sync service and the link state it keeps, when the config has a `chain:` section.
private func chainServices(
    settings: LoyaltyConfiguration, store: LoyaltyStore, active: ActiveConfiguration, eventLoop: any EventLoop, clock: WallClock,
    logger: Logger
) throws -> (service: ChainSyncService, link: ChainLink)? {
    guard let options = settings.chain else { return nil }
    let address: CentralDatabaseAddress
    do {
        address = try CentralDatabaseAddress(options)
    } catch {
        throw StartupError(description: error.description)
    }
    let link = ChainLink(startedAtMilliseconds: clock.now(), offlineAfterMilliseconds: options.offlineAfterMilliseconds)
    let service = ChainSyncService(
        store: store, transport: PostgresChainTransport(address: address, eventLoop: eventLoop, logger: logger), link: link,
        batchSize: options.batchSize, intervalMilliseconds: options.intervalMilliseconds,
        rulesVersion: { active.value.program.version }, daemonVersion: LoyaltydVersion.current, clock: clock, logger: logger)
    return (service, link)
}

/// The socket systemd passed, or the configured path with its group resolved.
private func tillListener(for socket: LoyaltyConfiguration.TillSocketOptions, environment: [String: String]) throws -> TillListener {
    let passed = SocketActivation.passedDescriptors(environment: environment)
    if let descriptor = passed.first {
        SocketActivation.consume(passed)
        guard SocketActivation.isListeningUnixStream(descriptor) else {
            throw StartupError(description: "systemd passed fd \(descriptor), which is not a listening Unix stream socket; check loyaltyd.socket")
        }
        return .inherited(descriptor: descriptor)
    }
    var groupID: UInt32?
    if !socket.group.isEmpty {
        guard let entry = getgrnam(socket.group) else {
            throw StartupError(description: "till_socket.group: no group named \"\(socket.group)\" on this machine")
        }
        groupID = entry.pointee.gr_gid
    }
    return .path(socket.path, mode: socket.mode, groupID: groupID)
}
