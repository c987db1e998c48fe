import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP/1.1 listener: SwiftNIO with keep-alive, one event loop per core, and a thread pool for handlers
/// that may block.
public final class GatewayServer: Sendable {
    public let runtime: HostRuntime
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    /// The thread of the host endpoints that wait for quiet (reset, import, export; see HostEndpoints).
    private let quietPool: NIOThreadPool
    /// Each event loop's FlushCoalescer, by loop.
    private let flushCoalescers: [ObjectIdentifier: FlushCoalescer]
    private let channelBox = NIOLockedValueBox<(any Channel)?>(nil)

    public init(runtime: HostRuntime) {
        self.runtime = runtime
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        threadPool = NIOThreadPool(numberOfThreads: max(4, System.coreCount * 2))
        quietPool = NIOThreadPool(numberOfThreads: 1)
        flushCoalescers = Dictionary(uniqueKeysWithValues: group.makeIterator().map { loop in
            (ObjectIdentifier(loop),
             FlushCoalescer(eventLoop: loop, sender: runtime.configuration.batchedSends ? BatchedSender() : nil))
        })
        let batching = flushCoalescers.values.filter(\.batches).count
        if runtime.configuration.batchedSends, batching < flushCoalescers.count {
            runtime.logger.notice(
                "io_uring is not available to \(flushCoalescers.count - batching) of \(flushCoalescers.count) event loops: their answers are written one by one")
        }
    }

    /// Binds and starts serving; returns the bound address (the real port when GATEWAY_LISTEN asked for 0).
    public func start() throws -> SocketAddress {
        threadPool.start()
        quietPool.start()
        let router = RequestRouter(runtime: runtime)
        let pool = threadPool
        let quietPool = self.quietPool
        let flushCoalescers = self.flushCoalescers
        let maxBody = runtime.configuration.maxBodyBytes
        let maxStreamed = runtime.configuration.maxStreamedBodyBytes
        let idle = TimeAmount.seconds(Int64(runtime.configuration.idleTimeoutSeconds))
        let limiter = ConnectionLimiter(limit: runtime.configuration.maxConnections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let admitted = limiter.admit()
                    channel.closeFuture.whenComplete { _ in if admitted { limiter.release() } }
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    // NIO's request decoder only: GatewayHandler writes responses as bytes and keeps pipelined
                    // requests in order itself (HTTPResponseSerializer says why).
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    let coalescer = flushCoalescers[ObjectIdentifier(channel.eventLoop)]
                        ?? FlushCoalescer(eventLoop: channel.eventLoop, sender: nil)
                    let writer = AnswerWriter(coalescer: coalescer,
                                              descriptor: AnswerWriter.socket(of: channel, coalescer: coalescer))
                    try channel.pipeline.syncOperations.addHandler(
                        GatewayHandler(router: router, threadPool: pool, quietPool: quietPool, answerWriter: writer,
                                       maxBodyBytes: maxBody, maxStreamedBodyBytes: maxStreamed, stallTimeout: idle,
                                       overCapacity: !admitted))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A client that shuts its side after its request still gets the answer (GatewayHandler closes once it
            // is written): without this, NIO closed the connection at the end of input, and an answer not yet
            // flushed was lost with it.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let channel = try bootstrap.bind(host: runtime.configuration.listenHost,
                                         port: runtime.configuration.listenPort).wait()
        channelBox.withLockedValue { $0 = channel }
        guard let address = channel.localAddress else { throw HostConfigurationError("listener has no address") }
        return address
    }

    /// Lets plugins act on time every TICK_SECONDS (deletion windows, rotation), off the event loop and never
    /// two ticks at once. TICK_SECONDS=0: only `POST /_emu/clock` ticks.
    public func startTicking() {
        let seconds = Int64(runtime.configuration.tickSeconds)
        guard seconds > 0 else { return }
        let runtime = self.runtime
        let pool = threadPool
        let ticking = NIOLockedValueBox(false)
        group.next().scheduleRepeatedTask(initialDelay: .seconds(seconds), delay: .seconds(seconds)) { _ in
            guard ticking.withLockedValue({ busy in defer { busy = true }; return !busy }) else { return }
            pool.submit { _ in
                runtime.tickAll()
                ticking.withLockedValue { $0 = false }
            }
        }
    }

    /// Stops accepting, lets in-flight handlers finish, then stops the loops.
    public func stop() {
        if let channel = channelBox.withLockedValue({ $0 }) { try? channel.close().wait() }
        try? threadPool.syncShutdownGracefully()
        try? quietPool.syncShutdownGracefully()
        try? group.syncShutdownGracefully()
    }

    /// Blocks until the listener closes.
    public func waitUntilClosed() {
        if let channel = channelBox.withLockedValue({ $0 }) { try? channel.closeFuture.wait() }
    }
}

/// Counts open connections against MAX_CONNECTIONS.
final class ConnectionLimiter: Sendable {
    private let open = NIOLockedValueBox(0)
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Takes a place; false when the host is full (the connection is then answered 503 and closed).
    func admit() -> Bool {
        open.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() { open.withLockedValue { $0 -= 1 } }
}
