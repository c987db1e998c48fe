import EmuPluginKit

/// One of S3's additional checksum algorithms (`x-amz-checksum-<name>`, `ChecksumAlgorithm` in the API).
///
/// Values travel as base64 of the digest's big-endian bytes, as the SDKs compute them.
enum ChecksumAlgorithm: String, CaseIterable, Codable, Sendable {
    case crc32 = "CRC32"
    case crc32c = "CRC32C"
    case crc64nvme = "CRC64NVME"
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"
    case md5 = "MD5"
    case xxhash64 = "XXHASH64"
    case xxhash3 = "XXHASH3"
    case xxhash128 = "XXHASH128"

    /// The algorithm a name from a header or an XML element names, in any case.
    init?(name: String) {
        self.init(rawValue: name.uppercased())
    }

    /// The algorithm an `x-amz-checksum-<name>` header (or trailer) names; nil for any other header.
    init?(headerName: String) {
        let lowered = headerName.lowercased()
        guard lowered.hasPrefix(Self.headerPrefix) else { return nil }
        self.init(name: String(lowered.dropFirst(Self.headerPrefix.count)))
    }

    /// The algorithm `x-amz-checksum-algorithm` names (CreateMultipartUpload, CopyObject); nil without the header.
    /// - Throws: InvalidRequest for a name S3 does not know.
    static func named(in request: S3Request) throws(AWSError) -> ChecksumAlgorithm? {
        guard let name = request.header("x-amz-checksum-algorithm") else { return nil }
        guard let algorithm = ChecksumAlgorithm(name: name.trimmingSpaces()) else {
            throw S3Errors.invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of "
                + "the valid types: [\(allCases.map(\.rawValue).joined(separator: ", "))]")
        }
        return algorithm
    }

    static let headerPrefix = "x-amz-checksum-"

    /// The `x-amz-checksum-<algorithm>` headers a request carries, with their values, in one pass over its
    /// headers (one at most is allowed). `x-amz-checksum-mode`, `-type` and `-algorithm` name no algorithm.
    static func sent(in request: S3Request) -> [(algorithm: ChecksumAlgorithm, value: String)] {
        request.headers.compactMap { name, value in ChecksumAlgorithm(headerName: name).map { ($0, value) } }
    }

    /// `x-amz-checksum-crc32`, …: the header that carries a value, also the trailer's name.
    var headerName: String { Self.headerPrefix + rawValue.lowercased() }

    /// `ChecksumCRC32`, …: the element (and SDK field) that carries a value.
    var elementName: String { "Checksum\(rawValue)" }

    var digestLength: Int {
        switch self {
        case .crc32, .crc32c: return 4
        case .crc64nvme, .xxhash64, .xxhash3: return 8
        case .sha1: return 20
        case .sha256: return 32
        case .sha512: return 64
        case .md5, .xxhash128: return 16
        }
    }

    /// A CRC can be combined from its parts, so a multipart upload may have a FULL_OBJECT checksum of it.
    var isCRC: Bool { self == .crc32 || self == .crc32c || self == .crc64nvme }

    /// The type a multipart upload gets when CreateMultipartUpload names the algorithm but no type: CRC64NVME
    /// only exists as a full-object checksum, every other algorithm is composite unless asked otherwise.
    var defaultMultipartType: ChecksumType { self == .crc64nvme ? .fullObject : .composite }
}

/// How a multipart object's checksum is made: over the whole body, or over the parts' checksums.
enum ChecksumType: String, Codable, Sendable {
    case composite = "COMPOSITE"
    case fullObject = "FULL_OBJECT"

    /// The type `x-amz-checksum-type` names; nil without the header.
    static func named(in request: S3Request) throws(AWSError) -> ChecksumType? {
        guard let text = request.header("x-amz-checksum-type") else { return nil }
        guard let type = ChecksumType(rawValue: text.trimmingSpaces().uppercased()) else {
            throw S3Errors.invalidRequest("Value for x-amz-checksum-type header is invalid.")
        }
        return type
    }
}
