import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads a seed file in local-kms's YAML format at start-up, so suites that seeded local-kms keep working:
/// symmetric keys with their backing keys (several simulate past rotations), RSA and ECC keys from PEM, and
/// aliases. Existing keys are never overwritten.
struct SeedLoader {
    let service: KmsService

    struct SeedError: Error, CustomStringConvertible {
        var description: String
    }

    /// Seeds the keys; returns how many were added.
    func load(path: String) throws -> Int {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let parsed: JSONValue?
        do {
            parsed = try YAMLTree.parse(text)
        } catch {
            throw SeedError(description: "the seed file is not valid YAML: \(error.description)")
        }
        guard let document = parsed, document.objectValue != nil else {
            throw SeedError(description: "the seed file is not a YAML mapping")
        }
        let host = service.host
        let account = host.config("KMS_ACCOUNT_ID").flatMap { $0.isEmpty ? nil : $0 }
            ?? host.config("DEFAULT_ACCOUNT_ID").flatMap { $0.isEmpty ? nil : $0 } ?? "000000000000"
        let region = host.config("KMS_REGION").flatMap { $0.isEmpty ? nil : $0 }
            ?? host.config("DEFAULT_REGION").flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        let now = service.now
        var keys: [KmsKey] = []
        let groups = document["Keys"]
        if let flat = groups?.arrayValue {
            // local-kms's legacy format: a flat list of symmetric keys.
            keys += try flat.map { try symmetricKey($0, account: account, region: region, now: now) }
        } else {
            for entry in groups?["Symmetric"]?["Aes"]?.arrayValue ?? [] {
                keys.append(try symmetricKey(entry, account: account, region: region, now: now))
            }
            for entry in groups?["Asymmetric"]?["Rsa"]?.arrayValue ?? [] {
                keys.append(try asymmetricKey(entry, account: account, region: region, now: now, family: "RSA"))
            }
            for entry in groups?["Asymmetric"]?["Ecc"]?.arrayValue ?? [] {
                keys.append(try asymmetricKey(entry, account: account, region: region, now: now, family: "ECC"))
            }
        }
        var added = 0
        try service.state.write(account, region) { store in
            for key in keys where store.keys[key.keyId] == nil {
                store.insert(key)
                added += 1
            }
            for entry in document["Aliases"]?.arrayValue ?? [] {
                guard let name = entry["AliasName"]?.stringValue, let target = entry["TargetKeyId"]?.stringValue,
                    store.aliases[name] == nil, name.hasPrefix("alias/")
                else { continue }
                let keyId = target.split(separator: "/").last.map(String.init) ?? target
                guard store.keys[keyId] != nil else { continue }
                store.setAlias(KmsAlias(name: name, targetKeyId: keyId, creationDate: now, lastUpdatedDate: now))
            }
        }
        return added
    }

    /// A key's `Metadata` and its `KeyId`, which every key must have.
    private func metadata(_ entry: JSONValue) throws -> (metadata: JSONValue, keyId: String) {
        guard let metadata = entry["Metadata"], let keyId = metadata["KeyId"]?.stringValue, !keyId.isEmpty else {
            throw SeedError(description: "a key has no Metadata.KeyId")
        }
        return (metadata, keyId)
    }

    private func symmetricKey(_ entry: JSONValue, account: String, region: String, now: Double) throws -> KmsKey {
        let (meta, keyId) = try metadata(entry)
        let origin = KeyOrigin(rawValue: meta["Origin"]?.stringValue ?? "AWS_KMS") ?? .awsKMS
        let backing = (entry["BackingKeys"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
        var materials: [KeyMaterialVersion] = []
        var backingBytes: [[UInt8]] = []
        for (index, hex) in backing.enumerated() {
            guard let bytes = Hex.decode(hex), bytes.count == 32 else {
                throw SeedError(description: "key \(keyId): backing key \(index + 1) is not 64 hex digits")
            }
            // A millisecond apart, so that their dates keep their order (the last is the current one).
            // Imported keys rotate only on demand; KMS's own rotate automatically.
            materials.append(KeyMaterialVersion(material: .symmetric(bytes), createdAt: now + Double(index) / 1000,
                                                rotationType: index == 0 ? nil : origin == .external ? "ON_DEMAND" : "AUTOMATIC"))
            backingBytes.append(bytes)
        }
        if materials.isEmpty, origin != .external {
            throw SeedError(description: "key \(keyId) has no BackingKeys")
        }
        var key = KmsKey(
            keyId: keyId, accountId: account, region: region, creationDate: now,
            description: meta["Description"]?.stringValue ?? "", keySpec: .symmetricDefault, keyUsage: .encryptDecrypt,
            origin: origin, keyManager: "CUSTOMER", state: materials.isEmpty ? .pendingImport : .enabled,
            multiRegion: keyId.hasPrefix("mrk-"),
            policy: KeyPolicyDefaults.customerManaged(account: account, region: region), tags: [], materials: materials)
        // Automatic rotation is only for material KMS makes, so an imported key ignores NextKeyRotation.
        if origin != .external, let next = entry["NextKeyRotation"]?.stringValue.flatMap(PolicyDate.seconds) {
            key.rotation = RotationSchedule(enabled: true, periodInDays: 365, nextRotationDate: next)
        }
        if origin == .external { try key.identifyImportedMaterials(backingBytes) }
        return key
    }

    private func asymmetricKey(_ entry: JSONValue, account: String, region: String, now: Double, family: String) throws
        -> KmsKey
    {
        let (meta, keyId) = try metadata(entry)
        guard let pem = entry["PrivateKeyPem"]?.stringValue else {
            throw SeedError(description: "key \(keyId) has no PrivateKeyPem")
        }
        let evp = try EVPKey.fromPrivateKeyPEM(pem)
        let candidates: [KeySpec] = family == "RSA"
            ? [.rsa2048, .rsa3072, .rsa4096] : [.eccNistP256, .eccNistP384, .eccNistP521, .eccSecgP256k1]
        guard let spec = candidates.first(where: { KeyMaterialFactory.matches(evp, $0) }) else {
            throw SeedError(description: "key \(keyId): the PEM key is not a supported \(family) key")
        }
        let usage = KeyUsage(rawValue: meta["KeyUsage"]?.stringValue ?? "SIGN_VERIFY") ?? .signVerify
        guard spec.allowedUsages.contains(usage) else {
            throw SeedError(description: "key \(keyId): KeyUsage \(usage.rawValue) is not valid for \(spec.rawValue)")
        }
        return KmsKey(
            keyId: keyId, accountId: account, region: region, creationDate: now,
            description: meta["Description"]?.stringValue ?? "", keySpec: spec, keyUsage: usage, origin: .awsKMS,
            keyManager: "CUSTOMER", state: .enabled, multiRegion: false,
            policy: KeyPolicyDefaults.customerManaged(account: account, region: region), tags: [],
            materials: [KeyMaterialVersion(material: .asymmetric(evp), createdAt: now)])
    }
}
