import EmuPluginKit
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PluginABI

/// One connection's HTTP/1.1 handling: collects a request, routes it, runs the handler (off the event loop
/// unless the operation says it never blocks) and writes the answer, keeping the connection alive.
///
/// Bodies for a streaming REST service (S3) that outgrow MAX_REQUEST_BODY_BYTES are spooled to an unlinked file
/// from the thread pool, and the connection stops reading while a spool write is behind (backpressure through
/// `read`); a streamed response is pulled from the plugin one piece at a time, the next piece only after the last
/// one was written. Either way a 1 GB object costs a few MiB of memory.
///
/// Responses are written as bytes (HTTPResponseSerializer), not through NIO's response encoder, so requests a client
/// pipelines are held here, in order, until the answer before them is written, and the socket is not read further
/// while any are held.
final class GatewayHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Spooled bodies go to disk in pieces of this size; one piece may wait while another is written.
    static let spoolPieceBytes = 4 * 1024 * 1024
    /// Streamed responses are pulled from the plugin in pieces of this size.
    static let streamPieceBytes = 1024 * 1024

    private let router: RequestRouter
    private let threadPool: NIOThreadPool
    /// One thread for the host endpoints that wait for quiet (`HostEndpoints.Endpoint.waitsForQuiet`).
    private let quietPool: NIOThreadPool
    /// Writes the answers in order; keep-alive ones go out together with the event loop's others at the end of its
    /// pass (FlushCoalescer).
    private let answerWriter: AnswerWriter
    private let maxBodyBytes: Int
    private let maxStreamedBodyBytes: Int64
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    /// This request goes to a service that reads large bodies itself, so its limit is MAX_STREAMED_BODY_BYTES.
    private var streams = false
    private var received: Int64 = 0
    private var spool: Spool?
    /// A `read` held back while the spool is behind; issued when it catches up.
    private var heldRead = false
    /// NIO holds more of this connection's answers than its high watermark (64 KiB): the client is not taking them.
    private var outputBacklogged = false
    /// The host already serves MAX_CONNECTIONS connections: every request here gets a 503.
    private let overCapacity: Bool

    /// A body on its way to disk: the file, the bytes not yet written, and whether a write is running.
    private final class Spool {
        /// nil when no temporary file could be made: the request is answered with an error at its end.
        let file: SpooledBody?
        var pending: ByteBuffer
        var writing = false
        var ended = false
        var failed: Bool
        init(file: SpooledBody?, pending: ByteBuffer) {
            self.file = file
            self.pending = pending
            failed = file == nil
        }
    }
    /// A request was handed to a handler and its answer is not fully written: an idle read side is no reason to
    /// close (a long download reads nothing from the client).
    private var responding = false
    /// How long one piece of a streamed body may wait for the client to take it (IDLE_TIMEOUT_SECONDS).
    private let stallTimeout: TimeAmount
    /// What arrived while an earlier request was being answered: a pipelined request's parts, or a request that
    /// could not be parsed. Handled in order once `responding` is over.
    private var queued = CircularBuffer<Inbound>()
    private enum Inbound {
        case part(HTTPServerRequestPart)
        case malformed
    }
    /// `drainQueue` is running further up the stack (an answer written synchronously while it handles a part).
    private var draining = false
    /// The last answer closes the connection: nothing that arrives after it is handled.
    private var closing = false
    /// The client shut its side of the connection: the request being answered still gets its answer, then the
    /// connection closes.
    private var inputClosed = false

    init(router: RequestRouter, threadPool: NIOThreadPool, quietPool: NIOThreadPool, answerWriter: AnswerWriter,
         maxBodyBytes: Int, maxStreamedBodyBytes: Int64, stallTimeout: TimeAmount = .seconds(120),
         overCapacity: Bool = false)
    {
        self.stallTimeout = stallTimeout
        self.router = router
        self.threadPool = threadPool
        self.quietPool = quietPool
        self.answerWriter = answerWriter
        self.maxBodyBytes = maxBodyBytes
        self.maxStreamedBodyBytes = maxStreamedBodyBytes
        self.overCapacity = overCapacity
    }

    /// A connection that sent nothing for IDLE_TIMEOUT_SECONDS: mid-request (a slow client) it is answered
    /// 408 in AWS's shape; between requests it is simply closed, as keep-alive servers do. One whose client has not
    /// taken its answers for as long (so it is not read from: `outputBacklogged`) is closed at once, since a 408
    /// would only queue behind the answers it does not take.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosedByClient(context: context)
            return
        }
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Not the client's silence: a handler is running, the spool is behind, or the answer is on its way.
        if isBusy { return }
        if outputBacklogged {
            closing = true
            context.close(promise: nil)
        } else if let head {
            self.head = nil
            spool = nil
            var response = GatewayResponse.awsError(
                "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period.",
                status: 408, protocolKind: protocolKind(head), requestId: RequestRouter.newRequestId())
            response.closeConnection = true
            send(response, for: head, context: context)
        } else {
            // An answer written in this event loop pass may still wait for the end of the pass (FlushCoalescer).
            answerWriter.flush(context: context)
            context.close(promise: nil)
        }
    }

    /// A request is being handled or answered: its body is still going to disk, a handler runs, the answer is being
    /// written, or pipelined requests wait for it. A read held back because the client leaves its answers untaken
    /// is not work of the host's: such a connection still ends at the idle timeout, or when the client shuts its
    /// side.
    private var isBusy: Bool {
        responding || closing || !queued.isEmpty || spool?.writing == true || spool?.ended == true
    }

    /// The client shut its side (or went away; a server cannot tell the two apart until it writes). What it
    /// pipelined behind the request being answered is dropped, as for a client that went away; that request still
    /// gets its answer, after which the connection closes. A request cut off before its end can never be answered.
    private func inputClosedByClient(context: ChannelHandlerContext) {
        inputClosed = true
        queued.removeAll()
        if !isBusy { closeOnceWritten(context: context) }
    }

    /// Closes the connection once everything written to it has gone out.
    private func closeOnceWritten(context: ChannelHandlerContext) {
        closing = true
        let channel = context.channel
        answerWriter.writeAndFlush(channel.allocator.buffer(capacity: 0), context: context).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Backpressure: while a spool write is behind by a whole piece, pipelined requests wait their turn, or the
    /// client leaves its answers untaken, the socket is not read.
    func read(context: ChannelHandlerContext) {
        if mustHoldReads {
            heldRead = true
        } else {
            context.read()
        }
    }

    private var mustHoldReads: Bool {
        if !queued.isEmpty || outputBacklogged { return true }
        guard let spool else { return false }
        return spool.writing && spool.pending.readableBytes >= Self.spoolPieceBytes
    }

    /// Issues the `read` that backpressure held back, once nothing holds it any more.
    private func resumeReading(context: ChannelHandlerContext) {
        guard heldRead, !mustHoldReads else { return }
        heldRead = false
        context.read()
    }

    /// A client that pipelines requests without reading the answers is not read from while its answers pile up in
    /// NIO: it would otherwise make the host hold every answer in memory (300 MB for 300 MB of requests). Reading
    /// resumes once NIO's queue drains below its low watermark.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        outputBacklogged = !context.channel.isWritable
        resumeReading(context: context)
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if closing { return }
        if responding || !queued.isEmpty {
            queued.append(.part(part))
            return
        }
        handle(part, context: context)
    }

    /// A client that went away takes what it pipelined with it: nothing held is handled any more.
    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        queued.removeAll()
        context.fireChannelInactive()
    }

    /// Handles what was held while an earlier answer was written, until one request is being answered again.
    private func drainQueue(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        while !responding, !closing, let next = queued.popFirst() {
            switch next {
            case .part(let part): handle(part, context: context)
            case .malformed: answerMalformed(context: context)
            }
        }
        draining = false
        if closing { queued.removeAll() }
        resumeReading(context: context)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            self.head = head
            body = nil
            spool = nil
            tooLarge = false
            received = 0
            streams = router.streamsBodies(method: head.method.rawValue, uri: head.uri) { head.headers.first(name: $0) }
            let limit = streams ? maxStreamedBodyBytes : Int64(maxBodyBytes)
            let length = head.headers.first(name: "content-length").flatMap(Int64.init)
            let expectsContinue = head.headers.first(name: "expect")?.lowercased() == "100-continue"
            if overCapacity {
                // Shed the connection before its body is read or spooled: the answer closes it, so the rest of the
                // request is never handled.
                tooLarge = true
                send(overCapacityResponse(head), for: head, context: context)
            } else if let length, length > limit {
                tooLarge = true
                if expectsContinue {
                    // The client waits for a go-ahead before sending the body: answer now instead of waiting for
                    // a body that will never come, and close, since the body may follow anyway (`closing` then
                    // drops it).
                    var response = tooLargeResponse(head, limit: limit)
                    response.closeConnection = true
                    send(response, for: head, context: context)
                }
            } else {
                if expectsContinue {
                    answerWriter.writeAndFlush(HTTPResponseSerializer.continueHead(
                        version: head.version, allocator: context.channel.allocator), context: context)
                }
                if streams, let length, length > maxBodyBytes { startSpool(with: nil, context: context) }
            }
        case .body(var chunk):
            guard !tooLarge else { return }
            received += Int64(chunk.readableBytes)
            if received > (streams ? maxStreamedBodyBytes : Int64(maxBodyBytes)) {
                tooLarge = true
                body = nil
                spool = nil
            } else if let spool {
                spool.pending.writeBuffer(&chunk)
                flushSpool(context: context)
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if spool == nil, streams, let collected = body, collected.readableBytes > maxBodyBytes {
                body = nil
                startSpool(with: collected, context: context)
            }
        case .end:
            guard let head else { return }
            // The request is complete: what the client pipelines behind it waits until it is answered, a spooled
            // one's included while its last piece goes to disk.
            responding = true
            if let spool {
                spool.ended = true
                flushSpool(context: context)
                return
            }
            self.head = nil
            if tooLarge {
                write(tooLargeResponse(head, limit: streams ? maxStreamedBodyBytes : Int64(maxBodyBytes)),
                      for: head, context: context)
                return
            }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            dispatch(HTTPRequestData(method: head.method.rawValue, uri: head.uri,
                                     headers: head.headers.map { ($0.name, $0.value) }, body: bytes),
                     head: head, context: context)
        }
    }

    private func overCapacityResponse(_ head: HTTPRequestHead) -> GatewayResponse {
        var response = GatewayResponse.awsError(
            "ServiceUnavailableException", "The host serves its maximum number of connections (MAX_CONNECTIONS).",
            status: 503, protocolKind: protocolKind(head), requestId: RequestRouter.newRequestId())
        response.closeConnection = true
        return response
    }

    private func protocolKind(_ head: HTTPRequestHead) -> emu_protocol {
        head.headers.contains(name: "x-amz-target") ? EMU_PROTOCOL_JSON : EMU_PROTOCOL_REST
    }

    /// AWS's answer to a body over the limit: S3's EntityTooLarge for a streaming service (S3), the front end's
    /// 413 otherwise.
    private func tooLargeResponse(_ head: HTTPRequestHead, limit: Int64) -> GatewayResponse {
        let kind = protocolKind(head)
        if streams {
            return .awsError("EntityTooLarge",
                             "Your proposed upload exceeds the maximum allowed size (\(limit) bytes on this host).",
                             status: 400, protocolKind: kind, requestId: RequestRouter.newRequestId())
        }
        return .awsError("RequestEntityTooLargeException",
                         "Request body is larger than the \(limit) bytes this host accepts (MAX_REQUEST_BODY_BYTES).",
                         status: 413, protocolKind: kind, requestId: RequestRouter.newRequestId())
    }

    // MARK: - Spooling a large request body

    private func startSpool(with collected: ByteBuffer?, context: ChannelHandlerContext) {
        let file = SpooledBody()
        if file == nil { router.runtime.logger.error("cannot create a temporary file for a large request body (TMPDIR)") }
        spool = Spool(file: file, pending: collected ?? context.channel.allocator.buffer(capacity: 0))
        flushSpool(context: context)
    }

    /// Starts the next write when a piece is ready (or the body ended), and hands the request on once the last
    /// byte is on disk.
    private func flushSpool(context: ChannelHandlerContext) {
        guard let spool, !spool.writing else { return }
        let ready = spool.pending.readableBytes >= Self.spoolPieceBytes || (spool.ended && spool.pending.readableBytes > 0)
        if ready, !spool.failed, let file = spool.file {
            let piece = spool.pending
            spool.pending = context.channel.allocator.buffer(capacity: 0)
            spool.writing = true
            let loopBound = NIOLoopBound((self, context, spool), eventLoop: context.eventLoop)
            threadPool.runIfActive(eventLoop: context.eventLoop) { file.append(piece) }.whenComplete { result in
                let (handler, context, spool) = loopBound.value
                spool.writing = false
                if case .success(true) = result {} else { spool.failed = true }
                guard handler.spool === spool else { return }
                handler.resumeReading(context: context)
                handler.flushSpool(context: context)
            }
            return
        }
        if spool.failed { spool.pending.clear() }
        guard spool.ended, let head else { return }
        self.spool = nil
        self.head = nil
        if spool.failed {
            router.runtime.logger.error("a large request body could not be written to its temporary file")
            write(.awsError("InternalError", "The request body could not be stored; try again.", status: 500,
                            protocolKind: protocolKind(head), requestId: RequestRouter.newRequestId()),
                  for: head, context: context)
            return
        }
        var request = HTTPRequestData(method: head.method.rawValue, uri: head.uri,
                                      headers: head.headers.map { ($0.name, $0.value) }, body: [])
        request.spooledBody = spool.file
        dispatch(request, head: head, context: context)
    }

    // MARK: - Running the handler

    /// Routes and runs a request. Plugin requests pass the runtime's `RequestGate` from here until their commit is
    /// submitted in `write`, so a state reset, import or export never interleaves with them; host endpoints (the
    /// reset, import and export themselves) do not.
    private func dispatch(_ request: HTTPRequestData, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let gate = HostEndpoints.handles(request.path) ? nil : router.runtime.requestGate
        if let gate, !gate.enter() {
            write(.awsError("ServiceUnavailableException",
                            "The host is resetting, importing or exporting state; try again.", status: 503,
                            protocolKind: protocolKind(head), requestId: RequestRouter.newRequestId()),
                  for: head, context: context)
            return
        }
        switch router.route(request) {
        case .respond(let response):
            write(response, for: head, context: context)
            gate?.leave()
        case .invoke(let mayBlock, let work):
            if !mayBlock, let response = work(false) {
                write(response, for: head, context: context)
                gate?.leave()
            } else {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let waits = HostEndpoints.Endpoint(method: request.method, path: request.path)?.waitsForQuiet == true
                let pool = waits ? quietPool : threadPool
                pool.runIfActive(eventLoop: context.eventLoop, { work(true) }).whenComplete { result in
                    let (handler, context) = loopBound.value
                    switch result {
                    case .success(let response?): handler.write(response, for: head, context: context)
                    case .success(nil), .failure:
                        handler.write(.awsError("ServiceUnavailable", "The host is shutting down.", status: 503,
                                                protocolKind: EMU_PROTOCOL_JSON,
                                                requestId: RequestRouter.newRequestId()),
                                      for: head, context: context)
                    }
                    gate?.leave()
                }
            }
        }
    }

    /// Writes a response; one that carries state changes waits until they are committed (write-through), and
    /// becomes an InternalFailure if they cannot be.
    private func write(_ response: GatewayResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard !response.stateChanges.isEmpty, let store = router.runtime.stateStore else {
            send(response, for: request, context: context)
            return
        }
        var answer = response
        answer.stateChanges = []
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let committed = answer
        store.commit(response.stateChanges) { result in
            eventLoop.execute {
                let (handler, context) = loopBound.value
                switch result {
                case .success: handler.send(committed, for: request, context: context)
                case .failure(let error):
                    handler.router.runtime.logger.error("state commit failed: \(error)")
                    handler.send(.awsError("InternalFailure", "The change could not be stored.", status: 500,
                                           protocolKind: EMU_PROTOCOL_JSON, requestId: RequestRouter.newRequestId()),
                                 for: request, context: context)
                }
            }
        }
    }

    private func send(_ response: GatewayResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        let isHead = request.method == .HEAD
        let keepAlive = request.isKeepAlive && !response.closeConnection
        let stream = response.bodyStream
        let bytes = HTTPResponseSerializer.serialize(response, version: request.version, isHead: isHead,
                                                     keepAlive: keepAlive, streamLength: stream.map { $0.length },
                                                     allocator: context.channel.allocator)
        if let stream {
            if stream.length == 0 || !HTTPResponseSerializer.bodyFollows(status: Int(response.status), isHead: isHead) {
                stream.close()
            } else {
                answerWriter.writeAndFlush(bytes, context: context)
                pump(stream, keepAlive: keepAlive, context: context)
                return
            }
        }
        finish(with: bytes, keepAlive: keepAlive, context: context)
    }

    /// Writes the last bytes of an answer; then closes the connection, or goes on with what the client pipelined.
    private func finish(with bytes: ByteBuffer?, keepAlive: Bool, context: ChannelHandlerContext) {
        responding = false
        if keepAlive {
            if let bytes {
                answerWriter.writeAtEndOfPass(bytes, context: context)
            }
            drainQueue(context: context)
            if inputClosed, !isBusy { closeOnceWritten(context: context) }
            return
        }
        closing = true
        queued.removeAll()
        let channel = context.channel
        guard let bytes else { return channel.close(promise: nil) }
        answerWriter.writeAndFlush(bytes, context: context).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Pulls the next piece of a streamed body on the thread pool and writes it; the piece after it is pulled only
    /// once this one has been written, so a slow client holds back the plugin rather than filling memory. A
    /// failed source or a client that went away ends the connection (the length was announced) and closes the
    /// source.
    private func pump(_ stream: ResponseBodyStream, keepAlive: Bool, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let allocator = context.channel.allocator
        threadPool.runIfActive(eventLoop: context.eventLoop) { () throws -> ByteBuffer in
            try stream.next(maximum: Self.streamPieceBytes, allocator: allocator)
        }.whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .success(let piece) where piece.readableBytes > 0:
                // A client that takes nothing for IDLE_TIMEOUT_SECONDS is dropped; the failed write closes the source.
                let channel = context.channel
                let stall = context.eventLoop.scheduleTask(in: handler.stallTimeout) { channel.close(promise: nil) }
                handler.answerWriter.writeAndFlush(piece, context: context).whenComplete { written in
                    stall.cancel()
                    let (handler, context) = loopBound.value
                    switch written {
                    case .success: handler.pump(stream, keepAlive: keepAlive, context: context)
                    case .failure:
                        stream.close()
                        context.close(promise: nil)
                    }
                }
            case .success:
                stream.close()
                guard stream.isComplete else { return context.close(promise: nil) }
                handler.finish(with: nil, keepAlive: keepAlive, context: context)
            case .failure:
                handler.router.runtime.logger.error("a streamed response body failed after its headers were sent")
                stream.close()
                context.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else { return context.close(promise: nil) }
        // A malformed request line or header: answered 400 in AWS's shape, after any answer still being written.
        if responding || !queued.isEmpty {
            queued.append(.malformed)
        } else if !closing {
            answerMalformed(context: context)
        }
    }

    private func answerMalformed(context: ChannelHandlerContext) {
        var response = GatewayResponse.awsError("BadRequest", "The HTTP request could not be parsed.", status: 400,
                                                protocolKind: EMU_PROTOCOL_REST, requestId: RequestRouter.newRequestId())
        response.closeConnection = true
        let bytes = HTTPResponseSerializer.serialize(response, version: .http1_1, isHead: false, keepAlive: false,
                                                     streamLength: nil, allocator: context.channel.allocator)
        finish(with: bytes, keepAlive: false, context: context)
    }
}
