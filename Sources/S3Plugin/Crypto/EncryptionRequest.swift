import EmuPluginKit

/// The encryption a write asks for: its SSE headers, else the bucket's default rule, else SSE-S3, which S3
/// applies to every object since January 2023.
struct EncryptionRequest: Sendable, Equatable {
    var algorithm: ObjectEncryption.Algorithm
    /// The key the caller (or the bucket rule) named; nil means the AWS managed key `alias/aws/s3`.
    var kmsKeyId: String?
    /// The caller's own encryption context pairs (from `x-amz-server-side-encryption-context`).
    var userContext: [String: String]
    var contextHeader: String?
    var bucketKeyEnabled: Bool

    static let kmsHeaderRequiredMessage = "Server Side Encryption with AWS KMS managed key requires HTTP header "
        + "x-amz-server-side-encryption : aws:kms"
    static let contextFormatMessage = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded "
        + "UTF-8 string holding JSON which represents a string-string map"

    /// Reads the SSE headers of a PutObject, CopyObject or CreateMultipartUpload.
    /// - Throws: InvalidArgument for headers S3 refuses together or an unknown algorithm; NotImplemented for SSE-C.
    static func resolve(_ request: S3Request, bucket: Bucket) throws(AWSError) -> EncryptionRequest {
        if request.header("x-amz-server-side-encryption-customer-algorithm") != nil {
            throw S3Errors.notImplemented("server-side encryption with customer-provided keys (SSE-C)")
        }
        let algorithmHeader = request.header("x-amz-server-side-encryption")
        let keyId = request.header("x-amz-server-side-encryption-aws-kms-key-id")
        let contextHeader = request.header("x-amz-server-side-encryption-context")
        let bucketKeyHeader = request.header("x-amz-server-side-encryption-bucket-key-enabled")?.lowercased()
        let algorithm: ObjectEncryption.Algorithm
        if let algorithmHeader {
            guard let parsed = ObjectEncryption.Algorithm(rawValue: algorithmHeader) else {
                throw S3Errors.invalidArgument("The encryption method specified is not supported",
                                               argument: ("x-amz-server-side-encryption", algorithmHeader))
            }
            algorithm = parsed
        } else if let rule = bucket.encryption, rule.algorithm != "AES256", keyId == nil, contextHeader == nil {
            let algorithm = ObjectEncryption.Algorithm(rawValue: rule.algorithm) ?? .kms
            return EncryptionRequest(algorithm: algorithm, kmsKeyId: rule.kmsMasterKeyId, userContext: [:],
                                     contextHeader: nil,
                                     bucketKeyEnabled: bucketKeyHeader.map { $0 == "true" } ?? rule.bucketKeyEnabled)
        } else {
            algorithm = .aes256
        }
        if algorithm == .aes256, keyId != nil || contextHeader != nil {
            throw S3Errors.invalidArgument(kmsHeaderRequiredMessage)
        }
        var userContext: [String: String] = [:]
        if let contextHeader {
            guard let bytes = Base64.decode(contextHeader), let json = try? JSONValue.parse(bytes),
                let members = json.objectValue
            else { throw S3Errors.invalidArgument(contextFormatMessage) }
            for (name, value) in members {
                guard let text = value.stringValue else { throw S3Errors.invalidArgument(contextFormatMessage) }
                userContext[name] = text
            }
        }
        let bucketKey = bucketKeyHeader.map { $0 == "true" } ?? (bucket.encryption?.bucketKeyEnabled ?? false)
        return EncryptionRequest(algorithm: algorithm, kmsKeyId: keyId, userContext: userContext,
                                 contextHeader: contextHeader, bucketKeyEnabled: algorithm != .aes256 && bucketKey)
    }
}
