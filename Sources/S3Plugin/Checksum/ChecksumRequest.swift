import EmuPluginKit

/// The additional checksum an upload request (PutObject, UploadPart) carries: in an `x-amz-checksum-*` header,
/// or announced by `x-amz-trailer` and sent after an `aws-chunked` body. Without one, S3 checks and stores its
/// default, CRC64NVME.
///
/// The errors are S3's: a malformed or doubled header is InvalidRequest before the body is read, a value that
/// does not match the body is BadDigest after.
struct ChecksumRequest: Sendable {
    /// The algorithm the body is checked with and stored under.
    let algorithm: ChecksumAlgorithm
    /// The digest the client sent in a header; nil when it comes in a trailer or was not sent.
    let expected: [UInt8]?
    /// The value follows the body in this trailer.
    let trailer: String?

    /// Whether the client named the algorithm (a header or a trailer), rather than S3 choosing its default.
    var isFromClient: Bool { expected != nil || trailer != nil }

    init(_ request: S3Request) throws(AWSError) {
        let sent = ChecksumAlgorithm.sent(in: request)
        var trailed: ChecksumAlgorithm?
        if let names = request.header("x-amz-trailer") {
            for name in names.split(separator: ",").map({ $0.trimmingSpaces().lowercased() })
            where name.hasPrefix(ChecksumAlgorithm.headerPrefix) {
                guard trailed == nil, let algorithm = ChecksumAlgorithm(headerName: name) else {
                    throw S3Errors.invalidRequest("Value for x-amz-trailer header is invalid.")
                }
                trailed = algorithm
            }
        }
        guard sent.count + (trailed == nil ? 0 : 1) <= 1 else { throw Self.multipleChecksums() }
        let named = sent.first?.algorithm ?? trailed
        if let sdk = request.header("x-amz-sdk-checksum-algorithm") {
            guard let named else {
                throw S3Errors.invalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding "
                    + "x-amz-checksum-* or x-amz-trailer headers were found.")
            }
            guard ChecksumAlgorithm(name: sdk.trimmingSpaces()) == named else {
                throw S3Errors.invalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
            }
        }
        algorithm = named ?? .crc64nvme
        trailer = trailed?.headerName
        expected = try sent.first.map { header throws(AWSError) in try Self.digest(header.value, header.algorithm) }
    }

    /// Checks the body's digest against the value sent in the header or the trailer.
    /// - Throws: InvalidRequest for a trailer that is missing or malformed; BadDigest for a value that does not
    ///   match the body.
    func verify(_ computed: [UInt8], trailers: [String: String]) throws(AWSError) {
        var expected = self.expected
        if let trailer {
            guard let text = trailers[trailer] else {
                throw S3Errors.invalidRequest("The x-amz-trailer header names \(trailer), which the body did not end with.")
            }
            expected = try Self.digest(text, algorithm)
        }
        guard let expected else { return }
        guard expected == computed else { throw Self.badDigest(algorithm) }
    }

    /// Checks the digests that a request with an XML document for a body (DeleteObjects, PutBucketEncryption,
    /// CreateBucket) carries over that document: `Content-MD5` and an additional checksum.
    /// - Returns: whether the request carried either.
    @discardableResult
    static func checkDocumentDigests(_ request: S3Request) throws(AWSError) -> Bool {
        let hasMD5 = try ContentMD5.check(request)
        let checksum = try ChecksumRequest(request)
        guard checksum.isFromClient else { return hasMD5 }
        guard case .memory(_, let trailers) = request.upload,
            let computed = ChecksumHasher.value(of: request.body[...], checksum.algorithm)
        else { throw S3Errors.internalError() }
        try checksum.verify(computed, trailers: trailers)
        return true
    }

    /// `checkDocumentDigests` for a document S3 takes only with a digest (DeleteObjects, PutBucketTagging,
    /// PutBucketLifecycleConfiguration, PutBucketCors).
    /// - Parameter namingChecksums: the refusal names the checksum headers too, as S3's newer answers do (recorded
    ///   for PutBucketTagging in 2025); the older answers recorded for DeleteObjects and PutBucketCors name only
    ///   Content-MD5.
    /// - Throws: InvalidRequest when neither came; the refusals of `checkDocumentDigests`.
    static func requireDocumentDigest(_ request: S3Request, namingChecksums: Bool) throws(AWSError) {
        guard try checkDocumentDigests(request) else {
            throw S3Errors.invalidRequest("Missing required header for this request: Content-MD5"
                + (namingChecksums ? " OR x-amz-checksum-*" : ""))
        }
    }

    /// Checks a sealed upload body against the request's `Content-MD5` and its additional checksum.
    func verify(_ sealed: SealedBody, of request: S3Request) throws(AWSError) {
        try ContentMD5.check(request, bodyMD5: sealed.md5)
        try verify(sealed.checksums[algorithm] ?? [], trailers: sealed.trailers)
    }

    /// More than one checksum in one request.
    static func multipleChecksums() -> AWSError {
        S3Errors.invalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
    }

    /// BadDigest as S3 words it for an additional checksum.
    static func badDigest(_ algorithm: ChecksumAlgorithm, lowercased: Bool = false) -> AWSError {
        let name = lowercased ? algorithm.rawValue.lowercased() : algorithm.rawValue
        return S3Errors.badDigest("The \(name) you specified did not match the calculated checksum.")
    }

    /// The digest a base64 value carries: canonical base64 of exactly the algorithm's length.
    static func digest(_ text: String, _ algorithm: ChecksumAlgorithm) throws(AWSError) -> [UInt8] {
        let value = text.trimmingSpaces()
        guard let bytes = Base64.decode(value), bytes.count == algorithm.digestLength, Base64.encode(bytes) == value else {
            throw S3Errors.invalidRequest("Value for \(algorithm.headerName) header is invalid.")
        }
        return bytes
    }
}
