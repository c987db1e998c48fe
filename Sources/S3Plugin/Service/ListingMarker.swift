import EmuPluginKit

/// Where a listing resumes: after a key, or after a whole common prefix (every key under it was rolled up).
struct ListingMarker: Equatable {
    var value: String
    var isCommonPrefix: Bool

    init(value: String, isCommonPrefix: Bool) {
        self.value = value
        self.isCommonPrefix = isCommonPrefix
    }

    /// Reads an opaque continuation token made by `token`.
    init?(token: String) {
        guard let bytes = Base64.decode(token), bytes.count >= 2, bytes[1] == UInt8(ascii: ":"),
            bytes[0] == UInt8(ascii: "k") || bytes[0] == UInt8(ascii: "p")
        else { return nil }
        value = String(decoding: bytes.dropFirst(2), as: UTF8.self)
        isCommonPrefix = bytes[0] == UInt8(ascii: "p")
    }

    /// The opaque continuation token S3 clients pass back unchanged.
    var token: String { Base64.encode(Array(((isCommonPrefix ? "p:" : "k:") + value).utf8)) }

    /// Whether `key` comes at or before this marker (and so is not listed again).
    func covers(_ key: String) -> Bool {
        if isCommonPrefix, key.utf8.starts(with: value.utf8) { return true }
        return !value.utf8.lexicographicallyPrecedes(key.utf8)
    }
}
