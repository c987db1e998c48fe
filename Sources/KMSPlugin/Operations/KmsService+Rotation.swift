import EmuPluginKit

extension KmsService {
    /// AWS rotates only symmetric encryption keys whose material KMS made.
    private func requireRotatable(_ key: KmsKey) throws(AWSError) {
        if key.isMultiRegionReplica {
            throw AWSError("UnsupportedOperationException", "\(key.arn) is not a multi-region primary key.")
        }
        if key.origin == .external {
            throw AWSError("UnsupportedOperationException", "\(key.arn) origin is EXTERNAL which is not valid for this operation.")
        }
        guard key.keySpec == .symmetricDefault, key.origin == .awsKMS else {
            throw AWSError("UnsupportedOperationException", "")
        }
    }

    func enableKeyRotation(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        try requireRotatable(key)
        try KeyStateRule.cryptographic.check(key)
        let period = Int(input["RotationPeriodInDays"]?.intValue ?? 365)
        let now = self.now
        syncReplicas(of: try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            key.rotation = RotationSchedule(enabled: true, periodInDays: period,
                                            nextRotationDate: now + Double(period) * 86400)
        })
        return [:]
    }

    func disableKeyRotation(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        try requireRotatable(key)
        try KeyStateRule.cryptographic.check(key)
        syncReplicas(of: try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            key.rotation.enabled = false
            key.rotation.nextRotationDate = nil
        })
        return [:]
    }

    func getKeyRotationStatus(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        // "While a KMS key is pending deletion, its key rotation status is false … If you cancel the deletion, the
        // original key rotation status returns" (GetKeyRotationStatus): answered, not refused, and kept underneath.
        let enabled = key.rotation.enabled && !key.state.isPendingDeletion
        var output: [String: JSONValue] = ["KeyRotationEnabled": .bool(enabled), "KeyId": .string(key.arn)]
        // Asymmetric and HMAC keys cannot rotate, and their status is answered as false: the Terraform provider
        // reads it for every key of origin AWS_KMS, and its acceptance tests pass against AWS for ECC and HMAC keys.
        // Keys with imported material or in a custom key store are refused (the provider never asks for those).
        if key.origin != .awsKMS { try requireRotatable(key) }
        if enabled {
            output["RotationPeriodInDays"] = .int(Int64(key.rotation.periodInDays))
            if let next = key.rotation.nextRotationDate { output["NextRotationDate"] = .double(next) }
        }
        return .object(output)
    }

    static let onDemandRotationLimit = 25

    /// A key may rotate on demand 25 times, deleted imported material included.
    private static func requireOnDemandRotationLeft(_ key: KmsKey) throws(AWSError) {
        guard key.onDemandRotationCount < onDemandRotationLimit else {
            throw AWSError("LimitExceededException", "The on-demand rotations limit has been reached for the given "
                + "keyId. No more on-demand rotations can be performed for this key: \(key.arn)")
        }
    }

    func rotateKeyOnDemand(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .cryptographic)
        if key.origin == .external, key.keySpec == .symmetricDefault, !key.isMultiRegionReplica {
            return try rotateImportedKey(key)
        }
        try requireRotatable(key)
        let now = self.now
        let material = try KeyMaterialFactory.generate(.symmetricDefault)
        let updated = try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            try Self.requireOnDemandRotationLeft(key)
            if key.rotation.enabled, let next = key.rotation.nextRotationDate, next - now < 20 * 60 {
                throw AWSError("ConflictException", "An automatic rotation of \(key.arn) is due within 20 minutes.")
            }
            key.materials.append(KeyMaterialVersion(material: material, createdAt: key.nextMaterialDate(now),
                                                    rotationType: "ON_DEMAND"))
        }
        syncReplicas(of: updated)
        return ["KeyId": .string(updated.arn)]
    }

    /// On-demand rotation of an imported key: the NEW_KEY_MATERIAL imported before becomes current. For a
    /// multi-Region primary, every replica must have had the same material imported first
    /// (PENDING_MULTI_REGION_IMPORT_AND_ROTATION until then); it becomes current in all of them together.
    private func rotateImportedKey(_ key: KmsKey) throws(AWSError) -> JSONValue {
        // The material checked for in the replicas is the one rotated to, even if a request changes it meanwhile.
        let pendingId = key.imports.pendingRotation?.id
        let lagging = replicasLackingPendingMaterial(key)
        if !lagging.isEmpty {
            throw AWSError("KMSInvalidStateException", "The new key material of \(key.arn) must be imported into its "
                + "replica keys first: \(lagging.map(\.region).joined(separator: ", ")).")
        }
        let updated = try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            guard var pending = key.imports.pendingRotation, pending.id == pendingId else {
                throw AWSError("KMSInvalidStateException", "\(key.arn) has no new key material pending rotation: "
                    + "import it first with ImportType NEW_KEY_MATERIAL.")
            }
            try Self.requireOnDemandRotationLeft(key)
            pending.rotationType = "ON_DEMAND"
            pending.createdAt = key.nextMaterialDate(now)
            key.materials.append(pending)
            key.imports.pendingRotation = nil
        }
        let rotatedAt = updated.materials.last?.createdAt ?? now
        for replica in multiRegionFamily(updated) where replica.region != updated.region {
            try? state.write(replica.accountId, replica.region) { store in
                guard var replica = store.keys[updated.keyId], var pending = replica.imports.pendingRotation,
                    pending.id == pendingId
                else { return }
                pending.rotationType = "ON_DEMAND"
                pending.createdAt = rotatedAt
                replica.materials.append(pending)
                replica.imports.pendingRotation = nil
                store.update(replica)
            }
        }
        syncReplicas(of: updated)
        return ["KeyId": .string(updated.arn)]
    }

    /// The replicas of a multi-Region primary that have not yet imported the material it waits to rotate to.
    func replicasLackingPendingMaterial(_ key: KmsKey) -> [KmsKey] {
        guard key.isMultiRegionPrimary, let pendingId = key.imports.pendingRotation?.id else { return [] }
        return multiRegionFamily(key).filter { $0.region != key.region && $0.imports.pendingRotation?.id != pendingId }
    }

    func listKeyRotations(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        // Keys in a custom key store never rotate, as GetKeyRotationStatus says too.
        guard key.keySpec == .symmetricDefault, key.customKeyStoreId == nil else {
            throw AWSError("UnsupportedOperationException", "")
        }
        let page = try Pagination(input, defaultLimit: 100)
        let includeAll = string(input, "IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
        let currentId = key.currentMaterialId
        // Every permanent material in its place, a deleted one (no live version) waiting to be imported again;
        // then the material pending rotation.
        let live = Dictionary(key.materials.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        var versions = key.permanentMaterials.map { (entry: $0, live: live[$0.id]) }
        versions.removeAll { !includeAll && $0.entry.rotationType == nil }
        if includeAll, let pending = key.imports.pendingRotation {
            versions.append((pending.entry, pending))
        }
        let pendingId = key.imports.pendingRotation?.id
        let pendingState = includeAll && !replicasLackingPendingMaterial(multiRegionPrimary(of: key) ?? key).isEmpty
            ? "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" : "PENDING_ROTATION"
        var output: [String: JSONValue] = [:]
        page.page(versions, into: &output, member: "Rotations") { item in
            let (entry, version) = item
            let id = entry.id
            let state = id == pendingId ? pendingState : (id == currentId ? "CURRENT" : "NON_CURRENT")
            var row: [String: JSONValue] = [
                "KeyId": .string(key.arn), "KeyMaterialId": .string(id), "KeyMaterialState": .string(state),
            ]
            if let type = entry.rotationType, id != pendingId {
                row["RotationType"] = .string(type)
                row["RotationDate"] = .double(entry.createdAt)
            }
            guard key.origin == .external else { return .object(row) }
            if let description = entry.materialDescription { row["KeyMaterialDescription"] = .string(description) }
            if let version {
                row["ImportState"] = "IMPORTED"
                row.merge(importExpiration(version)) { _, expiry in expiry }
            } else {
                row["ImportState"] = "PENDING_IMPORT"
            }
            return .object(row)
        }
        return .object(output)
    }

    /// Automatic rotation: every key whose rotation date has come gets new material, and the next date moves on
    /// by its period (several periods at once if the clock jumped).
    func rotateDueKeys(now: Double) {
        var rotatedPrimaries: [KmsKey] = []
        defer { rotatedPrimaries.forEach(syncReplicas) }
        for storeId in state.allStoreIds() {
            state.writeStore(id: storeId) { store in
                for key in store.timedKeys where key.rotation.enabled && key.state == .enabled && key.origin == .awsKMS
                    && !key.isMultiRegionReplica
                {
                    guard var next = key.rotation.nextRotationDate, next <= now,
                        let material = try? KeyMaterialFactory.generate(.symmetricDefault)
                    else { continue }
                    var rotated = key
                    rotated.materials.append(KeyMaterialVersion(material: material, createdAt: key.nextMaterialDate(now),
                                                                rotationType: "AUTOMATIC"))
                    let period = Double(key.rotation.periodInDays) * 86400
                    while next <= now { next += period }
                    rotated.rotation.nextRotationDate = next
                    store.update(rotated)
                    if rotated.multiRegion { rotatedPrimaries.append(rotated) }
                }
            }
        }
    }

    func getKeyLastUsage(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        // Not cross-account, and answered as for a key that does not exist (its documented errors have no
        // AccessDenied), so it looks the key up itself rather than through resolveKey.
        let key = try findKey(try input.requiredString("KeyId"), context, allowAlias: false)
        guard key.accountId == context.accountId else {
            throw AWSError.notFound("Key '\(key.arn)' does not exist")
        }
        try authorize(context.operation, on: key, context)
        let trackingStart = lastUsage.trackingStartDate
        var output: [String: JSONValue] = [
            "KeyId": .string(key.arn), "KeyCreationDate": .double(key.creationDate),
            "TrackingStartDate": .double(max(trackingStart, key.creationDate)),
        ]
        if let usage = lastUsage.usage(for: key.arn) {
            output["KeyLastUsage"] = ["Operation": .string(usage.operation), "Timestamp": .double(usage.timestamp),
                                      "KmsRequestId": .string(usage.requestId)]
        }
        return .object(output)
    }
}
