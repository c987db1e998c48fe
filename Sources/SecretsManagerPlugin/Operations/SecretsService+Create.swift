import EmuPluginKit

extension SecretsService {
    func createSecret(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let name = try input.requiredString("Name")
        guard SecretNames.isValidNewName(name) else { throw AWSError.validation(SecretNames.invalidNameMessage) }
        // Cross-account replicas are not built: refused plainly rather than taken and dropped.
        if input["CrossAccountPrimaryARN"]?.stringValue != nil {
            throw AWSError("NotImplemented", "Cross-account replica secrets (CrossAccountPrimaryARN) are not "
                + "implemented by this emulator.", status: 501)
        }
        let value = try secretValue(input)
        let token = value == nil ? nil : try clientRequestToken(input)
        let tags = try parseTags(input["Tags"])
        let requests = try replicaRequests(input["AddReplicaRegions"], from: context.region)
        let key = SecretStore.key(account: context.accountId, region: context.region, name: name)

        if let existing = store.secret(account: context.accountId, region: context.region, name: name) {
            try refuseExisting(existing)
            // A retried CreateSecret (same token, same value) answers as the first one did.
            if let token, let value, try retriedVersion(token: token, value: value, secret: existing, context) != nil {
                return ["ARN": .string(existing.arn), "Name": .string(name), "VersionId": .string(token)]
            }
            throw Self.alreadyExists(name)
        }

        let now = self.now
        let kmsKeyId = string(input, "KmsKeyId").flatMap(Secret.customerKey)
        var secret = Secret(
            name: name, arn: SecretNames.newArn(name: name, account: context.accountId, region: context.region),
            accountId: context.accountId, region: context.region, description: string(input, "Description"),
            kmsKeyId: kmsKeyId, tags: [], createdDate: now, lastChangedDate: now)
        secret.merge(tags: tags)
        if let value, let token {
            secret.addVersion(try makeVersion(value, versionId: token, stages: [SecretVersion.current], secret: secret,
                                              keyId: secret.effectiveKmsKeyId, context))
        }
        let created = secret
        try store.update(context, key: key) { stored throws(AWSError) in
            if let stored {
                try refuseExisting(stored)
                throw Self.alreadyExists(name)
            }
            stored = created
        }
        var output: [String: JSONValue] = ["ARN": .string(secret.arn), "Name": .string(name)]
        if let token { output["VersionId"] = .string(token) }
        if !requests.isEmpty {
            let primary = try addReplicas(requests, to: created,
                                          overwrite: input["ForceOverwriteReplicaSecret"]?.boolValue ?? false, context)
            output["ReplicationStatus"] = replicationStatus(primary)
        }
        return .object(output)
    }

    private static func alreadyExists(_ name: String) -> AWSError {
        AWSError("ResourceExistsException", "The operation failed because the secret \(name) already exists.")
    }

    /// A name still held by a secret in its recovery window cannot be reused until the window ends or the secret
    /// is restored and deleted for good.
    private func refuseExisting(_ secret: Secret) throws(AWSError) {
        if secret.isScheduledForDeletion {
            throw AWSError("InvalidRequestException", "You can't create this secret because a secret with this name "
                + "is already scheduled for deletion.")
        }
    }

    /// `[{"Key": k, "Value": v}]` as tags; a later duplicate key wins, as AWS applies them in order.
    func parseTags(_ value: JSONValue?) throws(AWSError) -> [SecretTag] {
        guard let list = value?.arrayValue else { return [] }
        var tags: [SecretTag] = []
        for entry in list {
            guard let key = entry["Key"]?.stringValue else {
                throw AWSError("InvalidParameterException", "You must specify a Key for each tag.")
            }
            tags.append(SecretTag(key: key, value: entry["Value"]?.stringValue ?? ""))
        }
        return tags
    }
}
