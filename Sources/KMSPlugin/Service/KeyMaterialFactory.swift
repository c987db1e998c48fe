import EmuCrypto
import EmuPluginKit

/// Makes new key material for a spec, or reads material a user supplied.
enum KeyMaterialFactory {
    /// Specs that no library on this machine implements (swift-crypto has no ML-DSA-44 or ML-KEM-512, and
    /// OpenSSL 3.0 has no post-quantum algorithms): refused honestly rather than faked.
    static let unavailableSpecs: Set<KeySpec> = [.mlDsa44, .mlKem512]

    static func generate(_ spec: KeySpec) throws(AWSError) -> KeyMaterial {
        if unavailableSpecs.contains(spec) {
            throw AWSError("UnsupportedOperationException",
                           "KeySpec \(spec.rawValue) is not supported by this emulator: no cryptographic library on the host implements it.")
        }
        do {
            switch spec {
            case .symmetricDefault:
                return .symmetric(SecureRandom.bytes(32))
            case .hmac224, .hmac256, .hmac384, .hmac512:
                return .symmetric(SecureRandom.bytes(spec.hmacKeyLength))
            case .mlDsa65, .mlDsa87, .mlKem768, .mlKem1024:
                guard let key = try PostQuantumKey.generate(spec) else { throw OpenSSLError("post-quantum key") }
                return .postQuantum(key)
            default:
                return .asymmetric(try EVPKey.generate(spec))
            }
        } catch let error as AWSError {
            throw error
        } catch {
            PluginHost.current?.error("key generation for \(spec.rawValue) failed: \(error)")
            throw AWSError("KMSInternalException", "Key generation failed.", status: 500)
        }
    }

    /// Reads user-supplied material (the `_custom_key_material_` tag, a seed file): 32 raw bytes for a
    /// symmetric key, raw bytes for HMAC, DER PKCS#8 for RSA and ECC keys.
    static func fromSupplied(_ bytes: [UInt8], spec: KeySpec) throws(AWSError) -> KeyMaterial {
        switch spec {
        case .symmetricDefault:
            guard bytes.count == 32 else {
                throw AWSError.validation("Custom key material for SYMMETRIC_DEFAULT must be 32 bytes, got \(bytes.count).")
            }
            return .symmetric(bytes)
        case .hmac224, .hmac256, .hmac384, .hmac512:
            guard !bytes.isEmpty, bytes.count <= 1024 else {
                throw AWSError.validation("Custom key material for \(spec.rawValue) must be 1 to 1024 bytes.")
            }
            return .symmetric(bytes)
        case .mlDsa65, .mlDsa87, .mlKem768, .mlKem1024:
            guard let key = try? PostQuantumKey.fromSeed(bytes, spec: spec) else {
                throw AWSError.validation("Custom key material for \(spec.rawValue) must be the key's seed.")
            }
            return .postQuantum(key)
        default:
            guard let key = try? EVPKey.fromPrivateKeyDER(bytes), matches(key, spec) else {
                throw AWSError.validation("Custom key material for \(spec.rawValue) must be a DER PKCS#8 private key of that type.")
            }
            return .asymmetric(key)
        }
    }

    /// Whether an OpenSSL key is of the spec's type and size.
    static func matches(_ key: EVPKey, _ spec: KeySpec) -> Bool {
        switch spec {
        case .rsa2048: return key.isA("RSA") && key.bits == 2048
        case .rsa3072: return key.isA("RSA") && key.bits == 3072
        case .rsa4096: return key.isA("RSA") && key.bits == 4096
        case .eccNistP256: return key.isA("EC") && key.groupName == "prime256v1"
        case .eccNistP384: return key.isA("EC") && key.groupName == "secp384r1"
        case .eccNistP521: return key.isA("EC") && key.groupName == "secp521r1"
        case .eccSecgP256k1: return key.isA("EC") && key.groupName == "secp256k1"
        case .eccNistEdwards25519: return key.isA("ED25519")
        case .sm2: return key.isA("SM2") || (key.isA("EC") && key.groupName == "SM2")
        default: return false
        }
    }
}
