import EmuCrypto
import EmuPluginKit

extension KmsService {
    /// Import is only for keys created with Origin EXTERNAL.
    private func requireExternal(_ key: KmsKey) throws(AWSError) {
        guard key.origin == .external else {
            throw AWSError("UnsupportedOperationException",
                           "\(key.arn) origin is \(key.origin.rawValue) which is not valid for this operation.")
        }
    }

    static let importTokenLifetime: Double = 24 * 3600

    func getParametersForImport(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        try requireExternal(key)
        let algorithm = try input.requiredString("WrappingAlgorithm")
        let specName = try input.requiredString("WrappingKeySpec")
        // Still in the model's enum, but refused since KMS dropped it (its documentation for WrappingAlgorithm).
        if algorithm == "RSAES_PKCS1_V1_5" {
            throw AWSError.validation("As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping "
                + "algorithm.")
        }
        if (specName == "SM2") != (algorithm == "SM2PKE") {
            throw AWSError.validation("Wrapping algorithm \(algorithm) is not compatible with wrapping key spec \(specName).")
        }
        if specName == "SM2", !KmsArn.isChina(context.region) {
            throw AWSError("UnsupportedOperationException", "Wrapping key spec SM2 is supported only in China Regions.")
        }
        guard let wrappingSpec = KeySpec(rawValue: specName),
            case .asymmetric(let wrappingKey) = try KeyMaterialFactory.generate(wrappingSpec)
        else {
            throw AWSError.internalFailure()
        }
        let publicKey: [UInt8]
        do { publicKey = try wrappingKey.publicKeyDER() } catch { throw AWSError.internalFailure() }
        let validTo = now + Self.importTokenLifetime
        // The token is opaque to clients; ours is random and names the parameters it was issued with.
        let token = Array("kms-import-v1:".utf8) + SecureRandom.bytes(48)
        try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            key.imports.parameters.append(ImportParameters(token: token, wrappingKey: wrappingKey,
                                                           wrappingAlgorithm: algorithm, validTo: validTo))
            if key.imports.parameters.count > 10 { key.imports.parameters.removeFirst() }
        }
        return ["KeyId": .string(key.arn), "ImportToken": .string(Base64.encode(token)),
                "PublicKey": .string(Base64.encode(publicKey)), "ParametersValidTo": .double(validTo)]
    }

    func importKeyMaterial(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .management)
        try requireExternal(key)
        let token = try input.requiredBlob("ImportToken")
        guard let parameters = key.imports.parameters.last(where: { $0.token == token }) else {
            throw AWSError("InvalidImportTokenException", "The import token is not valid for \(key.arn).")
        }
        guard parameters.validTo > now else {
            throw AWSError("ExpiredImportTokenException", "The import token has expired.")
        }
        // ExpirationModel: "The default is KEY_MATERIAL_EXPIRES", so an import that names neither it nor ValidTo is
        // refused below, as AWS refuses it.
        let expirationModel = string(input, "ExpirationModel") ?? "KEY_MATERIAL_EXPIRES"
        let validTo = input["ValidTo"]?.doubleValue
        if expirationModel == "KEY_MATERIAL_EXPIRES", validTo == nil {
            throw AWSError.validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
        }
        if expirationModel == "KEY_MATERIAL_DOES_NOT_EXPIRE", validTo != nil {
            throw AWSError.validation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
        }
        if let validTo, validTo <= now {
            throw AWSError.validation("The validTo date must be in the future.")
        }
        // ImportKeyMaterial's ValidTo: "The maximum value is 365 days from the request date."
        if let validTo, validTo > now + 365 * 86400 {
            throw AWSError.validation("The validTo date must be no more than 365 days from now.")
        }
        let isNewMaterial = string(input, "ImportType") == "NEW_KEY_MATERIAL"
        let isReplica = key.isMultiRegionReplica
        if isNewMaterial, isReplica {
            // ImportKeyMaterial: "You cannot directly import new key material into the replica Region keys."
            throw AWSError("UnsupportedOperationException", "New key material can be imported only into the primary "
                + "key of a multi-Region key; import the same material into \(key.arn) with ImportType "
                + "EXISTING_KEY_MATERIAL.")
        }
        if isNewMaterial {
            guard key.keySpec == .symmetricDefault else {
                throw AWSError("UnsupportedOperationException",
                               "New key material for on-demand rotation can be imported only into symmetric encryption keys.")
            }
            guard key.imports.materialDigest != nil else {
                throw AWSError.validation("ImportType NEW_KEY_MATERIAL needs key material imported before it.")
            }
        }
        guard let plaintext = KeyUnwrap.unwrap(try input.requiredBlob("EncryptedKeyMaterial"), with: parameters.wrappingKey,
                                               algorithm: parameters.wrappingAlgorithm)
        else { throw AWSError("InvalidCiphertextException", "The key material could not be unwrapped with the import parameters.") }
        let material = try importedMaterial(plaintext, spec: key.keySpec)
        let materialId = try KeyMaterialVersion.importedId(of: plaintext)
        let digest = Hex.decode(materialId) ?? []
        let known = Set(key.imports.knownMaterialIds + [key.imports.materialDigest.map(Hex.encode)].compactMap { $0 })
        if isNewMaterial {
            if known.contains(materialId) {
                throw AWSError("IncorrectKeyMaterialException", "NEW_KEY_MATERIAL must differ from the key material "
                    + "previously imported into this KMS key.")
            }
        } else if !known.isEmpty, !known.contains(materialId) {
            throw AWSError("IncorrectKeyMaterialException", "The key material you are importing must be the same as "
                + "the key material previously imported into this KMS key.")
        }
        if let requested = string(input, "KeyMaterialId"), requested != materialId {
            throw AWSError("IncorrectKeyMaterialException", "The key material does not match KeyMaterialId \(requested).")
        }
        var version = KeyMaterialVersion(id: materialId, material: material, createdAt: now)
        version.expirationModel = expirationModel
        version.validTo = validTo
        version.materialDescription = string(input, "KeyMaterialDescription")
        // A replica takes only its primary's materials, each in the primary's place for it, and is usable once it
        // has every one the primary holds for good. The material the primary waits to rotate to it takes as
        // pending too; the primary's RotateKeyOnDemand makes that current everywhere at once.
        var primaryMaterials: [MaterialEntry] = []
        var joinsRotation = false
        if isReplica {
            guard let primary = multiRegionPrimary(of: key), primary.imports.materialDigest != nil else {
                throw AWSError("KMSInvalidStateException", "Import the key material into the primary key of \(key.arn) first.")
            }
            primaryMaterials = primary.permanentMaterials
            joinsRotation = primary.imports.pendingRotation?.id == materialId
            guard joinsRotation || primaryMaterials.contains(where: { $0.id == materialId }) else {
                throw AWSError("IncorrectKeyMaterialException", "The key material you are importing must be the same "
                    + "as the key material of the primary key \(primary.arn).")
            }
        }
        let updated = try updateKey(key) { (key: inout KmsKey) throws(AWSError) in
            key.imports.parameters.removeAll { $0.token == token }
            if key.imports.materialDigest == nil { key.imports.materialDigest = digest }
            if !key.imports.knownMaterialIds.contains(materialId) { key.imports.knownMaterialIds.append(materialId) }
            if isNewMaterial || joinsRotation || materialId == key.imports.pendingRotation?.id {
                // Imported again (EXISTING_KEY_MATERIAL), pending material stays pending: only rotation makes it
                // current. Its description stays unless a new one is given.
                var pending = version
                if pending.materialDescription == nil, key.imports.pendingRotation?.id == materialId {
                    pending.materialDescription = key.imports.pendingRotation?.materialDescription
                }
                key.imports.pendingRotation = pending
            } else if let entry = key.imports.deletedMaterials.first(where: { $0.id == materialId })
                ?? primaryMaterials.first(where: { $0.id == materialId }).map({ entry in
                    // The primary's place for it, not the primary's description.
                    MaterialEntry(id: entry.id, createdAt: entry.createdAt, rotationType: entry.rotationType)
                })
            {
                key.restoreMaterial(version, as: entry)
            } else if let index = key.materials.firstIndex(where: { $0.id == materialId }) {
                // Imported again to change its expiration (and description): each material has its own.
                key.materials[index].expirationModel = version.expirationModel
                key.materials[index].validTo = version.validTo
                if let description = version.materialDescription { key.materials[index].materialDescription = description }
            } else {
                version.createdAt = key.nextMaterialDate(now)
                key.materials.append(version)
            }
            if key.state == .pendingImport, key.isUsable(requiring: primaryMaterials) { key.state = .enabled }
        }
        syncReplicas(of: updated)
        return ["KeyId": .string(updated.arn), "KeyMaterialId": .string(version.id)]
    }

    /// Checks imported bytes against the key spec: 32 bytes for symmetric keys, the HMAC length range, or a
    /// DER PKCS#8 private key of the right type.
    private func importedMaterial(_ bytes: [UInt8], spec: KeySpec) throws(AWSError) -> KeyMaterial {
        if spec.isHMAC {
            let minimum = spec.hmacKeyLength
            guard bytes.count >= minimum, bytes.count <= 64 * (spec == .hmac384 || spec == .hmac512 ? 2 : 1) else {
                throw AWSError("IncorrectKeyMaterialException", "Key material for \(spec.rawValue) must be \(minimum) "
                    + "to \(spec == .hmac384 || spec == .hmac512 ? 128 : 64) bytes.")
            }
            return .symmetric(bytes)
        }
        do {
            return try KeyMaterialFactory.fromSupplied(bytes, spec: spec)
        } catch {
            throw AWSError("IncorrectKeyMaterialException", "The key material is not valid for key spec \(spec.rawValue).")
        }
    }

    func deleteImportedKeyMaterial(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        try requireExternal(key)
        let materialId = string(input, "KeyMaterialId")
        if let materialId, materialId == key.imports.pendingRotation?.id {
            return try deletePendingMaterial(of: key, materialId: materialId)
        }
        if let materialId, key.material(id: materialId) == nil,
            !key.imports.deletedMaterials.contains(where: { $0.id == materialId })
        {
            throw AWSError.notFound("Key material \(materialId) does not exist in \(key.arn).")
        }
        // Only the material named, or the current one: the key's other materials stay, so once it is imported
        // again every ciphertext of the key decrypts as before.
        let target = materialId ?? key.currentMaterialId
        let updated = try updateKey(key) { (key: inout KmsKey) throws(AWSError) in key.deleteImportedMaterial(id: target) }
        var output: [String: JSONValue] = ["KeyId": .string(updated.arn)]
        if let target { output["KeyMaterialId"] = .string(target) }
        return .object(output)
    }

    /// Deletes new material waiting for on-demand rotation. It is not yet permanently part of the key, so the
    /// key's state stays; deleted from a multi-Region primary, it goes from the replicas too
    /// (DeleteImportedKeyMaterial, "Considerations for multi-Region symmetric encryption keys").
    private func deletePendingMaterial(of key: KmsKey, materialId: String) throws(AWSError) -> JSONValue {
        let updated = try updateKey(key) { (key: inout KmsKey) throws(AWSError) in key.dropPendingMaterial() }
        dropPendingMaterial(materialId, fromReplicasOf: updated)
        return ["KeyId": .string(updated.arn), "KeyMaterialId": .string(materialId)]
    }

    /// Takes pending material its primary no longer has from a multi-Region primary's replicas, and the id from
    /// what they may import.
    private func dropPendingMaterial(_ materialId: String, fromReplicasOf primary: KmsKey) {
        syncReplicas(of: primary)
        guard primary.isMultiRegionPrimary else { return }
        for replica in multiRegionFamily(primary) where replica.region != primary.region {
            try? state.write(replica.accountId, replica.region) { store in
                guard var replica = store.keys[primary.keyId], replica.imports.pendingRotation?.id == materialId
                else { return }
                replica.imports.pendingRotation = nil
                store.update(replica)
            }
        }
    }

    /// Imported material whose ValidTo has passed is deleted, each material by its own date: a permanent one puts
    /// the key back to PendingImport; one pending rotation just goes, as if deleted.
    func expireImportedMaterial(now: Double) {
        var expiredPending: [(primary: KmsKey, materialId: String)] = []
        for storeId in state.allStoreIds() {
            state.writeStore(id: storeId) { store in
                for key in store.timedKeys where key.origin == .external {
                    guard let next = key.nextExpiry, next <= now else { continue }
                    var expired = key
                    for version in key.materials where (version.validTo ?? .infinity) <= now {
                        expired.deleteImportedMaterial(id: version.id)
                    }
                    if let pending = key.imports.pendingRotation, (pending.validTo ?? .infinity) <= now {
                        expired.dropPendingMaterial()
                        if key.isMultiRegionPrimary { expiredPending.append((expired, pending.id)) }
                    }
                    store.update(expired)
                }
            }
        }
        // As when it is deleted, pending material that expires in a primary goes from its replicas too.
        for (primary, materialId) in expiredPending { dropPendingMaterial(materialId, fromReplicasOf: primary) }
    }
}
