import EmuPluginKit
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PluginABI

/// One connection's HTTP/1.1 handling: collects a request, routes it, runs the handler (off the event loop
/// unless the operation says it never blocks) and writes the answer, keeping the connection alive.
final class GatewayHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: RequestRouter
    private let threadPool: NIOThreadPool
    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    /// The host already serves MAX_CONNECTIONS connections: every request here gets a 503.
    private let overCapacity: Bool

    init(router: RequestRouter, threadPool: NIOThreadPool, maxBodyBytes: Int, overCapacity: Bool = false) {
        self.router = router
        self.threadPool = threadPool
        self.maxBodyBytes = maxBodyBytes
        self.overCapacity = overCapacity
    }

    /// A connection that sent nothing for IDLE_TIMEOUT_SECONDS: mid-request (a slow client) it is answered
    /// 408 in AWS's shape; between requests it is simply closed, as keep-alive servers do.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if let head {
            self.head = nil
            var response = GatewayResponse.awsError(
                "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period.",
                status: 408, protocolKind: head.headers.contains(name: "x-amz-target") ? EMU_PROTOCOL_JSON : EMU_PROTOCOL_REST,
                requestId: RequestRouter.newRequestId())
            response.closeConnection = true
            send(response, for: head, context: context)
        } else {
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            tooLarge = false
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                tooLarge = true
            } else if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                                      promise: nil)
            }
        case .body(var chunk):
            guard !tooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxBodyBytes {
                tooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if overCapacity {
                var response = GatewayResponse.awsError(
                    "ServiceUnavailableException", "The host serves its maximum number of connections (MAX_CONNECTIONS).",
                    status: 503, protocolKind: head.headers.contains(name: "x-amz-target") ? EMU_PROTOCOL_JSON : EMU_PROTOCOL_REST,
                    requestId: RequestRouter.newRequestId())
                response.closeConnection = true
                write(response, for: head, context: context)
                return
            }
            if tooLarge {
                let response = GatewayResponse.awsError(
                    "RequestEntityTooLargeException",
                    "Request body is larger than the \(maxBodyBytes) bytes this host accepts (MAX_REQUEST_BODY_BYTES).",
                    status: 413, protocolKind: head.headers.contains(name: "x-amz-target") ? EMU_PROTOCOL_JSON : EMU_PROTOCOL_REST,
                    requestId: RequestRouter.newRequestId())
                write(response, for: head, context: context)
                return
            }
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            let request = HTTPRequestData(method: head.method.rawValue, uri: head.uri,
                                          headers: head.headers.map { ($0.name, $0.value) }, body: bytes)
            switch router.route(request) {
            case .respond(let response):
                write(response, for: head, context: context)
            case .invoke(let mayBlock, let work):
                if !mayBlock, let response = work(false) {
                    write(response, for: head, context: context)
                } else {
                    let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    threadPool.runIfActive(eventLoop: context.eventLoop, { work(true) }).whenComplete { result in
                        let (handler, context) = loopBound.value
                        switch result {
                        case .success(let response?): handler.write(response, for: head, context: context)
                        case .success(nil), .failure:
                            handler.write(.awsError("ServiceUnavailable", "The host is shutting down.", status: 503,
                                                    protocolKind: EMU_PROTOCOL_JSON,
                                                    requestId: RequestRouter.newRequestId()),
                                          for: head, context: context)
                        }
                    }
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
        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let isHead = request.method == .HEAD
        if !headers.contains(name: "content-length") {
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        }
        let keepAlive = request.isKeepAlive && !response.closeConnection
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: Int(response.status)),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !isHead, !response.body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let promise: EventLoopPromise<Void>? = keepAlive ? nil : context.eventLoop.makePromise()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        if let promise {
            let channel = context.channel
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed request line or header: answer 400 in AWS's shape, then close.
        if error is HTTPParserError {
            let response = GatewayResponse.awsError("BadRequest", "The HTTP request could not be parsed.", status: 400,
                                                    protocolKind: EMU_PROTOCOL_REST,
                                                    requestId: RequestRouter.newRequestId())
            var headers = HTTPHeaders()
            for (name, value) in response.headers { headers.add(name: name, value: value) }
            headers.add(name: "Content-Length", value: String(response.body.count))
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest,
                                                                 headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}
