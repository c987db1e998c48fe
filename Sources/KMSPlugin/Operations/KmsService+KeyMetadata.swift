import EmuPluginKit

extension KmsService {
    /// `KeyMetadata` as DescribeKey, CreateKey and ReplicateKey return it, with every field the current API has.
    func keyMetadata(_ key: KmsKey) -> JSONValue {
        var m: [String: JSONValue] = [
            "AWSAccountId": .string(key.accountId),
            "KeyId": .string(key.keyId),
            "Arn": .string(key.arn),
            "CreationDate": .double(key.creationDate),
            "Enabled": .bool(key.state == .enabled),
            "Description": .string(key.description),
            "KeyUsage": .string(key.keyUsage.rawValue),
            "KeyState": .string(key.state.rawValue),
            "Origin": .string(key.origin.rawValue),
            "KeyManager": .string(key.keyManager),
            "CustomerMasterKeySpec": .string(key.keySpec.rawValue),
            "KeySpec": .string(key.keySpec.rawValue),
            "MultiRegion": .bool(key.multiRegion),
        ]
        if let algorithms = key.keySpec.encryptionAlgorithms(for: key.keyUsage) {
            m["EncryptionAlgorithms"] = .array(algorithms.map(JSONValue.string))
        }
        if let algorithms = key.keySpec.signingAlgorithms(for: key.keyUsage) {
            m["SigningAlgorithms"] = .array(algorithms.map(JSONValue.string))
        }
        if let algorithms = key.keySpec.macAlgorithms(for: key.keyUsage) {
            m["MacAlgorithms"] = .array(algorithms.map(JSONValue.string))
        }
        if let algorithms = key.keySpec.keyAgreementAlgorithms(for: key.keyUsage) {
            m["KeyAgreementAlgorithms"] = .array(algorithms.map(JSONValue.string))
        }
        if key.keyUsage == .encapsulateDecapsulate { m["EncapsulationAlgorithms"] = ["ML_KEM"] }
        if let deletionDate = key.deletionDate { m["DeletionDate"] = .double(deletionDate) }
        if let window = key.pendingDeletionWindowInDays { m["PendingDeletionWindowInDays"] = .int(Int64(window)) }
        // KeyMetadata.ValidTo: "the earliest time at which any imported key material permanently associated with
        // this KMS key expires"; ExpirationModel says whether there is such a time. A key without imported material
        // (never imported, or all of it deleted or expired) has neither: AWS leaves ExpirationModel out, which the
        // Terraform provider's acceptance tests against AWS expect for a new EXTERNAL key.
        if key.origin == .external, !key.materials.isEmpty {
            var fields: [String: JSONValue] = ["ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"]
            if let validTo = key.earliestPermanentExpiry {
                fields = ["ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": .double(validTo)]
            }
            m.merge(fields) { _, expiry in expiry }
        }
        // AWS reports the current material only for symmetric encryption keys of origin AWS_KMS or EXTERNAL, not
        // for keys in a custom key store.
        if key.keySpec == .symmetricDefault, key.customKeyStoreId == nil, let current = key.currentMaterial,
            key.state != .pendingImport
        {
            m["CurrentKeyMaterialId"] = .string(current.id)
        }
        if key.multiRegion { m["MultiRegionConfiguration"] = multiRegionConfiguration(key) }
        if let storeId = key.customKeyStoreId {
            m["CustomKeyStoreId"] = .string(storeId)
            if let cluster = (try? state.read(key.accountId, key.region) { $0.customKeyStores[storeId]?.cloudHsmClusterId }) ?? nil {
                m["CloudHsmClusterId"] = .string(cluster)
            }
        }
        if let xksKeyId = key.xksKeyId { m["XksKeyConfiguration"] = ["Id": .string(xksKeyId)] }
        return .object(m)
    }

    /// ExpirationModel and ValidTo of imported material, as ListKeyRotations shows them for each material and
    /// DescribeKey for the current one.
    func importExpiration(_ version: KeyMaterialVersion?) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "ExpirationModel": .string(version?.expirationModel ?? "KEY_MATERIAL_DOES_NOT_EXPIRE"),
        ]
        if let validTo = version?.validTo { fields["ValidTo"] = .double(validTo) }
        return fields
    }
}
