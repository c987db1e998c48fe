import PluginABI

/// A whole HTTP request as the gateway received it.
public struct HTTPRequestData: Sendable {
    public var method: String
    /// The path, still percent-encoded, without the query string.
    public var path: String
    /// The query string without '?', still percent-encoded.
    public var query: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The body when it was too large for memory (a streaming REST service only); `body` is then empty.
    public var spooledBody: SpooledBody?

    public init(method: String, uri: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        let (path, query) = Self.split(uri)
        self.path = String(path)
        self.query = String(query)
        self.headers = headers
        self.body = body
    }

    /// A request target's path and query (without its `?`), split at the first `?` by UTF-8 byte: a Character
    /// search walks grapheme clusters, on every request, and would not split a `?` followed by a combining mark.
    static func split(_ uri: String) -> (path: Substring, query: Substring) {
        guard let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (uri[...], "") }
        return (uri[..<mark], uri[uri.utf8.index(after: mark)...])
    }

    /// The first value of a header, compared case-insensitively. By index: a `for (key, value)` loop copied each
    /// header it passed (a retain and a release of every value longer than 15 bytes), and the router asks for
    /// three or four headers per request.
    public func header(_ name: String) -> String? {
        for index in headers.indices where headers[index].0.caseInsensitiveEquals(name) { return headers[index].1 }
        return nil
    }

    /// Calls `body` with a borrowed C view of the request.
    func withCRequest<R>(_ body: (UnsafePointer<emu_http_request>) -> R) -> R {
        var storage: [UInt8] = []
        var spans: [(Int, Int)] = []
        func add(_ text: String) {
            let start = storage.count
            storage.append(contentsOf: text.utf8)
            spans.append((start, storage.count - start))
        }
        add(method)
        add(path)
        add(query)
        for (name, value) in headers {
            add(name)
            add(value)
        }
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
            func str(_ index: Int) -> emu_str { emu_str(ptr: base.map { $0 + spans[index].0 }, len: spans[index].1) }
            let cHeaders = (0..<headers.count).map { emu_header(name: str(3 + 2 * $0), value: str(4 + 2 * $0)) }
            return cHeaders.withUnsafeBufferPointer { headerBuffer in
                self.body.withUnsafeBufferPointer { bodyBuffer in
                    var request = emu_http_request(
                        struct_size: UInt32(MemoryLayout<emu_http_request>.size), method: str(0), path: str(1),
                        query: str(2), headers: headerBuffer.baseAddress, header_count: headerBuffer.count,
                        body: bodyBuffer.baseAddress, body_len: bodyBuffer.count, body_streamed: false, host_body: nil)
                    if let spooled = spooledBody {
                        request.body = nil
                        request.body_len = Int(spooled.length)
                        request.body_streamed = true
                        request.host_body = Unmanaged.passUnretained(spooled).toOpaque()
                    }
                    return withExtendedLifetime(spooledBody) { withUnsafePointer(to: &request) { body($0) } }
                }
            }
        }
    }
}

extension String {
    /// ASCII case-insensitive equality without allocating, as HTTP header names compare.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        // Over the contiguous bytes (header names and constants are native strings, so this copies nothing)
        // rather than through two UTF-8 view iterators.
        var a = self
        var b = other
        return a.withUTF8 { a in
            b.withUTF8 { b in
                for index in 0..<a.count where a[index] != b[index] {
                    let lowerA = (65...90).contains(a[index]) ? a[index] | 0x20 : a[index]
                    let lowerB = (65...90).contains(b[index]) ? b[index] | 0x20 : b[index]
                    if lowerA != lowerB { return false }
                }
                return true
            }
        }
    }
}
