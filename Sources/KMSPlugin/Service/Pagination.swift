import EmuPluginKit

/// Limit/Marker pagination as every KMS List operation has it. Markers are opaque to clients; ours carry the
/// offset of the next item.
struct Pagination {
    var limit: Int
    var offset: Int

    init(_ input: JSONValue, defaultLimit: Int = 100) throws(AWSError) {
        limit = Int(input["Limit"]?.intValue ?? Int64(defaultLimit))
        offset = 0
        if let marker = input["Marker"]?.stringValue {
            guard let bytes = Base64.decode(marker), let text = String(validating: bytes, as: UTF8.self),
                text.hasPrefix("kms-page:"), let value = Int(text.dropFirst("kms-page:".count)), value >= 0
            else {
                throw AWSError("InvalidMarkerException", "The marker that specifies where pagination should next begin is not valid.")
            }
            offset = value
        }
    }

    /// One page of `items`, with `Truncated` and (when truncated) `NextMarker` added to `output`.
    func page<T>(_ items: [T], into output: inout [String: JSONValue], member: String, _ render: (T) -> JSONValue) {
        let start = min(offset, items.count)
        let end = min(start + limit, items.count)
        output[member] = .array(items[start..<end].map(render))
        let truncated = end < items.count
        output["Truncated"] = .bool(truncated)
        if truncated { output["NextMarker"] = .string(Base64.encode(Array("kms-page:\(end)".utf8))) }
    }
}
