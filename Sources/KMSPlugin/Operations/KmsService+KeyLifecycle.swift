import EmuCrypto
import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension KmsService {
    func createKey(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        if input["KeySpec"] != nil, input["CustomerMasterKeySpec"] != nil {
            throw AWSError.validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.")
        }
        let specName = string(input, "KeySpec") ?? string(input, "CustomerMasterKeySpec") ?? "SYMMETRIC_DEFAULT"
        guard let spec = KeySpec(rawValue: specName) else { throw AWSError.validation("Invalid KeySpec \(specName)") }
        // SM2 is offered in the China Regions only, as KMS's key spec documentation says and KMS answers elsewhere.
        if spec == .sm2, !KmsArn.isChina(context.region) {
            throw AWSError("UnsupportedOperationException", "KeySpec SM2 is not supported in this Region")
        }
        let usage: KeyUsage
        if let usageName = string(input, "KeyUsage") {
            guard let parsed = KeyUsage(rawValue: usageName) else {
                throw AWSError.validation("KeyUsage \(usageName) is not supported.")
            }
            usage = parsed
            guard spec.allowedUsages.contains(usage) else {
                throw AWSError.validation("KeyUsage \(usage.rawValue) is not compatible with KeySpec \(spec.rawValue)")
            }
        } else {
            guard spec == .symmetricDefault else {
                throw AWSError.validation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
            }
            usage = .encryptDecrypt
        }
        guard let origin = KeyOrigin(rawValue: string(input, "Origin") ?? "AWS_KMS") else {
            throw AWSError.validation("Origin \(string(input, "Origin") ?? "") is not supported.")
        }
        let multiRegion = input["MultiRegion"]?.boolValue ?? false
        let customStore = try customKeyStoreKeyFields(input, context, spec: spec, origin: origin, multiRegion: multiRegion)
        let tags = try validatedTags(input["Tags"]?.arrayValue ?? [])
        var keyId = multiRegion ? "mrk-" + Hex.encode(SecureRandom.bytes(16)) : UUID().uuidString.lowercased()
        var userTags = tags
        if let custom = tags.first(where: { $0.key == CustomKeyTags.idTag }) {
            // The id is written into every ciphertext blob (one length byte, printable ASCII).
            guard (1...255).contains(custom.value.utf8.count), custom.value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else {
                throw AWSError.validation("The \(CustomKeyTags.idTag) tag must be 1 to 255 printable ASCII characters without spaces.")
            }
            keyId = custom.value
            userTags.removeAll { $0.key == CustomKeyTags.idTag }
        }
        let policy = try input["Policy"]?.stringValue.map { (text: String) throws(AWSError) -> String in
            try validatedPolicy(text, context: context,
                                bypassLockoutCheck: input["BypassPolicyLockoutSafetyCheck"]?.boolValue ?? false)
        } ?? PolicyInterner.intern(KeyPolicyDefaults.customerManaged(account: context.accountId, region: context.region))
        let now = self.now
        var keyState = KeyState.enabled
        var materials: [KeyMaterialVersion] = []
        if let supplied = input["__customKeyMaterial"]?.stringValue {
            guard let bytes = Base64.decode(supplied) else {
                throw AWSError.validation("The \(CustomKeyTags.materialTag) tag must be base64.")
            }
            materials = [KeyMaterialVersion(material: try KeyMaterialFactory.fromSupplied(bytes, spec: spec), createdAt: now)]
        } else if origin == .external {
            keyState = .pendingImport
            if KeyMaterialFactory.unavailableSpecs.contains(spec) { _ = try KeyMaterialFactory.generate(spec) }
        } else {
            materials = [KeyMaterialVersion(material: try KeyMaterialFactory.generate(spec), createdAt: now)]
        }
        var key = KmsKey(
            keyId: keyId, accountId: context.accountId, region: context.region, creationDate: now,
            description: string(input, "Description") ?? "", keySpec: spec, keyUsage: usage, origin: origin,
            keyManager: "CUSTOMER", state: keyState, multiRegion: multiRegion, policy: policy, tags: userTags,
            materials: materials)
        key.customKeyStoreId = customStore?.storeId
        key.xksKeyId = customStore?.xksKeyId
        if origin == .external, let supplied = input["__customKeyMaterial"]?.stringValue.flatMap(Base64.decode) {
            do { try key.identifyImportedMaterials([supplied]) } catch { throw AWSError.internalFailure() }
        }
        let created = key
        try state.write(context.accountId, context.region) { store throws(AWSError) in
            guard store.keys[keyId] == nil else {
                throw AWSError("AlreadyExistsException", "A key with the id \(keyId) already exists in this account and region.")
            }
            store.insert(created)
        }
        return ["KeyMetadata": keyMetadata(created)]
    }

    /// Checks a key policy before it is stored: AWS's size quota, JSON, the policy grammar and principals, and
    /// the lockout safety check (the caller must keep kms:PutKeyPolicy) unless it is bypassed.
    func validatedPolicy(_ text: String, context: RequestContext, bypassLockoutCheck: Bool) throws(AWSError) -> String {
        _ = try PolicyDocument.validateNewKeyPolicy(
            text, callerArn: context.principalArn, callerAccount: context.accountId,
            conditionKeys: KmsAuthorizer.requestConditions([:], context), bypassLockoutSafetyCheck: bypassLockoutCheck)
        return text
    }

    func describeKey(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .any)
        return ["KeyMetadata": keyMetadata(key)]
    }

    func listKeys(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let page = try Pagination(input, defaultLimit: 1000)
        // Pages over the ids alone (a store holds keys of its own account and region only): copying every key to
        // answer one page made paging through 200,000 keys quadratic.
        let keyIds = try state.read(context.accountId, context.region) { $0.keyOrder }
        var output: [String: JSONValue] = [:]
        page.page(keyIds, into: &output, member: "Keys") { keyId in
            ["KeyId": .string(keyId),
             "KeyArn": .string(KmsArn.key(region: context.region, account: context.accountId, keyId: keyId))]
        }
        return .object(output)
    }

    func enableKey(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .enableDisable)
        // An imported key that lost material while it was pending deletion comes back Disabled (CancelKeyDeletion);
        // enabled, it waits for that material as PendingImport rather than using what it has left.
        let primaryMaterials = primaryMaterialsRequired(by: key)
        try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            try KeyStateRule.enableDisable.check(key)
            key.state = key.isUsable(requiring: primaryMaterials) ? .enabled : .pendingImport
        }
        return [:]
    }

    func disableKey(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .enableDisable)
        try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            try KeyStateRule.enableDisable.check(key)
            key.state = .disabled
        }
        return [:]
    }

    func updateKeyDescription(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        let description = try input.requiredString("Description")
        try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            try KeyStateRule.management.check(key)
            key.description = description
        }
        return [:]
    }

    func scheduleKeyDeletion(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        let days = Int(input["PendingWindowInDays"]?.intValue ?? 30)
        // The model allows 1–365; KMS itself accepts 7–30 and says so in the model's words.
        if days < 7 || days > 30 {
            throw AWSError.validation("1 validation error detected: Value '\(days)' at 'pendingWindowInDays' failed to "
                + "satisfy constraint: Member must have value \(days < 7 ? "greater than or equal to 7" : "less than or equal to 30")")
        }
        if key.isAWSManaged {
            throw AWSError("UnsupportedOperationException", "\(key.arn) is an AWS managed key, which cannot be deleted.")
        }
        let deletionDate = now + Double(days) * 86400
        // A primary with replicas waits in PendingReplicaDeletion until they are gone; its window starts then.
        let waitsForReplicas = key.isMultiRegionPrimary && multiRegionFamily(key).count > 1
        let updated = try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            try KeyStateRule.management.check(key)
            key.state = waitsForReplicas ? .pendingReplicaDeletion : .pendingDeletion
            key.deletionDate = waitsForReplicas ? nil : deletionDate
            key.pendingDeletionWindowInDays = days
        }
        var output: [String: JSONValue] = ["KeyId": .string(updated.arn), "KeyState": .string(updated.state.rawValue),
                                           "PendingWindowInDays": .int(Int64(days))]
        if let date = updated.deletionDate { output["DeletionDate"] = .double(date) }
        return .object(output)
    }

    func cancelKeyDeletion(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        let updated = try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            guard key.state.isPendingDeletion else {
                throw AWSError("KMSInvalidStateException", "\(key.arn) is not pending deletion")
            }
            key.state = .disabled
            key.deletionDate = nil
            key.pendingDeletionWindowInDays = nil
        }
        return ["KeyId": .string(updated.arn)]
    }

    /// What time brings: new replicas finish Creating and updated primaries Updating, due rotations happen, and keys whose deletion window has
    /// ended are deleted, with their aliases.
    func tick() {
        let now = self.now
        finishTransientStates()
        rotateDueKeys(now: now)
        expireImportedMaterial(now: now)
        let replicasDeleted = deleteKeysPastTheirWindow(now: now)
        // A primary's own window starts when its last replica was deleted, which after a clock jump may be long
        // before now; if that window has ended too, the primary goes in this same tick.
        if startWindowsOfPrimariesWithoutReplicas(now: now, replicasDeletedAt: replicasDeleted) {
            _ = deleteKeysPastTheirWindow(now: now)
        }
    }

    /// Deletes every key whose window has ended; returns, for each multi-Region key id whose replicas went, the
    /// latest of their deletion dates.
    private func deleteKeysPastTheirWindow(now: Double) -> [String: Double] {
        var replicasDeleted: [String: Double] = [:]
        for storeId in state.allStoreIds() {
            state.writeStore(id: storeId) { store in
                let expired = store.timedKeys.filter { key in
                    key.state == .pendingDeletion && (key.deletionDate ?? .infinity) <= now
                }
                for key in expired where key.isMultiRegionReplica {
                    replicasDeleted[key.keyId] = max(replicasDeleted[key.keyId] ?? 0, key.deletionDate ?? now)
                }
                store.remove(keyIds: Set(expired.map(\.keyId)))
            }
        }
        return replicasDeleted
    }

    /// A primary in PendingReplicaDeletion whose replicas are all deleted starts its own waiting period, from the
    /// moment the last of them was deleted when this tick deleted it (`replicasDeletedAt`), else from now. Returns
    /// whether a window that has already ended was started.
    private func startWindowsOfPrimariesWithoutReplicas(now: Double, replicasDeletedAt: [String: Double]) -> Bool {
        var endedAlready = false
        for storeId in state.allStoreIds() {
            var candidates: [KmsKey] = []
            state.writeStore(id: storeId) { store in
                candidates = store.timedKeys.filter { $0.state == .pendingReplicaDeletion }
            }
            for key in candidates where multiRegionFamily(key).count == 1 {
                let start = replicasDeletedAt[key.keyId] ?? now
                let deletionDate = start + Double(key.pendingDeletionWindowInDays ?? 30) * 86400
                _ = try? updateKey(key) { (key: inout KmsKey) throws(AWSError) in
                    key.state = .pendingDeletion
                    key.deletionDate = deletionDate
                }
                endedAlready = endedAlready || deletionDate <= now
            }
        }
        return endedAlready
    }
}
