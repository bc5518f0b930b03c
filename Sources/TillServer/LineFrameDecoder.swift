import NIOCore

/// One frame read from a till: a line without its `\n`, or the news that a line was too long.
public enum TillFrame: Sendable {
    case line(ByteBuffer)
    /// A line exceeded the limit; the connection answers with an error and closes.
    case oversized
}

/// Splits the byte stream at `\n` and refuses lines longer than the limit as soon as the limit is
/// passed, without buffering the rest: a client cannot make the daemon hold more than one line.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = TillFrame

    let maximumLineBytes: Int
    private var scanned = 0
    private var failed = false

    init(maximumLineBytes: Int) {
        self.maximumLineBytes = maximumLineBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard !failed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        if let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            scanned = 0
            guard length <= maximumLineBytes else { return fail(context: context, buffer: &buffer) }
            var line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: length - 1)! }
            context.fireChannelRead(Self.wrapInboundOut(.line(line)))
            return .continue
        }
        scanned = view.count
        if scanned > maximumLineBytes { return fail(context: context, buffer: &buffer) }
        return .needMoreData
    }

    private mutating func fail(context: ChannelHandlerContext, buffer: inout ByteBuffer) -> DecodingState {
        failed = true
        buffer.moveReaderIndex(to: buffer.writerIndex)
        context.fireChannelRead(Self.wrapInboundOut(.oversized))
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Complete lines still buffered are requests like any other; a half line at end of stream is
        // a client that went away mid-request: it is dropped, never run.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
