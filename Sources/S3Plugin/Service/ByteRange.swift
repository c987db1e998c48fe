import EmuPluginKit

/// The `Range` header of a GET, as S3 reads it: one `bytes=` range; anything S3 does not understand (several
/// ranges, bad syntax) is ignored and the whole object is answered.
enum ByteRange: Equatable {
    case whole
    case bytes(ClosedRange<Int64>)
    /// A range that starts past the end: 416 InvalidRange.
    case unsatisfiable

    static func parse(_ header: String, size: Int64) -> ByteRange {
        let text = header.trimmingSpaces()
        guard text.hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingSpaces()
        let last = spec[spec.index(after: dash)...].trimmingSpaces()
        if first.isEmpty {
            guard let suffix = Int64(last) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .bytes(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int64(first) else { return .whole }
        let end: Int64
        if last.isEmpty {
            end = size - 1
        } else {
            guard let value = Int64(last), value >= start else { return .whole }
            end = min(value, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .bytes(start...end)
    }
}
