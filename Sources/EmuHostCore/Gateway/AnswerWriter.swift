import NIOCore

/// Writes one connection's answers in the order they were made: keep-alive answers at the end of the event
/// loop's pass, with the other connections' (FlushCoalescer), everything else through NIO at once.
///
/// An answer held for the batch goes to the socket directly (BatchedSender), past NIO's queue; so while anything
/// given to NIO is not yet written (a streamed body, or the rest of a batch the socket had no room for), later
/// answers queue behind it in NIO instead, and an answer written through NIO first hands over what is held.
/// Used only on the connection's event loop.
final class AnswerWriter {
    private let coalescer: FlushCoalescer
    /// The connection's socket (`socket(of:)`); nil when answers never go out in a batch.
    private let descriptor: Int32?
    /// Answers waiting for the end of the pass, to go out in the batch.
    private var held: ByteBuffer?
    /// Writes given to NIO and not yet done, counted only where batches are possible at all.
    private var writesInNIO = 0

    init(coalescer: FlushCoalescer, descriptor: Int32?) {
        self.coalescer = coalescer
        self.descriptor = descriptor
    }

    /// The socket behind `channel`, for a batch to send to; nil when its event loop does not batch, or the channel
    /// does not expose a socket. Looked up once per connection, as it is added.
    static func socket(of channel: any Channel, coalescer: FlushCoalescer) -> Int32? {
        guard coalescer.batches else { return nil }
        return try? channel.pipeline.syncOperations.withUnsafeTransportIfAvailable(of: NIOBSDSocket.Handle.self) { $0 }
    }

    /// A keep-alive answer: it goes out when the event loop has handled every connection that was ready together.
    func writeAtEndOfPass(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        if held != nil {
            // Already waiting for this pass's end: what is held goes out first, however it goes.
            held!.writeImmutableBuffer(bytes)
        } else if writesInNIO == 0, descriptor != nil, coalescer.batches {
            held = bytes
            coalescer.sendAtEndOfPass(self, context: context)
        } else {
            writeThroughNIO(bytes, context: context, promise: nil)
            coalescer.flushAtEndOfPass(context)
        }
    }

    /// Writes `bytes` and flushes now, behind everything this connection was given before.
    @discardableResult
    func writeAndFlush(_ bytes: ByteBuffer, context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        let promise = context.eventLoop.makePromise(of: Void.self)
        handOverHeld(context: context)
        writeThroughNIO(bytes, context: context, promise: promise)
        context.flush()
        return promise.futureResult
    }

    /// Flushes everything written so far, before the connection is closed.
    func flush(context: ChannelHandlerContext) {
        handOverHeld(context: context)
        context.flush()
    }

    /// What the batch should send for this connection: nil when it holds nothing, when the connection is gone, or
    /// when what it holds is larger than a batch takes (BatchedSender.largestAnswer), which NIO then writes.
    func takeHeld(context: ChannelHandlerContext) -> (descriptor: Int32, bytes: ByteBuffer)? {
        guard let bytes = held else { return nil }
        held = nil
        guard context.channel.isActive, let descriptor else { return nil }
        guard bytes.readableBytes <= BatchedSender.largestAnswer else {
            writeThroughNIO(bytes, context: context, promise: nil)
            context.flush()
            return nil
        }
        return (descriptor, bytes)
    }

    /// The batch sent `sent` bytes of `bytes` (a negative errno: none). NIO writes the rest: it waits for room, or
    /// meets the socket's error itself and closes the connection.
    func batchSent(_ sent: Int32, of bytes: ByteBuffer, context: ChannelHandlerContext) {
        guard Int(sent) != bytes.readableBytes, context.channel.isActive else { return }
        var rest = bytes
        if sent > 0 { rest.moveReaderIndex(forwardBy: Int(sent)) }
        writeThroughNIO(rest, context: context, promise: nil)
        context.flush()
    }

    private func handOverHeld(context: ChannelHandlerContext) {
        guard let bytes = held else { return }
        held = nil
        writeThroughNIO(bytes, context: context, promise: nil)
    }

    private func writeThroughNIO(_ bytes: ByteBuffer, context: ChannelHandlerContext,
                                 promise: EventLoopPromise<Void>?) {
        guard descriptor != nil else { return context.write(NIOAny(bytes), promise: promise) }
        let written = promise ?? context.eventLoop.makePromise(of: Void.self)
        writesInNIO += 1
        written.futureResult.assumeIsolated().whenComplete { _ in self.writesInNIO -= 1 }
        context.write(NIOAny(bytes), promise: written)
    }
}
