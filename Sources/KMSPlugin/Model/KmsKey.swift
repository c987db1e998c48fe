import EmuCrypto
import EmuPluginKit

/// A tag on a KMS key.
struct KmsTag: Sendable, Equatable {
    var key: String
    var value: String
}

/// Automatic rotation settings, as GetKeyRotationStatus reports them.
struct RotationSchedule: Sendable {
    var enabled = false
    var periodInDays = 365
    var nextRotationDate: Double?
}

/// Imported key material bookkeeping for an EXTERNAL key.
struct ImportState: Sendable {
    /// Import tokens issued by GetParametersForImport that have not been used up, newest last.
    var parameters: [ImportParameters] = []
    /// SHA-256 of the material once imported: a re-import must bring the same material, even after
    /// DeleteImportedKeyMaterial or expiry.
    var materialDigest: [UInt8]?
    /// Every KeyMaterialId ever imported (hex SHA-256 of the material): a re-import must bring one of these.
    var knownMaterialIds: [String] = []
    /// NEW_KEY_MATERIAL imported for on-demand rotation, waiting for RotateKeyOnDemand.
    var pendingRotation: KeyMaterialVersion?
    /// Materials deleted by DeleteImportedKeyMaterial or expiry: their bytes are gone, but AWS goes on listing them
    /// (ImportState PENDING_IMPORT), and the key stays PendingImport until each is imported again.
    var deletedMaterials: [MaterialEntry] = []
}

/// A material's place among a key's materials, without its bytes: what is left of a deleted imported material,
/// or where a multi-Region replica puts the primary's material when it is imported into it.
struct MaterialEntry: Sendable, Equatable {
    var id: String
    var createdAt: Double
    var rotationType: String?
    /// The KeyMaterialDescription it was imported with, which ListKeyRotations goes on showing.
    var materialDescription: String?
}

/// One GetParametersForImport answer: the wrapping key pair and the algorithm the material must be wrapped with.
struct ImportParameters: Sendable {
    var token: [UInt8]
    var wrappingKey: EVPKey
    var wrappingAlgorithm: String
    var validTo: Double
}

/// A KMS key: its metadata, policy, tags and every version of its material.
///
/// A value type: the store hands out copies, so a request works on a consistent snapshot without holding the
/// store's lock while it does cryptography (the material itself is shared by reference).
struct KmsKey: Sendable {
    var keyId: String
    var accountId: String
    var region: String
    var creationDate: Double
    var description: String
    var keySpec: KeySpec
    var keyUsage: KeyUsage
    var origin: KeyOrigin
    /// CUSTOMER, or AWS for the managed keys behind `alias/aws/*`.
    var keyManager: String
    var state: KeyState
    var deletionDate: Double?
    var pendingDeletionWindowInDays: Int?
    var multiRegion: Bool
    /// For multi-Region keys: the region of the primary key (this key's own region when it is the primary).
    var primaryRegion: String?
    var policy: String
    var tags: [KmsTag]
    var materials: [KeyMaterialVersion]
    var rotation = RotationSchedule()
    /// Keys in a custom key store: the store, and for an external key store the proxy's key id.
    var customKeyStoreId: String?
    var xksKeyId: String?
    /// EXTERNAL keys: outstanding GetParametersForImport answers, and what was imported.
    var imports = ImportState()

    var arn: String { KmsArn.key(region: region, account: accountId, keyId: keyId) }

    /// The material new ciphertext is made with: the newest, unless a newer one was deleted (an imported key then
    /// waits for that one to be imported again, and has no current material to use).
    var currentMaterial: KeyMaterialVersion? {
        guard let live = materials.last else { return nil }
        if imports.deletedMaterials.contains(where: { $0.createdAt > live.createdAt }) { return nil }
        return live
    }

    /// Drops a material's bytes and remembers where it stood (DeleteImportedKeyMaterial, expiry).
    mutating func deleteMaterial(id: String) {
        guard let index = materials.lastIndex(where: { $0.id == id }) else { return }
        imports.deletedMaterials.append(materials.remove(at: index).entry)
    }

    /// Deletes imported material that is part of the key (DeleteImportedKeyMaterial, expiry): the key waits in
    /// PendingImport until it is imported again, unless it is pending deletion, which it stays.
    mutating func deleteImportedMaterial(id: String?) {
        if let id { deleteMaterial(id: id) }
        if !state.isPendingDeletion { state = .pendingImport }
    }

    /// Drops material waiting for on-demand rotation (deleted, or expired). It was never part of the key, so its
    /// id may come back only as new material; a replica keeps it, as its primary's, to import it again.
    mutating func dropPendingMaterial() {
        guard let pending = imports.pendingRotation else { return }
        imports.pendingRotation = nil
        if !isMultiRegionReplica { imports.knownMaterialIds.removeAll { $0 == pending.id } }
    }

    /// Puts re-imported bytes back in the deleted material's place among the key's materials (oldest first).
    /// `imported` brings the bytes and the new import's expiration and description; the entry, the material's place.
    mutating func restoreMaterial(_ imported: KeyMaterialVersion, as entry: MaterialEntry) {
        imports.deletedMaterials.removeAll { $0.id == entry.id }
        guard material(id: entry.id) == nil else { return }
        var restored = imported
        restored.id = entry.id
        restored.createdAt = entry.createdAt
        restored.rotationType = entry.rotationType
        if restored.materialDescription == nil { restored.materialDescription = entry.materialDescription }
        let index = materials.firstIndex { $0.createdAt > entry.createdAt } ?? materials.count
        materials.insert(restored, at: index)
    }

    /// When the next of the key's imported materials expires, the one pending rotation included: when the tick
    /// has something to do for it.
    var nextExpiry: Double? {
        [earliestPermanentExpiry, imports.pendingRotation?.validTo].compactMap { $0 }.min()
    }

    /// The earliest ValidTo of the key's permanent materials: DescribeKey's ValidTo ("the earliest time at which
    /// any imported key material permanently associated with this KMS key expires").
    var earliestPermanentExpiry: Double? { materials.compactMap(\.validTo).min() }

    /// The creation date for the key's next material: `now`, but always after every material the key has had, so
    /// that the order of creation dates is the order of the materials even when the host clock was moved back
    /// (it is not kept across a restart) or two materials come within a millisecond.
    func nextMaterialDate(_ now: Double) -> Double {
        let latest = (materials.map(\.createdAt) + imports.deletedMaterials.map(\.createdAt)).max()
        guard let latest, latest >= now else { return now }
        return latest + 0.001
    }

    /// For an imported key given its material without ImportKeyMaterial (a seed file, the custom material tag):
    /// each material's id becomes the one an import of `bytes` gives (the hex SHA-256), and the digests are
    /// recorded, so that after DeleteImportedKeyMaterial the same bytes are recognised when imported again.
    mutating func identifyImportedMaterials(_ bytes: [[UInt8]]) throws {
        let ids = try bytes.map(KeyMaterialVersion.importedId)
        for (index, id) in ids.enumerated() where index < materials.count { materials[index].id = id }
        imports.materialDigest = ids.first.flatMap(Hex.decode)
        imports.knownMaterialIds = ids
    }

    /// On-demand rotations so far, deleted materials included: deleting one gives no rotation back.
    var onDemandRotationCount: Int {
        materials.filter { $0.rotationType == "ON_DEMAND" }.count
            + imports.deletedMaterials.filter { $0.rotationType == "ON_DEMAND" }.count
    }

    /// Whether the key has the material to be used, and may be Enabled rather than PendingImport: always for keys
    /// whose material KMS makes; an imported key once it has some, none deleted, and for a multi-Region replica
    /// each of `primaryMaterials` (the primary's, deleted or not).
    func isUsable(requiring primaryMaterials: [MaterialEntry]) -> Bool {
        guard origin == .external else { return true }
        return !materials.isEmpty && imports.deletedMaterials.isEmpty
            && primaryMaterials.allSatisfy { material(id: $0.id) != nil }
    }

    /// Every material permanently part of the key, deleted or not, oldest first: what a multi-Region replica of an
    /// imported key must have been given before it is usable.
    var permanentMaterials: [MaterialEntry] {
        (materials.map(\.entry) + imports.deletedMaterials).sorted { $0.createdAt < $1.createdAt }
    }

    /// The id of the newest material, deleted or not: what DeleteImportedKeyMaterial deletes when no id is given.
    var currentMaterialId: String? {
        let newestDeleted = imports.deletedMaterials.max { $0.createdAt < $1.createdAt }
        guard let live = materials.last else { return newestDeleted?.id }
        guard let newestDeleted, newestDeleted.createdAt > live.createdAt else { return live.id }
        return newestDeleted.id
    }

    func material(id: String) -> KeyMaterialVersion? { materials.last { $0.id == id } }

    var isAWSManaged: Bool { keyManager == "AWS" }

    var isMultiRegionPrimary: Bool { multiRegion && (primaryRegion ?? region) == region }
    var isMultiRegionReplica: Bool { multiRegion && (primaryRegion ?? region) != region }
}

/// ARN spelling for KMS resources.
enum KmsArn {
    /// Concatenated rather than interpolated: a key's ARN is spelled several times in every request.
    static func key(region: String, account: String, keyId: String) -> String {
        let partition = partition(region)
        var arn = ""
        arn.reserveCapacity(24 + partition.utf8.count + region.utf8.count + account.utf8.count + keyId.utf8.count)
        arn += "arn:"
        arn += partition
        arn += ":kms:"
        arn += region
        arn += ":"
        arn += account
        arn += ":key/"
        arn += keyId
        return arn
    }

    static func alias(region: String, account: String, name: String) -> String {
        "arn:\(partition(region)):kms:\(region):\(account):\(name)"
    }

    /// The China Regions, the only ones that offer SM2.
    static func isChina(_ region: String) -> Bool { partition(region) == "aws-cn" }

    /// AWS's partition for a region: China and GovCloud regions have their own.
    static func partition(_ region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }
}
