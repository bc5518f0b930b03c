import Logging
import NIOCore
import TillProtocol

/// Ends connections whose till has gone quiet in a way that would otherwise hold a connection slot
/// (and, for a till that stops reading, the notification fan-out) for ever:
///
/// - **stalled**: a line was started and not finished, or the till has not read what the daemon
///   sent (the socket stayed unwritable), for `stallTimeout`;
/// - **idle**: nothing was received or sent for `idleTimeout`, no request is executing, and the
///   till has not subscribed to notifications (a subscriber waits for pushes by design).
///
/// The till gets one error line (`line_timeout` or `idle_timeout`) and the connection is closed.
/// Sits first in the pipeline, so it sees raw bytes: a line is unfinished exactly when the last
/// byte received is not `\n`. One timer per connection, re-armed only when it fires.
final class ConnectionDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let idleTimeout: TimeAmount?
    private let stallTimeout: TimeAmount?
    private let activity: ConnectionActivity
    private let logger: Logger
    private var lastActivity = NIODeadline.now()
    /// When the unfinished line now buffered began; `nil` when the last byte received was `\n`.
    private var lineStarted: NIODeadline?
    /// Since when the socket has been unwritable (the till is not reading); `nil` when writable.
    private var unwritableSince: NIODeadline?
    private var timer: Scheduled<Void>?
    private var expired = false

    init(idleTimeout: TimeAmount?, stallTimeout: TimeAmount?, activity: ConnectionActivity, logger: Logger) {
        self.idleTimeout = idleTimeout
        self.stallTimeout = stallTimeout
        self.activity = activity
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = .now()
        arm(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if let last = bytes.readableBytesView.last {
            let now = NIODeadline.now()
            lastActivity = now
            if last == UInt8(ascii: "\n") {
                lineStarted = nil
            } else if lineStarted == nil {
                lineStarted = now
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = .now()
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        unwritableSince = context.channel.isWritable ? nil : (unwritableSince ?? .now())
        context.fireChannelWritabilityChanged()
    }

    /// Schedules the next check at the earliest deadline that could expire.
    private func arm(context: ChannelHandlerContext) {
        guard !expired else { return }
        var next: NIODeadline?
        func consider(_ deadline: NIODeadline) { next = next.map { min($0, deadline) } ?? deadline }
        if let stallTimeout {
            // Re-checked at least this often, since a line can start any time.
            consider(.now() + stallTimeout)
            if let lineStarted { consider(lineStarted + stallTimeout) }
            if let unwritableSince { consider(unwritableSince + stallTimeout) }
        }
        if let idleTimeout {
            // Past the idle deadline yet not closed (a request executing, a subscriber): look again
            // a full period later, never in a loop.
            let now = NIODeadline.now()
            consider(lastActivity + idleTimeout > now ? lastActivity + idleTimeout : now + idleTimeout)
        }
        guard let next else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: next) {
            handler.value.check(context: boundContext.value)
        }
    }

    private func check(context: ChannelHandlerContext) {
        timer = nil
        guard context.channel.isActive, !expired, !activity.isRefused else { return }
        let now = NIODeadline.now()
        if let stallTimeout {
            if let lineStarted, now >= lineStarted + stallTimeout {
                return expire(context: context, reason: .lineTimeout, "no end of line within \(stallTimeout.milliseconds) ms of its first byte; closing the connection")
            }
            if let unwritableSince, now >= unwritableSince + stallTimeout {
                // The till reads nothing: an error line could not reach it either, so the log says why.
                logger.warning("closing a till connection that reads nothing", metadata: [
                    "connection": "\(activity.connectionID)",
                    "reason": "what was sent to it has waited unread for stall_timeout_ms (\(stallTimeout.milliseconds) ms)",
                ])
                expired = true
                context.channel.close(promise: nil)
                return
            }
        }
        if let idleTimeout, now >= lastActivity + idleTimeout, !activity.isBusy, !activity.isListening {
            return expire(context: context, reason: .idleTimeout, "no request for \(idleTimeout.milliseconds) ms; closing the connection")
        }
        arm(context: context)
    }

    private func expire(context: ChannelHandlerContext, reason: RPCError.Reason, _ message: String) {
        expired = true
        var line = ByteBuffer(bytes: RPCResponse.line(for: RPCFailure(id: .null, error: RPCError(reason, message))))
        line.writeInteger(UInt8(ascii: "\n"))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(line)).whenComplete { _ in
            channel.close(promise: nil)
        }
        // A till that reads nothing never lets that line out: it is closed all the same.
        context.eventLoop.scheduleTask(in: .seconds(1)) {
            channel.close(promise: nil)
        }
    }
}

extension TimeAmount {
    fileprivate var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
