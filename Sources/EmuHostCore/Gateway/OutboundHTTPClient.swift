#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// A blocking HTTP/1.1 client on SwiftNIO, which the host already links: for `awsemu status` and `awsemu
/// state`, and for plugins' outbound calls (`http_call`, e.g. KMS to an external key store proxy). URLSession
/// would pull FoundationNetworking and libcurl into the process and cost the idle host megabytes of memory.
public enum OutboundHTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
    }

    public static func get(_ url: String, timeout: TimeInterval = 5) -> (status: Int, body: [UInt8])? {
        send(url, method: "GET", headers: [], body: nil, timeout: timeout).map { ($0.status, $0.body) }
    }

    public static func post(_ url: String, body: [UInt8], timeout: TimeInterval = 300) -> (status: Int, body: [UInt8])? {
        send(url, method: "POST", headers: [], body: body, timeout: timeout).map { ($0.status, $0.body) }
    }

    /// One request; nil when no response arrived in time.
    public static func send(_ url: String, method: String, headers: [(String, String)], body: [UInt8]?,
                            timeout: TimeInterval) -> Response?
    {
        (try? request(url, method: method, headers: headers, body: body, timeout: timeout).get())
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let done: EventLoopPromise<Response>
        var status = 0
        var headers: [(String, String)] = []
        var body: [UInt8] = []

        init(done: EventLoopPromise<Response>) { self.done = done }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = Int(head.status.code)
                headers = head.headers.map { ($0.name, $0.value) }
            case .body(let buffer): body.append(contentsOf: buffer.readableBytesView)
            case .end:
                done.succeed(Response(status: status, headers: headers, body: body))
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.fail(ChannelError.ioOnClosedChannel)
        }
    }

    /// One request, or why none could be made or answered.
    public static func request(_ url: String, method: String, headers extra: [(String, String)], body: [UInt8]?,
                               timeout: TimeInterval) -> Result<Response, OutboundHTTPError>
    {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host
        else { return .failure(OutboundHTTPError("only http:// URLs can be called, not \(url)")) }
        let port = components.port ?? 80
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let done = group.next().makePromise(of: Response.self)
        let milliseconds = Int64(max(timeout, 0.001) * 1000)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(milliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Collector(done: done))
                }
            }
        do {
            let channel = try bootstrap.connect(host: host, port: port).wait()
            var headers = HTTPHeaders([("Host", components.port == nil ? host : "\(host):\(port)"), ("Connection", "close")])
            for (name, value) in extra { headers.add(name: name, value: value) }
            headers.replaceOrAdd(name: "Content-Length", value: String(body?.count ?? 0))
            channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method),
                                                                     uri: path, headers: headers)), promise: nil)
            if let body {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
            }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                done.fail(OutboundHTTPError("timed out after \(milliseconds) ms"))
                channel.close(promise: nil)
            }
            defer { deadline.cancel() }
            return .success(try done.futureResult.wait())
        } catch let error as OutboundHTTPError {
            done.fail(error)  // a promise must be completed, even when the connection never came up
            return .failure(error)
        } catch {
            done.fail(error)
            return .failure(OutboundHTTPError("\(host):\(port) is not reachable (\(error))"))
        }
    }
}

/// Why an outbound request got no answer.
public struct OutboundHTTPError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
