/// `application/x-www-form-urlencoded` and percent decoding, shared by the host (Query protocol, query strings)
/// and plugins (S3 paths and query strings), so every part of awsemu reads a request's text the same way.
public enum FormDecoding {
    /// Decodes `a=1&b=x%20y` into pairs, in order. `+` is a space, as forms encode it.
    public static func pairs(_ text: String) -> [(String, String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            if let eq = part.firstIndex(of: "=") {
                return (percentDecoded(part[..<eq]), percentDecoded(part[part.index(after: eq)...]))
            }
            return (percentDecoded(part[...]), "")
        }
    }

    /// The pairs as a dictionary; a repeated name keeps its first value, and a name without `=` (S3's
    /// sub-resources, `?uploads`) maps to the empty string.
    public static func dictionary(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in pairs(text) where result[key] == nil { result[key] = value }
        return result
    }

    /// Decodes `%XX` escapes, and `+` as a space when `plusIsSpace` (forms and query strings; not paths). An
    /// invalid escape is kept as written; bytes that are not UTF-8 are repaired rather than refused.
    public static func percentDecoded(_ text: Substring, plusIsSpace: Bool = true) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) })
        else { return String(text) }
        let source = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            let byte = source[index]
            // A `%` that does not start a valid escape stays, and the bytes after it are read afresh (`%%41` is `%A`).
            if byte == UInt8(ascii: "%"), index + 2 < source.count,
                let high = hexValue(source[index + 1]), let low = hexValue(source[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
