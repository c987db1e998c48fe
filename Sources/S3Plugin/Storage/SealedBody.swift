import EmuPluginKit

/// A body sealed into a new blob, and what was learnt reading it: its MD5 (the ETag), the additional checksums
/// asked for, and the trailer headers of an `aws-chunked` body.
struct SealedBody: Sendable {
    var blob: BlobRef
    /// Every checksum computed, MD5 among them.
    var checksums: [ChecksumAlgorithm: [UInt8]]
    var trailers: [String: String] = [:]

    /// The plaintext's MD5, the ETag.
    var md5: [UInt8] { checksums[.md5] ?? [] }

    /// The base64 value of one of the checksums asked for.
    func value(_ algorithm: ChecksumAlgorithm) -> String? { checksums[algorithm].map(Base64.encode) }
}
