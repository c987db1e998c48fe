import EmuCrypto
import EmuPluginKit

/// Makes and recovers the per-object data keys: from KMS for SSE-KMS, from the host keyring for SSE-S3.
///
/// The encryption context is the one S3 uses, `{"aws:s3:arn": "arn:aws:s3:::<bucket>/<key>"}`, merged with the
/// caller's `x-amz-server-side-encryption-context`; it is stored with the object (it is not secret) so that
/// Decrypt can present it again.
final class DataKeys: Sendable {
    let keyring = HostKeyring()
    let kms = KMSClient()

    /// S3_SKIP_KMS_KEY_VALIDATION=1 lets a write name a KMS key that does not exist (LocalStack's flag).
    private var skipKMSKeyValidation: Bool {
        guard let value = PluginHost.current?.config("S3_SKIP_KMS_KEY_VALIDATION") else { return false }
        return ["1", "true", "yes", "on"].contains(value.lowercased())
    }

    /// A new data key for the object `arn` in a bucket of `region`, and how it is kept.
    ///
    /// With S3_SKIP_KMS_KEY_VALIDATION=1 and a KMS key that does not exist, the write goes through as S3 would
    /// have refused it: the body is sealed under a random key that is then thrown away, the object answers with
    /// the SSE-KMS headers it asked for, and reading it fails with `KMS.NotFoundException`, as reading an object
    /// under a deleted key does. No plaintext is ever stored, and nothing pretends a key protects it.
    /// - Returns: the encryption record and the plaintext data key (used for this request, then dropped).
    func newKey(_ spec: EncryptionRequest, arn: String, region: String, _ context: RequestContext)
        throws(AWSError) -> (ObjectEncryption, [UInt8])
    {
        let dataKey: [UInt8]
        guard spec.algorithm != .aes256 else {
            dataKey = SecureRandom.bytes(32)
            let wrapped = try keyring.wrap(dataKey, arn: arn, context: context)
            return (ObjectEncryption(algorithm: .aes256, wrappedKey: wrapped, kmsKeyArn: nil, kmsContext: nil,
                                     contextHeader: nil, bucketKeyEnabled: false), dataKey)
        }
        var encryptionContext = spec.userContext
        encryptionContext["aws:s3:arn"] = arn
        let keyId = spec.kmsKeyId ?? KMSClient.managedKeyAlias
        do throws(KMSClient.Refusal) {
            let generated = try kms.generateDataKey(keyId: keyId, encryptionContext: encryptionContext,
                                                    region: region, context)
            return (ObjectEncryption(algorithm: spec.algorithm, wrappedKey: generated.ciphertextBlob,
                                     kmsKeyArn: generated.keyArn, kmsContext: encryptionContext,
                                     contextHeader: spec.contextHeader, bucketKeyEnabled: spec.bucketKeyEnabled),
                    generated.plaintext)
        } catch where error.kmsCode == "NotFoundException" && skipKMSKeyValidation {
            PluginHost.current?.warning("S3_SKIP_KMS_KEY_VALIDATION: \(arn) names KMS key \(keyId), which does "
                + "not exist; it is stored but can never be read")
            return (ObjectEncryption(algorithm: spec.algorithm, wrappedKey: nil,
                                     kmsKeyArn: Self.arn(of: keyId, region: region, account: context.accountId),
                                     kmsContext: encryptionContext, contextHeader: spec.contextHeader,
                                     bucketKeyEnabled: spec.bucketKeyEnabled), SecureRandom.bytes(32))
        } catch {
            throw error.error
        }
    }

    /// Recovers the data key of a stored object or upload.
    /// - Throws: S3's rendering of KMS's refusal (a disabled key is `KMS.DisabledException`), or NotImplemented
    ///   when KMS is not loaded.
    func dataKey(of encryption: ObjectEncryption, arn: String, region: String, _ context: RequestContext)
        throws(AWSError) -> [UInt8]
    {
        guard let wrapped = encryption.wrappedKey else {
            throw AWSError("KMS.NotFoundException",
                           "Key '\(encryption.kmsKeyArn ?? "")' does not exist", status: 400)
        }
        guard encryption.usesKMS else { return try keyring.unwrap(wrapped, arn: arn) }
        return try kms.decrypt(ciphertextBlob: wrapped, keyArn: encryption.kmsKeyArn,
                               encryptionContext: encryption.kmsContext ?? ["aws:s3:arn": arn], region: region, context)
    }

    /// The ARN S3 reports for a key it could not validate: as given when it is one, else built from the id or
    /// alias name in the bucket's region.
    static func arn(of keyId: String, region: String, account: String) -> String {
        if keyId.hasPrefix("arn:") { return keyId }
        if keyId.hasPrefix("alias/") { return "arn:aws:kms:\(region):\(account):\(keyId)" }
        return "arn:aws:kms:\(region):\(account):key/\(keyId)"
    }
}
