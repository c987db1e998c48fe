import EmuPluginKit

/// Compares an `If-Match` / `If-None-Match` value (`*`, or a comma-separated list of quoted or bare ETags) with an
/// object's ETag.
enum ETagMatch {
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            var value = candidate.trimmingSpaces()
            if value == "*" { return true }
            if value.hasPrefix("W/") { value.removeFirst(2) }
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value == etag
        }
    }
}
