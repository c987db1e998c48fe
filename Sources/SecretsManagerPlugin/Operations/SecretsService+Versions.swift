import EmuPluginKit

/// Creating versions: encryption of a new value, and AWS's ClientRequestToken idempotency.
extension SecretsService {
    /// Encrypts `value` as the new version `versionId` of `secret` under `keyId`.
    func makeVersion(_ value: (bytes: [UInt8], kind: EncryptedValue.Kind), versionId: String, stages: [String],
                     secret: Secret, keyId: String, _ context: RequestContext) throws(AWSError) -> SecretVersion
    {
        let sealed = try cipher.seal(value.bytes, kind: value.kind, keyId: keyId, arn: secret.arn,
                                     versionId: versionId, context)
        return SecretVersion(versionId: versionId, stages: stages, createdDate: now, value: sealed)
    }

    /// A retried request: when `secret` already has a version whose id is the request's token, AWS ignores the
    /// request if the value is the same, and refuses it if not (a version never changes).
    /// - Returns: the existing version for a harmless retry; nil when the token is new.
    /// - Throws: ResourceExistsException for the same token with another value; DecryptionFailure when the
    ///   existing value cannot be read to compare.
    func retriedVersion(token: String, value: (bytes: [UInt8], kind: EncryptedValue.Kind), secret: Secret,
                        _ context: RequestContext) throws(AWSError) -> SecretVersion?
    {
        guard let existing = secret.version(id: token) else { return nil }
        let stored = try cipher.open(existing.value, arn: secret.arn, versionId: token, context)
        guard existing.value.kind == value.kind, stored == value.bytes else {
            throw AWSError("ResourceExistsException",
                           "You can't modify an existing version, you can only create new versions.")
        }
        return existing
    }

    /// Decrypts one version for a read and notes the access (the first read of a day changes LastAccessedDate).
    func readVersion(_ version: SecretVersion, of secret: Secret, _ context: RequestContext) throws(AWSError)
        -> JSONValue
    {
        let plaintext = try cipher.open(version.value, arn: secret.arn, versionId: version.versionId, context)
        let day = Self.day(now)
        _ = try? modify(secret, context, isChange: false) { $0.recordAccess(versionId: version.versionId, day: day) }
        var output: [String: JSONValue] = [
            "ARN": .string(secret.arn), "Name": .string(secret.name), "VersionId": .string(version.versionId),
            "VersionStages": .array(version.stages.map { .string($0) }), "CreatedDate": .double(version.createdDate),
        ]
        switch version.value.kind {
        case .string: output["SecretString"] = .string(String(decoding: plaintext, as: UTF8.self))
        case .binary: output["SecretBinary"] = .string(Base64.encode(plaintext))
        }
        return .object(output)
    }
}
