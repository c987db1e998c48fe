import EmuCrypto
import EmuPluginKit

/// How one object (or multipart upload) is encrypted at rest, and what S3 says about it in its headers.
///
/// Every object has a data key of its own; only the wrapped form is kept. SSE-KMS wraps it with KMS
/// (GenerateDataKey's `CiphertextBlob`, opened again with Decrypt under the same encryption context); SSE-S3 wraps
/// it with the plugin's host-managed key (see `HostKeyring`).
struct ObjectEncryption: Codable, Sendable, Equatable {
    enum Algorithm: String, Codable, Sendable {
        case aes256 = "AES256"
        case kms = "aws:kms"
        case kmsDSSE = "aws:kms:dsse"
    }

    var algorithm: Algorithm
    /// Base64. SSE-S3: `nonce | ciphertext | tag` under the host key. SSE-KMS: KMS's CiphertextBlob. nil when the
    /// KMS key did not exist and S3_SKIP_KMS_KEY_VALIDATION let the write through: the data key was discarded,
    /// so the body can never be read, as S3 could never have read it either.
    var wrappedKey: String?
    /// The KMS key's ARN as KMS reported it (SSE-KMS only).
    var kmsKeyArn: String?
    /// The encryption context bound to the data key: `aws:s3:arn` plus the caller's own pairs (SSE-KMS only).
    var kmsContext: [String: String]?
    /// The caller's `x-amz-server-side-encryption-context` header, answered back as it came.
    var contextHeader: String?
    var bucketKeyEnabled: Bool

    var usesKMS: Bool { algorithm != .aes256 }

    /// The ETag of an object stored in one piece: the MD5 of its data under SSE-S3; under SSE-KMS an opaque value,
    /// since objects "encrypted by SSE-C or SSE-KMS, have ETags that are not an MD5 digest of their object data"
    /// (S3's Object.ETag). A client that compares such an ETag with its MD5 must fail here as it would on AWS.
    func etag(dataMD5: [UInt8]) -> String {
        usesKMS ? Hex.encode(SecureRandom.bytes(16)) : Hex.encode(dataMD5)
    }

    /// The SSE headers S3 answers on PUT, GET, HEAD, copy and multipart calls.
    func responseHeaders(includeContext: Bool = false) -> [(String, String)] {
        var headers = [("x-amz-server-side-encryption", algorithm.rawValue)]
        if usesKMS, let kmsKeyArn { headers.append(("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyArn)) }
        if includeContext, let contextHeader {
            headers.append(("x-amz-server-side-encryption-context", contextHeader))
        }
        if bucketKeyEnabled { headers.append(("x-amz-server-side-encryption-bucket-key-enabled", "true")) }
        return headers
    }
}
