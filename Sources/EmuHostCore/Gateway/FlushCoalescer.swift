import NIOCore

/// Holds back the flush of complete answers until the event loop has handled every connection that was ready
/// together, then flushes them one after the other.
///
/// Each flush of an answer wakes the client that waits for it. Under load a client (an SDK's connection pool, or
/// wrk) is often asleep in `epoll_wait` again before the host's next answer, so answering the eight requests one
/// event loop pass found ready flushed eight times and woke it eight times, each wake-up a cross-CPU interrupt that
/// the writing thread paid for inside `write` (a quarter of the host's CPU time per request on a two-core
/// virtual machine). Flushed together at the end of the pass, the answers wake it once. An answer waits at most
/// for the rest of its pass; a lone request's answer is flushed as soon as the handler returns to the loop.
///
/// One per event loop, made by `GatewayServer` and handed to the handlers of the loop's connections; used only on
/// that loop (asserted), hence `@unchecked Sendable`.
final class FlushCoalescer: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var pending: [ChannelHandlerContext] = []

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Flushes `context`'s channel once the event loop has handled the I/O of this pass (NIO runs the tasks queued
    /// on a loop after the events its selector returned). Call on the coalescer's event loop.
    func flushAfterThisPass(_ context: ChannelHandlerContext) {
        eventLoop.assertInEventLoop()
        if pending.isEmpty {
            eventLoop.assumeIsolated().execute { self.flushAll() }
        }
        pending.append(context)
    }

    private func flushAll() {
        let contexts = pending
        pending.removeAll(keepingCapacity: true)
        for context in contexts where context.channel.isActive { context.flush() }
    }
}
