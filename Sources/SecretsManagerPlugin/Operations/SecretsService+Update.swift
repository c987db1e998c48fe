import EmuPluginKit

extension SecretsService {
    func updateSecret(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let value = try secretValue(input)
        // A new value needs its ClientRequestToken, checked before the secret is looked up (AWS answers a missing
        // token first, even for a secret that does not exist).
        let token = value == nil ? nil : try clientRequestToken(input)
        let secret = try resolve(try input.requiredString("SecretId"), context, forValue: value != nil, forWrite: true)
        try requireNotDeleted(secret)
        let description = string(input, "Description")
        // An empty KmsKeyId means the AWS managed key (UpdateSecret's documentation), which is stored as no key.
        let newKeyId = string(input, "KmsKeyId").map { $0.isEmpty ? Secret.managedKeyAlias : $0 }
        let keyId = newKeyId ?? secret.effectiveKmsKeyId

        var newVersion: SecretVersion?
        var versionId: String?
        if let value, let token {
            versionId = token
            if try retriedVersion(token: token, value: value, secret: secret, context) == nil {
                newVersion = try makeVersion(value, versionId: token, stages: [SecretVersion.current], secret: secret,
                                             keyId: keyId, context)
            }
        }
        let reencrypted = try reencryptStagedVersions(secret, newKeyId: newKeyId, context)
        try modify(secret, context) { stored throws(AWSError) in
            try requireNotDeleted(stored)
            if let description { stored.description = description }
            if let newKeyId { stored.kmsKeyId = Secret.customerKey(newKeyId) }
            for (id, sealed) in reencrypted {
                if let index = stored.versions.firstIndex(where: { $0.versionId == id }) {
                    stored.versions[index].value = sealed
                }
            }
            if let newVersion {
                guard stored.version(id: newVersion.versionId) == nil else {
                    throw AWSError("ResourceExistsException",
                                   "You can't modify an existing version, you can only create new versions.")
                }
                stored.addVersion(newVersion)
            }
        }
        var output: [String: JSONValue] = ["ARN": .string(secret.arn), "Name": .string(secret.name)]
        if let versionId { output["VersionId"] = .string(versionId) }
        return .object(output)
    }

    /// When UpdateSecret names another KMS key, AWS re-encrypts the versions labelled AWSCURRENT, AWSPENDING and
    /// AWSPREVIOUS under it (same version ids, same encryption context); deprecated versions keep their old key.
    /// A caller without permission on the new key leaves the old encryption in place, as AWS documents; any other
    /// KMS failure on the new key is an EncryptionFailure.
    private func reencryptStagedVersions(_ secret: Secret, newKeyId: String?, _ context: RequestContext)
        throws(AWSError) -> [String: EncryptedValue]
    {
        guard let newKeyId, newKeyId != secret.effectiveKmsKeyId else { return [:] }
        let labels: Set<String> = [SecretVersion.current, SecretVersion.pending, SecretVersion.previous]
        var result: [String: EncryptedValue] = [:]
        for version in secret.versions where version.stages.contains(where: labels.contains) {
            let plaintext = try cipher.open(version.value, arn: secret.arn, versionId: version.versionId, context)
            do {
                result[version.versionId] = try cipher.seal(plaintext, kind: version.value.kind, keyId: newKeyId,
                                                            arn: secret.arn, versionId: version.versionId, context)
            } catch where error.message.contains("KMS answered AccessDeniedException") {
                continue
            }
        }
        return result
    }

    func updateSecretVersionStage(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        try requireNotDeleted(secret)
        let stage = try input.requiredString("VersionStage")
        let moveTo = string(input, "MoveToVersionId")
        let removeFrom = string(input, "RemoveFromVersionId")
        try modify(secret, context) { stored throws(AWSError) in
            for id in [moveTo, removeFrom].compactMap({ $0 }) where stored.version(id: id) == nil {
                throw AWSError("InvalidParameterException", "Not a valid version: \(id)")
            }
            let holder = stored.version(stage: stage)?.versionId
            if let removeFrom, holder != removeFrom {
                throw AWSError("InvalidParameterException", "Version stage \(stage) not found in version \(removeFrom)")
            }
            // Also with no MoveToVersionId: a label that is attached comes off only from the version named.
            if let holder, holder != moveTo, removeFrom == nil {
                throw AWSError("InvalidParameterException", "The parameter RemoveFromVersionId can't be empty. "
                    + "Staging label \(stage) is currently attached to version \(holder), so you must explicitly "
                    + "reference that version in RemoveFromVersionId.")
            }
            if stage == SecretVersion.current, moveTo == nil {
                throw AWSError("InvalidParameterException", "You can't remove the staging label AWSCURRENT from a "
                    + "version without moving it to another version with MoveToVersionId.")
            }
            stored.detach(stage)
            if let moveTo { stored.attach(stage, to: moveTo) }
            // Moving AWSCURRENT makes the version it left AWSPREVIOUS, as every new current version does.
            if stage == SecretVersion.current, let moveTo, let holder, holder != moveTo {
                stored.detach(SecretVersion.previous)
                stored.attach(SecretVersion.previous, to: holder)
            }
        }
        return ["ARN": .string(secret.arn), "Name": .string(secret.name)]
    }
}
