/// A secret value as Secrets Manager keeps it at rest: AES-256-GCM ciphertext under a one-off data key, and that
/// data key wrapped by KMS.
///
/// Nothing here can be read without KMS: the data key's plaintext lives only for the duration of one request,
/// so a copy of the state store (or its export) holds no usable secret. The byte fields are base64 so that the
/// persisted JSON record can carry them unchanged.
struct EncryptedValue: Sendable, Codable, Equatable {
    /// Whether the caller stored `SecretString` or `SecretBinary`; answered back in the same member.
    enum Kind: String, Sendable, Codable {
        case string
        case binary
    }

    var kind: Kind
    /// AES-256-GCM ciphertext of the value, base64.
    var ciphertext: String
    /// The 12-byte GCM nonce, base64.
    var iv: String
    /// The 16-byte GCM tag, base64.
    var tag: String
    /// KMS's `CiphertextBlob` of the data key, base64; KMS's Decrypt turns it back into the data key.
    var encryptedDataKey: String
    /// The ARN of the KMS key that wrapped the data key, as KMS reported it.
    var kmsKeyArn: String
    /// Whether that key is the AWS managed key `aws/secretsmanager`, which ListSecretVersionIds names
    /// `DefaultEncryptionKey` rather than by ARN, as AWS does. nil in records written before it was kept.
    var isDefaultKey: Bool?

    /// What ListSecretVersionIds' KmsKeyIds shows for this value: AWS names its managed key there, other keys by
    /// ARN.
    var listedKeyId: String { isDefaultKey == true ? "DefaultEncryptionKey" : kmsKeyArn }
}
