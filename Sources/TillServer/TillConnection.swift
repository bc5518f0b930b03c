import NIOCore

/// One till's connection, as request handlers see it: who it is and a way to push notifications.
public struct TillConnection: Sendable {
    /// Unique for the daemon's lifetime.
    public let id: UInt64
    public let peer: PeerCredentials?
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let activity: ConnectionActivity
    private let channel: any Channel

    init(
        id: UInt64, peer: PeerCredentials?, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, activity: ConnectionActivity,
        channel: any Channel
    ) {
        self.id = id
        self.peer = peer
        self.outbound = outbound
        self.activity = activity
        self.channel = channel
    }

    /// Closes the connection from the daemon's side, as for a till that stopped reading: writes
    /// waiting on it fail, and the server then forgets it (``TillRequestHandler/connectionClosed(_:)``).
    public func close() {
        channel.close(promise: nil)
    }

    /// The till now waits for pushed notifications: its silence no longer counts as idle.
    public func waitsForNotifications() {
        activity.startListening()
    }

    /// Sends one line (the newline is added). Used for responses and for pushed notifications.
    public func send(_ line: [UInt8]) async throws {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(line.count + 1)
        buffer.writeBytes(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        try await outbound.write(buffer)
    }
}

/// What the daemon does with each request line; the server knows framing and sockets, not methods.
public protocol TillRequestHandler: Sendable {
    /// Answers one line. `nil` means no response (a JSON-RPC notification).
    func respond(to line: ByteBuffer, on connection: TillConnection) async -> [UInt8]?
    /// The connection is gone; forget its subscriptions.
    func connectionClosed(_ connection: TillConnection) async
}
