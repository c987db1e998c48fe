import EmuPluginKit

/// Multi-Region secrets: a primary copied into other Regions of its account. Each replica is a secret of its own
/// there, under the same name and ARN suffix, encrypted by KMS in its own Region, read-only, and kept in step with
/// every change of the primary (values, labels, description, tags, resource policy).
///
/// Whatever writes replicas, or the primary's record of them, holds the family's lock (`withFamilyLock`) and reads
/// the primary afresh under it; the store's own lock is taken only for each single read or write inside.
extension SecretsService {
    static let replicaWriteMessage = "Operation not permitted on a replica secret. Call must be made in primary "
        + "secret's region."

    /// Only the primary changes: a replica refuses every write in AWS's words.
    func requireNotReplica(_ secret: Secret) throws(AWSError) {
        if secret.isReplica { throw AWSError("InvalidParameterException", Self.replicaWriteMessage) }
    }

    func replicateSecretToRegions(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        try requireNotDeleted(secret)
        let requests = try replicaRequests(input["AddReplicaRegions"], from: secret.region)
        let primary = try addReplicas(requests, to: secret,
                                      overwrite: input["ForceOverwriteReplicaSecret"]?.boolValue ?? false, context)
        return ["ARN": .string(primary.arn), "ReplicationStatus": replicationStatus(primary)]
    }

    func removeRegionsFromReplication(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        let regions = input["RemoveReplicaRegions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let primary = try withFamilyLock(of: secret) { () throws(AWSError) -> Secret in
            let primary = try current(secret)
            for region in regions where !primary.replicaRegions.contains(region) {
                throw AWSError("InvalidParameterException", "The secret isn't replicated to the Region \(region).")
            }
            for region in regions { try removeReplica(of: primary, in: region, context) }
            return try updatePrimary(primary, context) { $0.replicas?.removeAll { regions.contains($0.region) } }
        }
        return ["ARN": .string(primary.arn), "ReplicationStatus": replicationStatus(primary)]
    }

    /// Called in the replica's Region: the replica becomes a standalone secret there, and its primary forgets it.
    func stopReplicationToReplica(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        guard let primaryRegion = secret.primaryRegion else {
            throw AWSError("InvalidParameterException", "The secret isn't a replica secret.")
        }
        try withFamilyLock(of: secret) { () throws(AWSError) in
            try store.update(context, key: SecretStore.key(of: secret)) { stored throws(AWSError) in
                guard stored?.arn == secret.arn, stored?.primaryRegion != nil else {
                    throw AWSError("ResourceNotFoundException", Self.notFoundMessage)
                }
                stored?.primaryRegion = nil
                stored?.lastChangedDate = now
            }
            // The replica is standalone now whatever becomes of its primary's record.
            if let primary = store.secret(account: secret.accountId, region: primaryRegion, name: secret.name),
                primary.arn == secret.arn(in: primaryRegion)
            {
                _ = try? updatePrimary(primary, context) { $0.replicas?.removeAll { $0.region == secret.region } }
            }
        }
        return ["ARN": .string(secret.arn)]
    }

    /// Replicates `secret` to each Region asked for, and records the outcome on it. A Region it is already in sync
    /// with is left alone; one that failed is tried again. A secret of the same name already in a Region is
    /// replaced only with `overwrite`; otherwise that Region's status is Failed, as AWS reports it.
    @discardableResult
    func addReplicas(_ requests: [(region: String, kmsKeyId: String?)], to secret: Secret, overwrite: Bool,
                     _ context: RequestContext) throws(AWSError) -> Secret
    {
        try withFamilyLock(of: secret) { () throws(AWSError) -> Secret in
            let primary = try current(secret)
            try requireNotDeleted(primary)
            let plaintexts = PlaintextCache(primary: primary, cipher: cipher, context: context)
            defer { plaintexts.wipe() }
            var outcomes: [SecretReplica] = []
            for request in requests {
                if primary.replicas?.contains(where: { $0.region == request.region && $0.status == SecretReplica.inSync })
                    == true { continue }
                outcomes.append(writeReplica(of: primary, SecretReplica(
                    region: request.region, kmsKeyId: request.kmsKeyId, status: SecretReplica.inSync, statusMessage: ""),
                                             overwrite: overwrite, plaintexts, context))
            }
            do throws(AWSError) {
                return try updatePrimary(primary, context) { stored in
                    var replicas = stored.replicas ?? []
                    for outcome in outcomes {
                        if let index = replicas.firstIndex(where: { $0.region == outcome.region }) {
                            replicas[index] = outcome
                        } else {
                            replicas.append(outcome)
                        }
                    }
                    stored.replicas = replicas
                }
            } catch {
                // The primary went meanwhile: the replicas just written go too.
                for outcome in outcomes where outcome.status == SecretReplica.inSync {
                    try? removeReplica(of: primary, in: outcome.region, context)
                }
                throw error
            }
        }
    }

    /// Brings every replica of the secret in step with it after a change. A Region that cannot be written (its KMS
    /// key refuses, or a secret that is not the replica stands in its place) is reported Failed rather than
    /// failing the change the caller made to the primary.
    func syncReplicas(of secret: Secret, _ context: RequestContext) {
        // Nothing in here throws: a Region that fails is reported in its status.
        try? withFamilyLock(of: secret) { () throws(AWSError) in
            guard let primary = try? current(secret), let replicas = primary.replicas, !replicas.isEmpty else { return }
            let plaintexts = PlaintextCache(primary: primary, cipher: cipher, context: context)
            defer { plaintexts.wipe() }
            let outcomes = replicas.map { writeReplica(of: primary, $0, overwrite: false, plaintexts, context) }
            guard outcomes != replicas else { return }
            _ = try? updatePrimary(primary, context) { stored in
                for outcome in outcomes {
                    if let index = stored.replicas?.firstIndex(where: { $0.region == outcome.region }) {
                        stored.replicas?[index] = outcome
                    }
                }
            }
        }
    }

    /// DescribeSecret's `ReplicationStatus`.
    func replicationStatus(_ secret: Secret) -> JSONValue {
        .array((secret.replicas ?? []).map { replica in
            var entry: [String: JSONValue] = [
                "Region": .string(replica.region), "Status": .string(replica.status),
                "KmsKeyId": .string(replica.kmsKeyId ?? Secret.managedKeyAlias),
            ]
            if !replica.statusMessage.isEmpty { entry["StatusMessage"] = .string(replica.statusMessage) }
            if let copy = self.replica(of: secret, in: replica.region), let accessed = copy.lastAccessedDate {
                entry["LastAccessedDate"] = .double(accessed)
            }
            return .object(entry)
        })
    }

    /// `AddReplicaRegions` as Regions and KMS keys: each once, another Region than the secret's (`home`), in its
    /// partition (AWS replicates within a partition only); a key naming the AWS managed key is nil.
    func replicaRequests(_ value: JSONValue?, from home: String) throws(AWSError) -> [(region: String, kmsKeyId: String?)] {
        var requests: [(region: String, kmsKeyId: String?)] = []
        for entry in value?.arrayValue ?? [] {
            guard let region = entry["Region"]?.stringValue else {
                throw AWSError("InvalidParameterException", "You must specify a Region for each replica.")
            }
            guard region != home, !requests.contains(where: { $0.region == region }),
                SecretNames.partition(region) == SecretNames.partition(home)
            else {
                throw AWSError("InvalidParameterException", "Invalid replica Region \(region): a secret is replicated "
                    + "once to each other Region of its partition.")
            }
            requests.append((region, entry["KmsKeyId"]?.stringValue.flatMap(Secret.customerKey)))
        }
        return requests
    }

    // MARK: - Writing replicas

    /// Runs `body` holding the lock of `secret`'s replicated family (its primary's, for a replica).
    private func withFamilyLock<R>(of secret: Secret, _ body: () throws(AWSError) -> R) throws(AWSError) -> R {
        let key = SecretStore.key(account: secret.accountId, region: secret.primaryRegion ?? secret.region,
                                  name: secret.name)
        let lock = replicationLocks.withLock { locks in
            if let lock = locks[key] { return lock }
            let lock = LockedBox(())
            locks[key] = lock
            return lock
        }
        return try lock.withLock { _ throws(AWSError) in try body() }
    }

    /// The stored secret `secret` was read from, as it is now.
    private func current(_ secret: Secret) throws(AWSError) -> Secret {
        guard let stored = store.secret(account: secret.accountId, region: secret.region, name: secret.name),
            stored.arn == secret.arn
        else { throw AWSError("ResourceNotFoundException", Self.notFoundMessage) }
        return stored
    }

    /// The replica of `primary` in `region`, if the secret there is that replica.
    private func replica(of primary: Secret, in region: String) -> Secret? {
        store.secret(account: primary.accountId, region: region, name: primary.name)
            .flatMap { Self.isReplica($0, of: primary) ? $0 : nil }
    }

    private static func isReplica(_ secret: Secret, of primary: Secret) -> Bool {
        secret.arn == primary.arn(in: secret.region) && secret.primaryRegion == primary.region
    }

    /// Writes the replica of `primary` that `replica` describes and answers its new status. Versions the replica
    /// already holds keep their ciphertext; new ones are taken from `plaintexts` and encrypted under the replica's
    /// key, by KMS in the replica's Region.
    private func writeReplica(of primary: Secret, _ replica: SecretReplica, overwrite: Bool,
                              _ plaintexts: PlaintextCache, _ context: RequestContext) -> SecretReplica
    {
        var status = replica
        let region = replica.region
        let arn = primary.arn(in: region)
        let existing = store.secret(account: primary.accountId, region: region, name: primary.name)
        let ours = existing.flatMap { Self.isReplica($0, of: primary) ? $0 : nil }
        let inTheWay = AWSError("ResourceExistsException", "a secret with the same name already exists in the Region.")
        do throws(AWSError) {
            if existing != nil, ours == nil, !overwrite { throw inTheWay }
            var versions: [SecretVersion] = []
            let keyId = replica.kmsKeyId ?? Secret.managedKeyAlias
            for version in primary.versions {
                if var kept = ours?.version(id: version.versionId) {
                    kept.stages = version.stages
                    versions.append(kept)
                    continue
                }
                let plaintext = try plaintexts.value(of: version)
                let sealed = try context.inRegion(region) { regional throws(AWSError) in
                    try cipher.seal(plaintext, kind: version.value.kind, keyId: keyId, arn: arn,
                                    versionId: version.versionId, regional)
                }
                versions.append(SecretVersion(versionId: version.versionId, stages: version.stages,
                                              createdDate: version.createdDate, value: sealed))
            }
            var copy = Secret(name: primary.name, arn: arn, accountId: primary.accountId, region: region,
                              description: primary.description, kmsKeyId: replica.kmsKeyId,
                              tags: primary.tags, createdDate: ours?.createdDate ?? now,
                              creationSequence: ours?.creationSequence,
                              lastChangedDate: primary.lastChangedDate)
            copy.hasBeenTagged = primary.hasBeenTagged
            copy.resourcePolicy = primary.resourcePolicy
            copy.lastAccessedDate = ours?.lastAccessedDate
            copy.versions = versions
            copy.primaryRegion = primary.region
            let replacing = ours
            try store.update(context, key: SecretStore.key(of: copy)) { stored throws(AWSError) in
                // Something else took the name while KMS was asked: it stays, unless it may be overwritten.
                if let stored, stored != replacing, !overwrite { throw inTheWay }
                stored = copy
            }
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
    /// LastChangedDate stays), and answers the primary as stored. A primary scheduled for deletion takes none.
    private func updatePrimary(_ secret: Secret, _ context: RequestContext, _ change: (inout Secret) -> Void)
        throws(AWSError) -> Secret
    {
        try modify(secret, context, isChange: false) { stored throws(AWSError) -> Secret in
            try requireNotDeleted(stored)
            change(&stored)
            if stored.replicas?.isEmpty == true { stored.replicas = nil }
            return stored
        }
    }
}
