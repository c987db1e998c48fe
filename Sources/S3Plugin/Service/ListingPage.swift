/// One page of a listing, computed from the sorted objects.
struct ListingPage {
    var contents: [S3Object] = []
    var commonPrefixes: [String] = []
    var isTruncated = false
    /// The last key or common prefix on the page: where the next page starts.
    var last: ListingMarker?

    /// - Parameter keepingMarkerKey: entries of the marker's own key are listed (the versions listing passes the
    ///   versions of that key after its version marker); otherwise the marker's key is passed over with the rest.
    init(_ sorted: [S3Object], prefix: String, delimiter: String?, after marker: ListingMarker?, maxKeys: Int,
         keepingMarkerKey: Bool = false)
    {
        let prefixBytes = Array(prefix.utf8)
        let delimiterBytes = delimiter.map { Array($0.utf8) }
        var count = 0
        for object in sorted {
            let key = Array(object.key.utf8)
            guard key.starts(with: prefixBytes) else { continue }
            if let marker, marker.covers(object.key), !(keepingMarkerKey && object.key == marker.value) { continue }
            if let last, last.isCommonPrefix, object.key.utf8.starts(with: last.value.utf8) { continue }
            let rolledUp = delimiterBytes.flatMap {
                Self.commonPrefix(of: key, prefixLength: prefixBytes.count, delimiter: $0)
            }
            // A common prefix that sorts at or before the marker was listed already, even when the marker is a key
            // inside it (as S3 answers a marker such as "folder/sub/file" with delimiter "/").
            if let rolledUp, let marker, marker.covers(rolledUp) { continue }
            if count == maxKeys {
                // S3 answers MaxKeys=0 with an empty page that is not truncated.
                isTruncated = maxKeys > 0
                break
            }
            count += 1
            if let rolledUp {
                commonPrefixes.append(rolledUp)
                last = ListingMarker(value: rolledUp, isCommonPrefix: true)
            } else {
                contents.append(object)
                last = ListingMarker(value: object.key, isCommonPrefix: false)
            }
        }
    }

    /// The common prefix a key rolls up into: the key up to and including the first `delimiter` after its first
    /// `prefixLength` bytes (the listing's prefix); nil when the rest holds none. ListMultipartUploads rolls up the
    /// same way.
    static func commonPrefix(of key: [UInt8], prefixLength: Int, delimiter: [UInt8]) -> String? {
        firstRange(of: delimiter, in: key, from: prefixLength).map { String(decoding: key[..<$0], as: UTF8.self) }
    }

    /// The end index (exclusive) of the first occurrence of `needle` in `bytes` at or after `start`.
    private static func firstRange(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], Array(bytes[index..<index + needle.count]) == needle {
                return index + needle.count
            }
            index += 1
        }
        return nil
    }
}
