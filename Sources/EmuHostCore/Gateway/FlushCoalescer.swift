import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// One per event loop thread, used only on it.
final class FlushCoalescer {
    private var pending: [ChannelHandlerContext] = []

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<FlushCoalescer>.fromOpaque(pointer).release()
        }
        return key
    }()

    /// The coalescer of the calling thread (an event loop's), made on first use.
    static var current: FlushCoalescer {
        if let pointer = pthread_getspecific(threadKey) {
            return Unmanaged<FlushCoalescer>.fromOpaque(pointer).takeUnretainedValue()
        }
        let coalescer = FlushCoalescer()
        pthread_setspecific(threadKey, Unmanaged.passRetained(coalescer).toOpaque())
        return coalescer
    }

    /// Flushes `context`'s channel once the event loop has handled the I/O of this pass (NIO runs the tasks queued
    /// on a loop after the events its selector returned). Call on `context`'s event loop.
    func flushAfterThisPass(_ context: ChannelHandlerContext) {
        if pending.isEmpty {
            context.eventLoop.assumeIsolated().execute { self.flushAll() }
        }
        pending.append(context)
    }

    private func flushAll() {
        let contexts = pending
        pending.removeAll(keepingCapacity: true)
        for context in contexts where context.channel.isActive { context.flush() }
    }
}
