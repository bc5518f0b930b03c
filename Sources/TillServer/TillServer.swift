import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TillProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The till socket: accepts connections, reads line-delimited JSON-RPC and hands each line to the
/// daemon's ``TillRequestHandler``.
///
/// Each connection runs in its own child task of a discarding task group, so one bad client never
/// touches another. On graceful shutdown the server stops accepting, closes idle connections and
/// lets a request in flight (a commit) finish and be answered before its connection closes.
public struct TillServer: Service {
    public struct Configuration: Sendable {
        public var listener: TillListener
        public var peerPolicy: PeerPolicy
        public var maximumConnections: Int
        public var maximumLineBytes: Int
        /// A connection with nothing received or sent for this long, no request executing and no
        /// subscription is closed; `nil` never closes an idle connection.
        public var idleTimeout: Duration?
        /// A line unfinished, or output unread by the till, for this long closes the connection;
        /// `nil` waits for ever.
        public var stallTimeout: Duration?

        public init(
            listener: TillListener, peerPolicy: PeerPolicy, maximumConnections: Int, maximumLineBytes: Int,
            idleTimeout: Duration? = nil, stallTimeout: Duration? = nil
        ) {
            self.listener = listener
            self.peerPolicy = peerPolicy
            self.maximumConnections = maximumConnections
            self.maximumLineBytes = maximumLineBytes
            self.idleTimeout = idleTimeout
            self.stallTimeout = stallTimeout
        }
    }

    private struct Accepted: Sendable {
        var channel: NIOAsyncChannel<TillFrame, ByteBuffer>
        var peer: PeerCredentials?
        var activity: ConnectionActivity
    }

    let configuration: Configuration
    let handler: any TillRequestHandler
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let onListening: @Sendable () -> Void
    let onRefusal: @Sendable (_ reason: RPCError.Reason, _ peer: PeerCredentials?) async -> Void
    let registry: ConnectionRegistry

    public init(
        configuration: Configuration, handler: any TillRequestHandler, registry: ConnectionRegistry = ConnectionRegistry(),
        eventLoopGroup: any EventLoopGroup,
        logger: Logger, onListening: @escaping @Sendable () -> Void = {},
        onRefusal: @escaping @Sendable (_ reason: RPCError.Reason, _ peer: PeerCredentials?) async -> Void = { _, _ in }
    ) {
        self.onRefusal = onRefusal
        self.registry = registry
        self.configuration = configuration
        self.handler = handler
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let server = try await bind()
        onListening()
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        let executor = EventLoopTaskExecutor(accepted.channel.channel.eventLoop)
                        group.addTask(executorPreference: executor) { await self.serve(accepted) }
                    }
                }
            }
        } onGracefulShutdown: {
            logger.info("till socket: no longer accepting; finishing requests in flight")
            server.channel.close(promise: nil)
            registry.drain()
        }
        if case .path(let path, _, _) = configuration.listener { unlink(path) }
        logger.info("till socket closed")
    }

    private func bind() async throws -> NIOAsyncChannel<Accepted, Never> {
        let maximumLineBytes = configuration.maximumLineBytes
        let idleTimeout = configuration.idleTimeout.map(TimeAmount.init)
        let stallTimeout = configuration.stallTimeout.map(TimeAmount.init)
        let logger = logger
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 64)
            // A till that shuts down its sending side after its last request still gets every answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Accepted> = { channel in
            Self.peerCredentials(of: channel).flatMapThrowing { peer in
                let activity = ConnectionActivity()
                try channel.pipeline.syncOperations.addHandlers(
                    ConnectionDeadlineHandler(idleTimeout: idleTimeout, stallTimeout: stallTimeout, activity: activity, logger: logger),
                    ByteToMessageHandler(LineFrameDecoder(maximumLineBytes: maximumLineBytes)))
                return Accepted(
                    channel: try NIOAsyncChannel(wrappingChannelSynchronously: channel), peer: peer, activity: activity)
            }
        }
        switch configuration.listener {
        case .inherited(let descriptor):
            logger.info("till socket: using the socket passed by systemd", metadata: ["fd": "\(descriptor)"])
            return try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        case .path(let path, let mode, let groupID):
            try TillListener.prepare(path: path)
            // The socket file is created without any access for others, then given its mode and group.
            let previous = umask(0o177)
            defer { umask(previous) }
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
            try TillListener.applyPermissions(path: path, mode: mode, groupID: groupID)
            logger.info("till socket: listening", metadata: ["path": "\(path)", "mode": "\(String(mode, radix: 8))"])
            return channel
        }
    }

    private static func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { Optional($0) }.recover { _ in nil }
    }

    private func serve(_ accepted: Accepted) async {
        let peer = accepted.peer
        do {
            try await accepted.channel.executeThenClose { inbound, outbound in
                guard configuration.peerPolicy.allows(peer, groups: PeerCredentials.groups(ofUser:)) else {
                    accepted.activity.refuse()
                    logger.warning("till socket: refused a connection from a peer the config does not allow", metadata: ["peer": "\(peer.map(\.description) ?? "unknown")"])
                    await onRefusal(.permissionDenied, peer)
                    try await refuse(outbound, inbound, .permissionDenied, "this user may not use the till socket")
                    return
                }
                guard let id = registry.open(accepted.channel.channel, limit: configuration.maximumConnections) else {
                    accepted.activity.refuse()
                    logger.warning("till socket: refused a connection: \(configuration.maximumConnections) connections already open")
                    await onRefusal(.tooManyConnections, peer)
                    try await refuse(outbound, inbound, .tooManyConnections, "too many connections (at most \(configuration.maximumConnections))")
                    return
                }
                accepted.activity.identify(as: id)
                let connection = TillConnection(
                    id: id, peer: peer, outbound: outbound, activity: accepted.activity, channel: accepted.channel.channel)
                defer { registry.close(id) }
                logger.debug("till connected", metadata: ["connection": "\(id)", "peer": "\(peer.map(\.description) ?? "unknown")"])
                do {
                    try await serveRequests(inbound, on: connection)
                } catch {
                    logger.debug("till connection ended", metadata: ["connection": "\(id)", "reason": "\(error)"])
                }
                await handler.connectionClosed(connection)
            }
        } catch {
            logger.debug("till connection failed", metadata: ["reason": "\(error)"])
        }
    }

    private func serveRequests(_ inbound: NIOAsyncChannelInboundStream<TillFrame>, on connection: TillConnection) async throws {
        for try await frame in inbound {
            switch frame {
            case .oversized:
                let failure = RPCFailure(
                    id: .null,
                    error: RPCError(.lineTooLong, "invalid request: line longer than \(configuration.maximumLineBytes) bytes; closing the connection"))
                try await connection.send(RPCResponse.line(for: failure))
                return
            case .line(let line):
                guard registry.beginRequest(connection.id) else {
                    let failure = RPCFailure(id: .null, error: RPCError(.shuttingDown, "the daemon is shutting down"))
                    try await connection.send(RPCResponse.line(for: failure))
                    return
                }
                connection.activity.requestStarted()
                let response = await handler.respond(to: line, on: connection)
                connection.activity.requestFinished()
                let keepOpen = registry.endRequest(connection.id)
                if let response { try await connection.send(response) }
                guard keepOpen else { return }
            }
        }
    }

    /// Answers a refused connection with one error line and ends it so the till can read that line:
    /// the sending side is shut first, and what the till had already sent is read (for a second at
    /// most), because closing a Unix socket with unread data makes the till's read fail before it
    /// sees the refusal.
    private func refuse(
        _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, _ inbound: NIOAsyncChannelInboundStream<TillFrame>,
        _ reason: RPCError.Reason, _ message: String
    ) async throws {
        var buffer = ByteBuffer(bytes: RPCResponse.line(for: RPCFailure(id: .null, error: RPCError(reason, message))))
        buffer.writeInteger(UInt8(ascii: "\n"))
        try await outbound.write(buffer)
        outbound.finish()
        try? await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for try await _ in inbound {} }
            group.addTask { try await Task.sleep(for: .seconds(1)) }
            try await group.next()
            group.cancelAll()
        }
    }
}
