import EmuPluginKit

/// The persisted form of KMS state, format version 1. Every record is JSON; key material is base64 of raw
/// symmetric bytes, PKCS#8 DER (OpenSSL keys) or the seed (post-quantum keys).
///
/// Records are keyed `<account>/<region>/<id>` within the namespaces `key`, `alias`, `grant`, and `meta`.
enum KmsRecords {
    /// 1: every record JSON. 2: key records in the binary form (`binaryKey`), the others still JSON; format-1
    /// key records are still read.
    static let formatVersion: UInt32 = 2
    static let binaryKeyMagic: [UInt8] = Array("KMSKEY2\u{0}".utf8)

    /// A key record in the binary form: the fields of `Key` in declaration order.
    static func binaryKey(_ key: Key) -> [UInt8] {
        var out = BinaryRecordWriter()
        for text in [key.keyId, key.accountId, key.region] { out.string(text) }
        out.double(key.creationDate)
        out.string(key.description)
        for text in [key.keySpec.rawValue, key.keyUsage.rawValue, key.origin.rawValue, key.keyManager, key.state.rawValue] {
            out.string(text)
        }
        out.double(key.deletionDate)
        out.double(key.pendingDeletionWindowInDays.map(Double.init))
        out.string(key.multiRegion ? "1" : "0")
        out.string(key.primaryRegion)
        out.string(key.policy)
        out.strings(key.tags.flatMap { $0.count == 2 ? $0 : [] })
        out.list(key.materials, writeMaterial)
        out.string(key.rotationEnabled ? "1" : "0")
        out.double(Double(key.rotationPeriodInDays))
        out.double(key.nextRotationDate)
        out.list(key.importParameters) { out, parameters in
            out.string(parameters.token)
            out.string(parameters.wrappingKey)
            out.string(parameters.wrappingAlgorithm)
            out.double(parameters.validTo)
        }
        out.string(key.importedMaterialDigest)
        out.string(key.expirationModel)
        out.double(key.validTo)
        out.string(key.customKeyStoreId)
        out.string(key.xksKeyId)
        out.strings(key.knownMaterialIds ?? [])
        out.string(key.pendingRotation == nil ? "0" : "1")
        if let pending = key.pendingRotation { writeMaterial(&out, pending) }
        out.list(key.deletedMaterials ?? []) { out, material in
            out.string(material.id)
            out.double(material.createdAt)
            out.string(material.rotationType)
        }
        out.list(key.materialAttributes ?? []) { out, entry in
            out.string(entry.id)
            out.string(entry.expirationModel)
            out.double(entry.validTo)
            out.string(entry.description)
        }
        return binaryKeyMagic + out.bytes
    }

    private static func writeMaterial(_ out: inout BinaryRecordWriter, _ material: Material) {
        out.string(material.id)
        out.string(material.kind)
        out.string(material.bytes)
        out.double(material.createdAt)
        out.string(material.rotationType)
    }

    static func key(fromBinary bytes: [UInt8]) throws -> Key {
        guard bytes.starts(with: binaryKeyMagic) else { throw RecordError(description: "not a binary key record") }
        var reader = BinaryRecordReader(Array(bytes.dropFirst(binaryKeyMagic.count)))
        func material(_ reader: inout BinaryRecordReader) throws -> Material {
            Material(id: try reader.required(), kind: try reader.required(), bytes: try reader.required(),
                     createdAt: try reader.double() ?? 0, rotationType: try reader.string())
        }
        do {
            let keyId = try reader.required(), accountId = try reader.required(), region = try reader.required()
            let creationDate = try reader.double() ?? 0
            let description = try reader.required()
            guard let spec = KeySpec(rawValue: try reader.required()), let usage = KeyUsage(rawValue: try reader.required()),
                let origin = KeyOrigin(rawValue: try reader.required())
            else { throw RecordError(description: "key record with an unknown spec, usage or origin") }
            let keyManager = try reader.required()
            guard let state = KeyState(rawValue: try reader.required()) else {
                throw RecordError(description: "key record with an unknown state")
            }
            let deletionDate = try reader.double()
            let window = try reader.double().flatMap { $0.isFinite && abs($0) < 1e9 ? Int($0) : nil }
            let multiRegion = try reader.required() == "1"
            let primaryRegion = try reader.string()
            let policy = try reader.required()
            let flatTags = try reader.strings()
            let tags = stride(from: 0, to: flatTags.count - 1, by: 2).map { [flatTags[$0], flatTags[$0 + 1]] }
            let materials = try reader.list(material)
            let rotationEnabled = try reader.required() == "1"
            let periodValue = try reader.double() ?? 365
            let period = periodValue.isFinite && abs(periodValue) < 1e9 ? Int(periodValue) : 365
            let nextRotation = try reader.double()
            let imports = try reader.list { reader in
                Import(token: try reader.required(), wrappingKey: try reader.required(),
                       wrappingAlgorithm: try reader.required(), validTo: try reader.double() ?? 0)
            }
            let digest = try reader.string(), expirationModel = try reader.string(), validTo = try reader.double()
            let storeId = try reader.string(), xksKeyId = try reader.string()
            let known = try reader.strings()
            let pending = try reader.required() == "1" ? try material(&reader) : nil
            // Absent from records written before deleted materials were kept.
            let deleted = reader.isAtEnd ? [] : try reader.list { reader in
                DeletedMaterialRecord(id: try reader.required(), createdAt: try reader.double() ?? 0,
                                      rotationType: try reader.string())
            }
            // Absent from records written before each imported material kept its own expiration and description.
            let attributes = reader.isAtEnd ? nil : try reader.list { reader in
                MaterialAttributesRecord(id: try reader.required(), expirationModel: try reader.string(),
                                         validTo: try reader.double(), description: try reader.string())
            }
            return Key(keyId: keyId, accountId: accountId, region: region, creationDate: creationDate,
                       description: description, keySpec: spec, keyUsage: usage, origin: origin, keyManager: keyManager,
                       state: state, deletionDate: deletionDate, pendingDeletionWindowInDays: window,
                       multiRegion: multiRegion, primaryRegion: primaryRegion, policy: policy, tags: tags,
                       materials: materials, rotationEnabled: rotationEnabled, rotationPeriodInDays: period,
                       nextRotationDate: nextRotation, importParameters: imports, importedMaterialDigest: digest,
                       expirationModel: expirationModel, validTo: validTo, customKeyStoreId: storeId, xksKeyId: xksKeyId,
                       knownMaterialIds: known, pendingRotation: pending, deletedMaterials: deleted,
                       materialAttributes: attributes)
        } catch is BinaryRecordReader.Malformed {
            throw RecordError(description: "truncated binary key record")
        }
    }

    struct Material: Codable {
        var id: String
        var kind: String
        var bytes: String
        var createdAt: Double
        var rotationType: String?
    }

    struct Import: Codable {
        var token: String
        var wrappingKey: String
        var wrappingAlgorithm: String
        var validTo: Double
    }

    struct Key: Codable {
        var keyId: String
        var accountId: String
        var region: String
        var creationDate: Double
        var description: String
        var keySpec: KeySpec
        var keyUsage: KeyUsage
        var origin: KeyOrigin
        var keyManager: String
        var state: KeyState
        var deletionDate: Double?
        var pendingDeletionWindowInDays: Int?
        var multiRegion: Bool
        var primaryRegion: String?
        var policy: String
        var tags: [[String]]
        var materials: [Material]
        var rotationEnabled: Bool
        var rotationPeriodInDays: Int
        var nextRotationDate: Double?
        var importParameters: [Import]
        var importedMaterialDigest: String?
        var expirationModel: String?
        var validTo: Double?
        var customKeyStoreId: String?
        var xksKeyId: String?
        var knownMaterialIds: [String]?
        var pendingRotation: Material?
        var deletedMaterials: [DeletedMaterialRecord]?
        /// Each imported material's own expiration and description; nil in records older than that, whose
        /// key-level `expirationModel` and `validTo` then belong to the current material.
        var materialAttributes: [MaterialAttributesRecord]?
    }

    struct DeletedMaterialRecord: Codable {
        var id: String
        var createdAt: Double
        var rotationType: String?
    }

    struct MaterialAttributesRecord: Codable {
        var id: String
        var expirationModel: String?
        var validTo: Double?
        var description: String?
    }

    struct Alias: Codable {
        var name: String
        var targetKeyId: String
        var creationDate: Double
        var lastUpdatedDate: Double
    }

    struct Grant: Codable {
        var grantId: String
        var keyId: String
        var name: String?
        var creationDate: Double
        var granteePrincipal: String
        var retiringPrincipal: String?
        var issuingAccount: String
        var operations: [String]
        var contextSubset: [String: String]?
        var contextEquals: [String: String]?
        var tokens: [String]
    }

    /// Reads a key record from parsed JSON by hand: start-up reads one per key (100,000 in a large store), and
    /// this is about twice as fast as JSONDecoder's generic path.
    static func key(from json: JSONValue) throws -> Key {
        func text(_ name: String) throws -> String {
            guard let value = json[name]?.stringValue else { throw RecordError(description: "key record without \(name)") }
            return value
        }
        func number(_ name: String) -> Double? { json[name]?.doubleValue }
        guard let spec = KeySpec(rawValue: try text("keySpec")), let usage = KeyUsage(rawValue: try text("keyUsage")),
            let origin = KeyOrigin(rawValue: try text("origin")), let state = KeyState(rawValue: try text("state"))
        else { throw RecordError(description: "key record with an unknown spec, usage, origin or state") }
        func material(_ value: JSONValue) throws -> Material {
            guard let id = value["id"]?.stringValue, let kind = value["kind"]?.stringValue,
                let bytes = value["bytes"]?.stringValue, let created = value["createdAt"]?.doubleValue
            else { throw RecordError(description: "key record with an incomplete material") }
            return Material(id: id, kind: kind, bytes: bytes, createdAt: created,
                            rotationType: value["rotationType"]?.stringValue)
        }
        return Key(
            keyId: try text("keyId"), accountId: try text("accountId"), region: try text("region"),
            creationDate: number("creationDate") ?? 0, description: json["description"]?.stringValue ?? "",
            keySpec: spec, keyUsage: usage, origin: origin, keyManager: try text("keyManager"), state: state,
            deletionDate: number("deletionDate"),
            pendingDeletionWindowInDays: json["pendingDeletionWindowInDays"]?.intValue.map { Int($0) },
            multiRegion: json["multiRegion"]?.boolValue ?? false, primaryRegion: json["primaryRegion"]?.stringValue,
            policy: try text("policy"),
            tags: (json["tags"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) },
            materials: try (json["materials"]?.arrayValue ?? []).map(material),
            rotationEnabled: json["rotationEnabled"]?.boolValue ?? false,
            rotationPeriodInDays: json["rotationPeriodInDays"]?.intValue.map { Int($0) } ?? 365,
            nextRotationDate: number("nextRotationDate"),
            importParameters: try (json["importParameters"]?.arrayValue ?? []).map { value in
                guard let token = value["token"]?.stringValue, let wrapping = value["wrappingKey"]?.stringValue,
                    let algorithm = value["wrappingAlgorithm"]?.stringValue, let validTo = value["validTo"]?.doubleValue
                else { throw RecordError(description: "key record with incomplete import parameters") }
                return Import(token: token, wrappingKey: wrapping, wrappingAlgorithm: algorithm, validTo: validTo)
            },
            importedMaterialDigest: json["importedMaterialDigest"]?.stringValue,
            expirationModel: json["expirationModel"]?.stringValue, validTo: number("validTo"),
            customKeyStoreId: json["customKeyStoreId"]?.stringValue, xksKeyId: json["xksKeyId"]?.stringValue,
            knownMaterialIds: json["knownMaterialIds"]?.arrayValue?.compactMap(\.stringValue),
            pendingRotation: try json["pendingRotation"].flatMap { $0.isNull ? nil : try material($0) },
            // JSON key records are format 1, older than deleted materials and per-material attributes (the binary
            // records carry those); a key-level expiration moves to the current material when it is decoded.
            deletedMaterials: [], materialAttributes: nil)
    }

    struct RecordError: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: Encoding

    static func material(_ version: KeyMaterialVersion) throws -> Material {
        let kind: String
        let bytes: [UInt8]
        switch version.material {
        case .symmetric(let raw): (kind, bytes) = ("symmetric", raw)
        case .asymmetric(let evp): (kind, bytes) = ("pkcs8", try evp.privateKeyPKCS8DER())
        case .postQuantum(let pq): (kind, bytes) = ("pq-seed", pq.seed)
        }
        return Material(id: version.id, kind: kind, bytes: Base64.encode(bytes), createdAt: version.createdAt,
                        rotationType: version.rotationType)
    }

    static func encode(_ key: KmsKey) throws -> Key {
        Key(keyId: key.keyId, accountId: key.accountId, region: key.region, creationDate: key.creationDate,
            description: key.description, keySpec: key.keySpec, keyUsage: key.keyUsage, origin: key.origin,
            keyManager: key.keyManager, state: key.state, deletionDate: key.deletionDate,
            pendingDeletionWindowInDays: key.pendingDeletionWindowInDays, multiRegion: key.multiRegion,
            primaryRegion: key.primaryRegion, policy: key.policy, tags: key.tags.map { [$0.key, $0.value] },
            materials: try key.materials.map(material), rotationEnabled: key.rotation.enabled,
            rotationPeriodInDays: key.rotation.periodInDays, nextRotationDate: key.rotation.nextRotationDate,
            importParameters: try key.imports.parameters.map {
                Import(token: Base64.encode($0.token), wrappingKey: Base64.encode(try $0.wrappingKey.privateKeyPKCS8DER()),
                       wrappingAlgorithm: $0.wrappingAlgorithm, validTo: $0.validTo)
            },
            importedMaterialDigest: key.imports.materialDigest.map(Hex.encode),
            // Kept per material now (materialAttributes); the key-level fields are read from older records only.
            expirationModel: nil, validTo: nil,
            customKeyStoreId: key.customKeyStoreId, xksKeyId: key.xksKeyId,
            knownMaterialIds: key.imports.knownMaterialIds, pendingRotation: try key.imports.pendingRotation.map(material),
            deletedMaterials: key.imports.deletedMaterials.map {
                DeletedMaterialRecord(id: $0.id, createdAt: $0.createdAt, rotationType: $0.rotationType)
            },
            // Each material's own expiration and description, by id; a deleted material keeps only its description.
            materialAttributes: (key.materials + [key.imports.pendingRotation].compactMap { $0 }).compactMap { version in
                guard version.expirationModel != nil || version.validTo != nil || version.materialDescription != nil
                else { return nil }
                return MaterialAttributesRecord(id: version.id, expirationModel: version.expirationModel,
                                                validTo: version.validTo, description: version.materialDescription)
            } + key.imports.deletedMaterials.compactMap { entry in
                entry.materialDescription.map {
                    MaterialAttributesRecord(id: entry.id, expirationModel: nil, validTo: nil, description: $0)
                }
            })
    }

    static func encode(_ alias: KmsAlias) -> Alias {
        Alias(name: alias.name, targetKeyId: alias.targetKeyId, creationDate: alias.creationDate,
              lastUpdatedDate: alias.lastUpdatedDate)
    }

    static func encode(_ grant: KmsGrant, tokens: [String]) -> Grant {
        Grant(grantId: grant.grantId, keyId: grant.keyId, name: grant.name, creationDate: grant.creationDate,
              granteePrincipal: grant.granteePrincipal, retiringPrincipal: grant.retiringPrincipal,
              issuingAccount: grant.issuingAccount, operations: grant.operations, contextSubset: grant.contextSubset,
              contextEquals: grant.contextEquals, tokens: tokens)
    }

    // MARK: Decoding

    static func decode(_ record: Key) throws -> KmsKey {
        func bytes(_ text: String) throws -> [UInt8] {
            guard let bytes = Base64.decode(text) else { throw RecordError(description: "bad base64 in key \(record.keyId)") }
            return bytes
        }
        let materials = try record.materials.map { m -> KeyMaterialVersion in
            let raw = try bytes(m.bytes)
            let material: KeyMaterial
            switch m.kind {
            case "symmetric": material = .symmetric(raw)
            case "pkcs8": material = .asymmetric(try EVPKey.fromPrivateKeyDER(raw))
            case "pq-seed":
                guard let pq = try PostQuantumKey.fromSeed(raw, spec: record.keySpec) else {
                    throw RecordError(description: "key \(record.keyId): no post-quantum key for \(record.keySpec)")
                }
                material = .postQuantum(pq)
            default: throw RecordError(description: "key \(record.keyId): unknown material kind \(m.kind)")
            }
            return KeyMaterialVersion(id: m.id, material: material, createdAt: m.createdAt, rotationType: m.rotationType)
        }
        var key = KmsKey(
            keyId: record.keyId, accountId: record.accountId, region: record.region, creationDate: record.creationDate,
            description: record.description, keySpec: record.keySpec, keyUsage: record.keyUsage, origin: record.origin,
            keyManager: record.keyManager, state: record.state, deletionDate: record.deletionDate,
            pendingDeletionWindowInDays: record.pendingDeletionWindowInDays, multiRegion: record.multiRegion,
            primaryRegion: record.primaryRegion, policy: PolicyInterner.intern(record.policy),
            tags: record.tags.compactMap { $0.count == 2 ? KmsTag(key: $0[0], value: $0[1]) : nil },
            materials: materials)
        key.rotation = RotationSchedule(enabled: record.rotationEnabled, periodInDays: record.rotationPeriodInDays,
                                        nextRotationDate: record.nextRotationDate)
        key.imports.parameters = try record.importParameters.map {
            ImportParameters(token: try bytes($0.token), wrappingKey: try EVPKey.fromPrivateKeyDER(try bytes($0.wrappingKey)),
                             wrappingAlgorithm: $0.wrappingAlgorithm, validTo: $0.validTo)
        }
        key.imports.materialDigest = record.importedMaterialDigest.flatMap(Hex.decode)
        if let attributes = record.materialAttributes {
            for entry in attributes {
                for index in key.materials.indices where key.materials[index].id == entry.id {
                    key.materials[index].expirationModel = entry.expirationModel
                    key.materials[index].validTo = entry.validTo
                    key.materials[index].materialDescription = entry.description
                }
            }
        } else if !key.materials.isEmpty {
            // An older record: the key's expiration was its current material's.
            key.materials[key.materials.count - 1].expirationModel = record.expirationModel
            key.materials[key.materials.count - 1].validTo = record.validTo
        }
        key.imports.knownMaterialIds = record.knownMaterialIds ?? []
        if let pending = record.pendingRotation, let raw = Base64.decode(pending.bytes) {
            key.imports.pendingRotation = KeyMaterialVersion(id: pending.id, material: .symmetric(raw),
                                                             createdAt: pending.createdAt, rotationType: pending.rotationType)
        }
        key.imports.deletedMaterials = (record.deletedMaterials ?? []).map { deleted in
            MaterialEntry(id: deleted.id, createdAt: deleted.createdAt, rotationType: deleted.rotationType,
                          materialDescription: record.materialAttributes?.first { $0.id == deleted.id }?.description)
        }
        if let pending = record.materialAttributes?.first(where: { $0.id == key.imports.pendingRotation?.id }) {
            key.imports.pendingRotation?.expirationModel = pending.expirationModel
            key.imports.pendingRotation?.validTo = pending.validTo
            key.imports.pendingRotation?.materialDescription = pending.description
        }
        key.customKeyStoreId = record.customKeyStoreId
        key.xksKeyId = record.xksKeyId
        return key
    }
}
