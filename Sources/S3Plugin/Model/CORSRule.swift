/// One rule of a bucket's CORS configuration: which origins may use which methods with which request headers, and
/// what the browser is told in return.
struct CORSRule: Codable, Sendable, Equatable {
    var id: String?
    var allowedHeaders: [String] = []
    var allowedMethods: [String]
    var allowedOrigins: [String]
    var exposeHeaders: [String] = []
    var maxAgeSeconds: Int?

    /// Whether the rule allows a request from `origin` with `method` and these request headers. An origin or header
    /// pattern may hold one `*`, which stands for any run of characters; header names compare without case.
    func allows(origin: String, method: String, requestHeaders: [String]) -> Bool {
        guard allowedMethods.contains(method), allowedOrigins.contains(where: { Self.wildcard($0, matches: origin) })
        else { return false }
        return requestHeaders.allSatisfy { header in
            allowedHeaders.contains { Self.wildcard($0.lowercased(), matches: header.lowercased()) }
        }
    }

    /// `pattern` with at most one `*` against `text`.
    static func wildcard(_ pattern: String, matches text: String) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == text }
        let head = pattern[..<star]
        let tail = pattern[pattern.index(after: star)...]
        return text.count >= head.count + tail.count && text.hasPrefix(head) && text.hasSuffix(tail)
    }
}
