import EmuCrypto
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PostQuantumKey {
    var isSigning: Bool {
        switch self {
        case .mlDsa65, .mlDsa87: return true
        default: return false
        }
    }

    /// ML-DSA signature of the raw message (empty context), as ML_DSA_SHAKE_256 with MessageType RAW.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        switch self {
        case .mlDsa65(let key): return Array(try key.signature(for: message))
        case .mlDsa87(let key): return Array(try key.signature(for: message))
        default: throw OpenSSLError("ML-DSA signing with a KEM key")
        }
    }

    func verify(_ signature: [UInt8], message: [UInt8]) -> Bool {
        switch self {
        case .mlDsa65(let key): return key.publicKey.isValidSignature(signature, for: message)
        case .mlDsa87(let key): return key.publicKey.isValidSignature(signature, for: message)
        default: return false
        }
    }

    /// ML-KEM encapsulation to this key's public key: (shared secret, ciphertext).
    func encapsulate() throws -> (sharedSecret: [UInt8], ciphertext: [UInt8]) {
        let result: KEM.EncapsulationResult
        switch self {
        case .mlKem768(let key): result = try key.publicKey.encapsulate()
        case .mlKem1024(let key): result = try key.publicKey.encapsulate()
        default: throw OpenSSLError("ML-KEM encapsulation with a signing key")
        }
        return (result.sharedSecret.withUnsafeBytes { Array($0) }, Array(result.encapsulated))
    }

    /// ML-KEM decapsulation; nil for a ciphertext of the wrong size.
    func decapsulate(_ ciphertext: [UInt8]) -> [UInt8]? {
        let secret: SymmetricKey?
        switch self {
        case .mlKem768(let key): secret = try? key.decapsulate(ciphertext)
        case .mlKem1024(let key): secret = try? key.decapsulate(ciphertext)
        default: secret = nil
        }
        return secret?.withUnsafeBytes { Array($0) }
    }

    /// The NIST object identifier's DER content bytes (2.16.840.1.101.3.4.3.x for ML-DSA, .4.4.x for ML-KEM).
    var oidContent: [UInt8] {
        let arc: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04]
        switch self {
        case .mlDsa65: return arc + [0x03, 0x12]
        case .mlDsa87: return arc + [0x03, 0x13]
        case .mlKem768: return arc + [0x04, 0x02]
        case .mlKem1024: return arc + [0x04, 0x03]
        }
    }

    /// DER SubjectPublicKeyInfo (RFC 5280 with the FIPS 204/203 algorithm identifiers, no parameters).
    var publicKeyDER: [UInt8] {
        DER.sequence(DER.sequence(DER.element(0x06, oidContent)) + DER.bitString(rawPublicKey))
    }

    /// DER PKCS#8 PrivateKeyInfo holding the seed (the `seed [0]` choice of the ML-DSA and ML-KEM drafts).
    var privateKeyPKCS8DER: [UInt8] {
        DER.sequence(DER.element(0x02, [0x00]) + DER.sequence(DER.element(0x06, oidContent))
                     + DER.element(0x04, DER.element(0x80, seed)))
    }
}

/// Just enough DER to wrap post-quantum keys in the standard containers; the keys themselves come from
/// swift-crypto.
enum DER {
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var value = count
        while value > 0 {
            bytes.insert(UInt8(value & 0xFF), at: 0)
            value >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + length(content.count) + content }
    static func sequence(_ content: [UInt8]) -> [UInt8] { element(0x30, content) }
    static func bitString(_ content: [UInt8]) -> [UInt8] { element(0x03, [0x00] + content) }
}
