import Logging
import LoyaltyConfig
import NIOCore
import NIOHTTP1
import NIOPosix

/// A scrape endpoint: `GET /metrics` answers the exposition, anything else 404. It runs on the
/// daemon's own event loop (no thread of its own) and closes each connection after its answer.
enum MetricsHTTPServer {
    /// Binds `endpoint` and serves `exposition()` until the returned channel is closed.
    static func start(
        _ endpoint: MetricsOptions.Endpoint, group: any EventLoopGroup, exposition: @escaping @Sendable () -> String
    ) async throws -> any Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ScrapeHandler(exposition: exposition))
                }
            }
        switch endpoint {
        case .loopback(let host, let port):
            return try await bootstrap.bind(host: host, port: port).get()
        case .unixSocket(let path):
            return try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        }
    }

    private final class ScrapeHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let exposition: @Sendable () -> String

        init(exposition: @escaping @Sendable () -> String) {
            self.exposition = exposition
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let request) = unwrapInboundIn(data) else { return }
            let found = request.method == .GET && (request.uri == "/metrics" || request.uri.hasPrefix("/metrics?"))
            let body = found ? exposition() : "only GET /metrics is served here\n"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Connection", value: "close")
            let head = HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
