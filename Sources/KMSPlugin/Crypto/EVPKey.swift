import EmuPluginKit
import EmuCrypto
import COpenSSL
import Synchronization

/// An OpenSSL key pair (RSA, EC, Ed25519, SM2) that owns its EVP_PKEY and frees it in deinit.
///
/// Parsed or generated once per key-material version and shared by every request: an EVP_PKEY is safe to use
/// from several threads for signing and decryption, so no request ever re-parses a key.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Set-up EVP_PKEY_sign/verify contexts not in use, by algorithm (see `withPooledSignContext`).
    let idleSignContexts = LockedBox<[SignContextPool: [OpaquePointer]]>([:])

    /// Which idle contexts: signing or verifying, with which algorithm.
    struct SignContextPool: Hashable {
        var algorithm: SigningAlgorithm
        var verify: Bool
    }

    init(takingOwnershipOf pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        idleSignContexts.withLock { idle in idle.values.joined().forEach { EVP_PKEY_CTX_free($0) } }
        EVP_PKEY_free(pointer)
    }

    /// Generates a fresh key for an asymmetric OpenSSL-backed spec.
    static func generate(_ spec: KeySpec) throws -> EVPKey {
        let algorithm: String
        switch spec {
        case .rsa2048, .rsa3072, .rsa4096: algorithm = "RSA"
        case .eccNistP256, .eccNistP384, .eccNistP521, .eccSecgP256k1: algorithm = "EC"
        case .eccNistEdwards25519: algorithm = "ED25519"
        case .sm2: algorithm = "SM2"
        default: throw OpenSSLError("key generation for \(spec.rawValue)")
        }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw OpenSSLError("EVP_PKEY_CTX_new_from_name(\(algorithm))")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLError.check(EVP_PKEY_keygen_init(ctx), "EVP_PKEY_keygen_init")
        switch spec {
        case .rsa2048: try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048), "RSA bits")
        case .rsa3072: try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 3072), "RSA bits")
        case .rsa4096: try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 4096), "RSA bits")
        case .eccNistP256: try OpenSSLError.check(EVP_PKEY_CTX_set_group_name(ctx, "P-256"), "EC group")
        case .eccNistP384: try OpenSSLError.check(EVP_PKEY_CTX_set_group_name(ctx, "P-384"), "EC group")
        case .eccNistP521: try OpenSSLError.check(EVP_PKEY_CTX_set_group_name(ctx, "P-521"), "EC group")
        case .eccSecgP256k1: try OpenSSLError.check(EVP_PKEY_CTX_set_group_name(ctx, "secp256k1"), "EC group")
        default: break
        }
        var key: OpaquePointer?
        try OpenSSLError.check(EVP_PKEY_generate(ctx, &key), "EVP_PKEY_generate(\(spec.rawValue))")
        guard let key else { throw OpenSSLError("EVP_PKEY_generate returned no key") }
        return EVPKey(takingOwnershipOf: key)
    }

    /// Parses a private key in DER: PKCS#8, or the traditional RSA/EC forms.
    static func fromPrivateKeyDER(_ der: [UInt8]) throws -> EVPKey {
        try der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let key = d2i_AutoPrivateKey(nil, &cursor, buffer.count) else {
                throw OpenSSLError("d2i_AutoPrivateKey")
            }
            return EVPKey(takingOwnershipOf: key)
        }
    }

    /// Parses a PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC), as local-kms seed files carry them.
    static func fromPrivateKeyPEM(_ pem: String) throws -> EVPKey {
        var bytes = Array(pem.utf8)
        guard let bio = BIO_new_mem_buf(&bytes, Int32(bytes.count)) else { throw OpenSSLError("BIO_new_mem_buf") }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else { throw OpenSSLError("PEM_read_bio_PrivateKey") }
        return EVPKey(takingOwnershipOf: key)
    }

    /// Parses a DER SubjectPublicKeyInfo (a peer's public key, or one a user exported).
    static func fromPublicKeyDER(_ der: [UInt8]) throws -> EVPKey {
        try der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let key = d2i_PUBKEY(nil, &cursor, buffer.count) else { throw OpenSSLError("d2i_PUBKEY") }
            return EVPKey(takingOwnershipOf: key)
        }
    }

    /// The public key as DER SubjectPublicKeyInfo, as GetPublicKey returns it.
    func publicKeyDER() throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(pointer, &out)
        guard length > 0, let out else { throw OpenSSLError("i2d_PUBKEY") }
        defer { copenssl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    /// The private key as DER PKCS#8 PrivateKeyInfo (GenerateDataKeyPair, persistence).
    func privateKeyPKCS8DER() throws -> [UInt8] {
        guard let info = EVP_PKEY2PKCS8(pointer) else { throw OpenSSLError("EVP_PKEY2PKCS8") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_PKCS8_PRIV_KEY_INFO(info, &out)
        guard length > 0, let out else { throw OpenSSLError("i2d_PKCS8_PRIV_KEY_INFO") }
        defer { copenssl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    /// The key size in bits (RSA modulus, curve size).
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }

    /// OpenSSL's name for the key type ("RSA", "EC", "ED25519", "SM2").
    func isA(_ name: String) -> Bool { EVP_PKEY_is_a(pointer, name) == 1 }

    /// The curve of an EC or SM2 key ("prime256v1", "secp384r1", "secp521r1", "secp256k1", "SM2").
    var groupName: String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(pointer, OSSL_PKEY_PARAM_GROUP_NAME, &buffer, buffer.count, &length) == 1
        else { return nil }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
