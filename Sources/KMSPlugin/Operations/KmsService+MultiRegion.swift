import EmuPluginKit

extension KmsService {
    /// Every key in the account with this multi-Region key id, primary and replicas, by region.
    func multiRegionFamily(_ key: KmsKey) -> [KmsKey] {
        guard key.multiRegion else { return [key] }
        return state.regions(of: key.accountId).sorted().compactMap { region in
            try? state.read(key.accountId, region) { $0.keys[key.keyId] }
        }
    }

    /// The primary of a multi-Region key, wherever it is now; nil for a single-Region key.
    func multiRegionPrimary(of key: KmsKey) -> KmsKey? {
        guard key.multiRegion else { return nil }
        return (try? state.read(key.accountId, key.primaryRegion ?? key.region) { $0.keys[key.keyId] }) ?? nil
    }

    /// The materials an imported multi-Region replica must have been given besides its own: its primary's,
    /// deleted or not. Read outside the store's lock (it reads the primary's store); `KmsKey.isUsable(requiring:)`
    /// then judges the stored key with it.
    func primaryMaterialsRequired(by key: KmsKey) -> [MaterialEntry] {
        guard key.origin == .external, key.isMultiRegionReplica else { return [] }
        return multiRegionPrimary(of: key)?.permanentMaterials ?? []
    }

    func multiRegionConfiguration(_ key: KmsKey) -> JSONValue {
        let family = multiRegionFamily(key)
        let primaryRegion = key.primaryRegion ?? key.region
        let primaryArn = KmsArn.key(region: primaryRegion, account: key.accountId, keyId: key.keyId)
        let replicas = family.filter { $0.region != primaryRegion }.map { replica -> JSONValue in
            ["Arn": .string(replica.arn), "Region": .string(replica.region)]
        }
        return ["MultiRegionKeyType": .string(key.region == primaryRegion ? "PRIMARY" : "REPLICA"),
                "PrimaryKey": ["Arn": .string(primaryArn), "Region": .string(primaryRegion)],
                "ReplicaKeys": .array(replicas)]
    }

    /// Copies the properties a multi-Region key shares (material, rotation) from `primary` to its replicas.
    ///
    /// Imported material is the exception: "AWS KMS does not copy or synchronize the key material from a primary key
    /// with imported key material to its replica keys" (multi-region-keys-import). Each replica gets it through its
    /// own ImportKeyMaterial, so only the identities of the material it may take are copied.
    func syncReplicas(of snapshot: KmsKey) {
        guard snapshot.multiRegion, snapshot.isMultiRegionPrimary else { return }
        // Re-read the primary: a snapshot taken before a concurrent rotation must not roll replicas back.
        let primary = (try? state.read(snapshot.accountId, snapshot.region) { $0.keys[snapshot.keyId] }) ?? nil ?? snapshot
        for region in state.regions(of: primary.accountId) where region != primary.region {
            try? state.write(primary.accountId, region) { store in
                guard var replica = store.keys[primary.keyId] else { return }
                replica.imports.materialDigest = primary.imports.materialDigest
                replica.imports.knownMaterialIds = primary.imports.knownMaterialIds
                if primary.origin != .external {
                    // Materials only ever accumulate: keep any the replica has that this snapshot of the primary lacks.
                    let known = Set(primary.materials.map(\.id))
                    replica.materials = primary.materials + replica.materials.filter { !known.contains($0.id) }
                    replica.rotation = primary.rotation
                }
                store.update(replica)
            }
        }
    }

    func replicateKey(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        guard key.multiRegion else {
            throw AWSError("UnsupportedOperationException", "\(key.arn) is not a multi-region key.")
        }
        guard key.isMultiRegionPrimary else {
            throw AWSError("UnsupportedOperationException", "\(key.arn) is not a multi-region primary key.")
        }
        if key.state == .disabled { throw AWSError("DisabledException", "\(key.arn) is disabled.") }
        if key.state == .updating {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is updating its primary Region; replicate it once it is Enabled.")
        }
        let region = try input.requiredString("ReplicaRegion")
        guard region != key.region else {
            throw AWSError.validation("The replica region \(region) is the primary key's own region.")
        }
        let tags = try validatedTags(input["Tags"]?.arrayValue ?? [])
        let policy = try input["Policy"]?.stringValue.map { (text: String) throws(AWSError) -> String in
            try validatedPolicy(text, context: context,
                                bypassLockoutCheck: input["BypassPolicyLockoutSafetyCheck"]?.boolValue ?? false)
        } ?? KeyPolicyDefaults.customerManaged(account: key.accountId, region: region)
        var replica = key
        replica.region = region
        replica.primaryRegion = key.region
        replica.creationDate = now
        replica.description = string(input, "Description") ?? ""
        replica.policy = policy
        replica.tags = tags
        // AWS answers with the transient state Creating; the replica is Enabled (or PendingImport) a moment later,
        // at the next tick, so callers meet the wait that AWS documents and their retries are exercised.
        replica.state = .creating
        replica.deletionDate = nil
        replica.pendingDeletionWindowInDays = nil
        replica.imports.parameters = []
        if key.origin == .external {
            // Created without key material: the same material is imported into the replica, with its own expiration.
            replica.materials = []
            replica.imports.deletedMaterials = []
            replica.imports.pendingRotation = nil
        }
        let created = replica
        try state.write(key.accountId, region) { store throws(AWSError) in
            guard store.keys[key.keyId] == nil else {
                throw AWSError("AlreadyExistsException", "Replica of \(key.arn) already exists in region \(region).")
            }
            store.insert(created)
        }
        try updateKey(key) { (primary: inout KmsKey) throws(AWSError) in primary.primaryRegion = primary.region }
        var output: [String: JSONValue] = ["ReplicaKeyMetadata": keyMetadata(created), "ReplicaPolicy": .string(policy)]
        // A replica without tags gets no ReplicaTags member at all, as AWS answered a recorded ReplicateKey.
        if !tags.isEmpty {
            output["ReplicaTags"] = .array(tags.map { ["TagKey": .string($0.key), "TagValue": .string($0.value)] })
        }
        return .object(output)
    }

    /// Keys leave their transient states: a replica made by ReplicateKey goes from Creating to Enabled (or
    /// PendingImport while it lacks material), and the two keys of an UpdatePrimaryRegion from Updating back to
    /// Enabled ("The Enabled key state is restored when the update is complete"; both were Enabled before).
    func finishTransientStates() {
        for storeId in state.allStoreIds() {
            var creating: [KmsKey] = []
            state.writeStore(id: storeId) { store in
                for key in store.timedKeys {
                    if key.state == .creating { creating.append(key) }
                    guard key.state == .updating else { continue }
                    var updated = key
                    updated.state = .enabled
                    store.update(updated)
                }
            }
            guard !creating.isEmpty else { continue }
            // The primary's materials are read outside the store's lock; the key is judged as stored.
            let required = creating.map { ($0.keyId, primaryMaterialsRequired(by: $0)) }
            state.writeStore(id: storeId) { store in
                for (keyId, primaryMaterials) in required {
                    guard var key = store.keys[keyId], key.state == .creating else { continue }
                    key.state = key.isUsable(requiring: primaryMaterials) ? .enabled : .pendingImport
                    store.update(key)
                }
            }
        }
    }

    func updatePrimaryRegion(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        guard key.multiRegion else {
            throw AWSError("UnsupportedOperationException", "\(key.arn) is not a multi-region key.")
        }
        if key.state == .disabled { throw AWSError("DisabledException", "\(key.arn) is disabled.") }
        let newPrimary = try input.requiredString("PrimaryRegion")
        let family = multiRegionFamily(key)
        guard let target = family.first(where: { $0.region == newPrimary }) else {
            throw AWSError.notFound("Key '\(KmsArn.key(region: newPrimary, account: key.accountId, keyId: key.keyId))' does not exist")
        }
        // "Both the primary key and the replica key must be in the Enabled key state when the operation starts."
        if target.state == .disabled { throw AWSError("DisabledException", "\(target.arn) is disabled.") }
        guard target.state == .enabled, key.state == .enabled else {
            let blocking = key.state == .enabled ? target : key
            throw AWSError("KMSInvalidStateException", "\(blocking.arn) is \(blocking.state.rawValue), not Enabled.")
        }
        // The old and the new primary are Updating for a moment (until the next tick), as in AWS: usable in
        // cryptographic operations, but not to be enabled, disabled or replicated.
        let changing: Set<String> = [key.region, newPrimary]
        for member in family {
            try state.write(member.accountId, member.region) { store in
                guard var key = store.keys[member.keyId] else { return }
                key.primaryRegion = newPrimary
                if changing.contains(key.region), key.state == .enabled { key.state = .updating }
                store.update(key)
            }
        }
        return [:]
    }
}
