/// The additional checksum S3 keeps with an object (and reports with `x-amz-checksum-mode: ENABLED`).
struct StoredChecksum: Codable, Sendable, Equatable {
    var algorithm: ChecksumAlgorithm
    /// Base64 of the digest; a composite multipart checksum ends in `-<number of parts>`.
    var value: String
    var type: ChecksumType

    /// The value without a composite checksum's `-<number of parts>`: what GetObjectAttributes answers, and the
    /// digest a claim is compared with.
    var digestValue: String {
        guard type == .composite, let dash = value.lastIndex(of: "-") else { return value }
        return String(value[..<dash])
    }

    /// `x-amz-checksum-<algorithm>` and `x-amz-checksum-type`, as PutObject, GET and HEAD answer them.
    var responseHeaders: [(String, String)] {
        [(algorithm.headerName, value), ("x-amz-checksum-type", type.rawValue)]
    }

    /// `<ChecksumCRC32>` and `<ChecksumType>`, as CompleteMultipartUpload and CopyObject answer them.
    func write(to xml: inout XMLWriter) {
        xml.element(algorithm.elementName, value)
        xml.element("ChecksumType", type.rawValue)
    }
}
