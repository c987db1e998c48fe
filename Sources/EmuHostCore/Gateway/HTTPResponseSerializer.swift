import NIOCore
import NIOHTTP1

/// Writes a response's status line and headers, and its body when it has one in memory, into one buffer.
///
/// The gateway frames every response itself (Content-Length, Connection), so NIO's HTTPResponseEncoder and
/// HTTPServerPipelineHandler only added per-response work: a copy into HTTPHeaders, a scan of every header to
/// decide on framing, and a pass through two more handlers for each of a response's three parts. Written directly,
/// a response is one buffer and one `write` system call. Header values a plugin set were checked in `add_header`
/// (ResponseHeaderCheck); the rest are the host's own, so nothing here can split a header line.
enum HTTPResponseSerializer {
    /// The response's bytes: the head, then `body` unless the response may not carry one.
    ///
    /// - Parameters:
    ///   - streamLength: the length of a body that follows in later writes (a streamed response), or nil.
    ///   - isHead: the request was a HEAD: no body, and a Content-Length the plugin set stands (S3 states the
    ///     object's size there).
    static func serialize(_ response: GatewayResponse, version: HTTPVersion, isHead: Bool, keepAlive: Bool,
                          streamLength: UInt64?, allocator: ByteBufferAllocator) -> ByteBuffer
    {
        let status = Int(response.status)
        let mayHaveBody = Self.mayHaveBody(status: status)
        let writesBody = bodyFollows(status: status, isHead: isHead) && streamLength == nil
        var buffer = allocator.buffer(capacity: 128 + response.headers.count * 48 + (writesBody ? response.body.count : 0))
        buffer.writeStaticString("HTTP/")
        buffer.writeString(String(version.major))
        buffer.writeStaticString(".")
        buffer.writeString(String(version.minor))
        buffer.writeStaticString(" ")
        buffer.writeString(String(status))
        buffer.writeStaticString(" ")
        buffer.writeString(HTTPResponseStatus(statusCode: status).reasonPhrase)
        buffer.writeStaticString("\r\n")
        var pluginLength = false
        for (name, value) in response.headers {
            if name.caseInsensitiveEquals("Transfer-Encoding") || name.caseInsensitiveEquals("Connection") { continue }
            if name.caseInsensitiveEquals("Content-Length") {
                guard isHead, streamLength == nil, mayHaveBody else { continue }
                pluginLength = true
            }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if mayHaveBody, !pluginLength {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(streamLength ?? UInt64(response.body.count)))
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n")
        if writesBody { buffer.writeBytes(response.body) }
        return buffer
    }

    /// RFC 9110 §6.4.1 and §8.6: 1xx, 204 and 304 never carry a body, nor (but for 304) a length; NIO's encoder
    /// dropped the length for all three, and clients are used to that. The gateway asks too, before it streams one.
    static func mayHaveBody(status: Int) -> Bool {
        !(100..<200).contains(status) && status != 204 && status != 304
    }

    /// Whether body bytes follow the head, in this buffer or (streamed) in later writes.
    static func bodyFollows(status: Int, isHead: Bool) -> Bool {
        mayHaveBody(status: status) && !isHead
    }

    /// The interim answer to `Expect: 100-continue`.
    static func continueHead(version: HTTPVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        buffer.writeString("HTTP/\(version.major).\(version.minor) 100 Continue\r\n\r\n")
        return buffer
    }
}
