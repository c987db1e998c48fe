/// One rule of a bucket's CORS configuration: which origins may use which methods with which request headers, and
/// what the browser is told in return.
struct CORSRule: Codable, Sendable, Equatable {
    var id: String?
    var allowedHeaders: [String] = []
    var allowedMethods: [String]
    var allowedOrigins: [String]
    var exposeHeaders: [String] = []
    var maxAgeSeconds: Int?

    /// Whether the rule allows a request from `origin` with `method` and these request headers, which the caller
    /// has lower-cased. An origin or header pattern may hold one `*`, which stands for any run of bytes; header
    /// names compare without case, everything else byte for byte.
    func allows(origin: String, method: String, requestHeaders: [String]) -> Bool {
        guard allowedMethods.contains(method), allowedOrigins.contains(where: { Self.wildcard($0, matches: origin) })
        else { return false }
        guard !requestHeaders.isEmpty else { return true }
        let patterns = allowedHeaders.map { $0.lowercased() }
        let exact = Set(patterns.filter { !$0.contains("*") })
        let wildcards = patterns.filter { $0.contains("*") }
        return requestHeaders.allSatisfy { header in
            exact.contains(header) || wildcards.contains { Self.wildcard($0, matches: header) }
        }
    }

    /// `pattern` with at most one `*` against `text`, compared as UTF-8 bytes (a browser's origin is ASCII; two
    /// spellings of the same accented letter are different origins).
    static func wildcard(_ pattern: String, matches text: String) -> Bool {
        let pattern = Array(pattern.utf8)
        let text = Array(text.utf8)
        guard let star = pattern.firstIndex(of: UInt8(ascii: "*")) else { return pattern == text }
        let head = pattern[..<star]
        let tail = pattern[(star + 1)...]
        return text.count >= head.count + tail.count && text.starts(with: head) && text.suffix(tail.count).elementsEqual(tail)
    }
}
