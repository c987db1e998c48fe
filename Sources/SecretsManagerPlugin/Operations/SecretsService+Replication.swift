import EmuPluginKit

/// Multi-Region secrets: a primary copied into other Regions of its account. Each replica is a secret of its own
/// there, under the same name and ARN suffix, encrypted by KMS in its own Region, read-only, and kept in step with
/// every change of the primary (values, labels, description, tags, resource policy).
extension SecretsService {
    static let replicaWriteMessage = "Operation not permitted on a replica secret. Call must be made in primary "
        + "secret's region."

    /// Only the primary changes: a replica refuses every write in AWS's words.
    func requireNotReplica(_ secret: Secret) throws(AWSError) {
        if secret.isReplica { throw AWSError("InvalidParameterException", Self.replicaWriteMessage) }
    }

    func replicateSecretToRegions(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        try requireNotReplica(secret)
        try requireNotDeleted(secret)
        let requests = try replicaRequests(input["AddReplicaRegions"], of: secret)
        let primary = try addReplicas(requests, to: secret,
                                      overwrite: input["ForceOverwriteReplicaSecret"]?.boolValue ?? false, context)
        return ["ARN": .string(primary.arn), "ReplicationStatus": replicationStatus(primary)]
    }

    func removeRegionsFromReplication(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        try requireNotReplica(secret)
        let regions = input["RemoveReplicaRegions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for region in regions where !secret.replicaRegions.contains(region) {
            throw AWSError("InvalidParameterException", "The secret isn't replicated to the Region \(region).")
        }
        for region in regions { try removeReplica(of: secret, in: region, context) }
        let primary = try updatePrimary(secret, context) { $0.replicas?.removeAll { regions.contains($0.region) } }
        return ["ARN": .string(primary.arn), "ReplicationStatus": replicationStatus(primary)]
    }

    /// Called in the replica's Region: the replica becomes a standalone secret there, and its primary forgets it.
    func stopReplicationToReplica(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        guard let primaryRegion = secret.primaryRegion else {
            throw AWSError("InvalidParameterException", "The secret isn't a replica secret.")
        }
        try store.update(context, key: SecretStore.key(of: secret)) { stored throws(AWSError) in
            guard stored?.arn == secret.arn else { throw AWSError("ResourceNotFoundException", Self.notFoundMessage) }
            stored?.primaryRegion = nil
            stored?.lastChangedDate = now
        }
        if let primary = store.secret(account: secret.accountId, region: primaryRegion, name: secret.name),
            primary.arn == secret.arn(in: primaryRegion)
        {
            _ = try updatePrimary(primary, context) { $0.replicas?.removeAll { $0.region == secret.region } }
        }
        return ["ARN": .string(secret.arn)]
    }

    /// Replicates `secret` to each Region asked for that it is not replicated to yet, and records the outcome on it.
    /// A secret of the same name already in a Region is replaced only with `overwrite`; otherwise that Region's
    /// status is Failed, as AWS reports it.
    @discardableResult
    func addReplicas(_ requests: [(region: String, kmsKeyId: String?)], to secret: Secret, overwrite: Bool,
                     _ context: RequestContext) throws(AWSError) -> Secret
    {
        var added: [SecretReplica] = []
        for request in requests where !secret.replicaRegions.contains(request.region) {
            added.append(writeReplica(of: secret, SecretReplica(region: request.region, kmsKeyId: request.kmsKeyId,
                                                                status: SecretReplica.inSync, statusMessage: ""),
                                      overwrite: overwrite, context))
        }
        return try updatePrimary(secret, context) { $0.replicas = ($0.replicas ?? []) + added }
    }

    /// Brings every replica of `primary` in step with it after a change; a Region that cannot be written (its KMS
    /// key refuses) is reported Failed rather than failing the change the caller made to the primary.
    func syncReplicas(of primary: Secret, _ context: RequestContext) {
        guard let replicas = primary.replicas, !replicas.isEmpty else { return }
        let statuses = replicas.map { writeReplica(of: primary, $0, overwrite: true, context) }
        guard statuses != replicas else { return }
        _ = try? updatePrimary(primary, context) { $0.replicas = statuses }
    }

    /// DescribeSecret's `ReplicationStatus`.
    func replicationStatus(_ secret: Secret) -> JSONValue {
        .array((secret.replicas ?? []).map { replica in
            var entry: [String: JSONValue] = [
                "Region": .string(replica.region), "Status": .string(replica.status),
                "KmsKeyId": .string(replica.kmsKeyId ?? Secret.managedKeyAlias),
            ]
            if !replica.statusMessage.isEmpty { entry["StatusMessage"] = .string(replica.statusMessage) }
            if let accessed = store.secret(account: secret.accountId, region: replica.region, name: secret.name)?
                .lastAccessedDate
            {
                entry["LastAccessedDate"] = .double(accessed)
            }
            return .object(entry)
        })
    }

    /// `AddReplicaRegions` as Regions and KMS keys: another Region than the secret's, each once.
    func replicaRequests(_ value: JSONValue?, of secret: Secret) throws(AWSError) -> [(region: String, kmsKeyId: String?)] {
        var requests: [(region: String, kmsKeyId: String?)] = []
        for entry in value?.arrayValue ?? [] {
            guard let region = entry["Region"]?.stringValue else {
                throw AWSError("InvalidParameterException", "You must specify a Region for each replica.")
            }
            guard region != secret.region, !requests.contains(where: { $0.region == region }) else {
                throw AWSError("InvalidParameterException", "Invalid replica Region \(region): a secret is replicated "
                    + "once to each Region other than its own.")
            }
            requests.append((region, entry["KmsKeyId"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }))
        }
        return requests
    }

    // MARK: - Writing replicas

    /// Writes the replica of `primary` that `replica` describes and answers its new status. Versions the replica
    /// already holds keep their ciphertext; new ones are decrypted under the primary's key and encrypted under
    /// the replica's, by KMS in the replica's Region.
    private func writeReplica(of primary: Secret, _ replica: SecretReplica, overwrite: Bool,
                              _ context: RequestContext) -> SecretReplica
    {
        var status = replica
        let region = replica.region
        let arn = primary.arn(in: region)
        let existing = store.secret(account: primary.accountId, region: region, name: primary.name)
        let ours = existing.flatMap { $0.arn == arn && $0.primaryRegion == primary.region ? $0 : nil }
        if existing != nil, ours == nil, !overwrite {
            status.status = SecretReplica.failed
            status.statusMessage = "Replication failed: a secret with the same name already exists in the Region."
            return status
        }
        do throws(AWSError) {
            var versions: [SecretVersion] = []
            let keyId = replica.kmsKeyId ?? Secret.managedKeyAlias
            for version in primary.versions {
                if var kept = ours?.version(id: version.versionId) {
                    kept.stages = version.stages
                    versions.append(kept)
                    continue
                }
                var plaintext = try cipher.open(version.value, arn: primary.arn, versionId: version.versionId, context)
                defer { for index in plaintext.indices { plaintext[index] = 0 } }
                let sealed = try context.inRegion(region) { regional throws(AWSError) in
                    try cipher.seal(plaintext, kind: version.value.kind, keyId: keyId, arn: arn,
                                    versionId: version.versionId, regional)
                }
                versions.append(SecretVersion(versionId: version.versionId, stages: version.stages,
                                              createdDate: version.createdDate, value: sealed))
            }
            var copy = Secret(name: primary.name, arn: arn, accountId: primary.accountId, region: region,
                              description: primary.description, kmsKeyId: replica.kmsKeyId.flatMap(Secret.customerKey),
                              tags: primary.tags, createdDate: ours?.createdDate ?? now,
                              lastChangedDate: primary.lastChangedDate)
            copy.hasBeenTagged = primary.hasBeenTagged
            copy.resourcePolicy = primary.resourcePolicy
            copy.lastAccessedDate = ours?.lastAccessedDate
            copy.versions = versions
            copy.primaryRegion = primary.region
            try store.update(context, key: SecretStore.key(of: copy)) { stored throws(AWSError) in stored = copy }
            status.status = SecretReplica.inSync
            status.statusMessage = "Replication succeeded"
        } catch {
            status.status = SecretReplica.failed
            status.statusMessage = "Replication failed: \(error.message)"
        }
        return status
    }

    /// Deletes the replica of `primary` in `region` at once (AWS deletes a removed replica without a window).
    private func removeReplica(of primary: Secret, in region: String, _ context: RequestContext) throws(AWSError) {
        let arn = primary.arn(in: region)
        try store.update(context, key: SecretStore.key(account: primary.accountId, region: region, name: primary.name)) {
            stored throws(AWSError) in
            if stored?.arn == arn, stored?.primaryRegion == primary.region { stored = nil }
        }
    }

    /// Changes what the primary records about its replicas, which is no change to the secret itself (its
    /// LastChangedDate stays), and answers the primary as stored.
    private func updatePrimary(_ secret: Secret, _ context: RequestContext, _ change: (inout Secret) -> Void)
        throws(AWSError) -> Secret
    {
        try store.update(context, key: SecretStore.key(of: secret)) { stored throws(AWSError) -> Secret in
            guard var current = stored, current.arn == secret.arn else {
                throw AWSError("ResourceNotFoundException", Self.notFoundMessage)
            }
            change(&current)
            if current.replicas?.isEmpty == true { current.replicas = nil }
            stored = current
            return current
        }
    }
}
