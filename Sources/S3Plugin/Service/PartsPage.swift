import EmuPluginKit

/// The paging of part and upload listings (ListParts, ListMultipartUploads, GetObjectAttributes' ObjectParts):
/// the counts a request gives, and the page header a part listing answers with.
enum PartsPage {
    /// A non-negative count (`max-parts`, `part-number-marker`, `max-uploads`, `max-keys`, or their `x-amz-` headers), at most
    /// `cap`; `value` without one.
    /// - Throws: InvalidArgument for anything but a non-negative integer.
    static func count(_ text: String?, _ name: String, default value: Int, cap: Int = .max) throws(AWSError) -> Int {
        guard let text else { return value }
        guard let number = Int(text.trimmingSpaces()), number >= 0 else {
            throw S3Errors.invalidArgument("Provided \(name) not an integer or within integer range",
                                           argument: (name, text))
        }
        return min(number, cap)
    }

    /// PartNumberMarker, NextPartNumberMarker (the last part listed, 0 when none is, as S3 answers it), MaxParts
    /// and IsTruncated.
    static func writeHeader(marker: Int, last: Int?, maxParts: Int, truncated: Bool, to xml: inout XMLWriter) {
        xml.element("PartNumberMarker", marker)
        xml.element("NextPartNumberMarker", last ?? 0)
        xml.element("MaxParts", maxParts)
        xml.element("IsTruncated", truncated)
    }
}
