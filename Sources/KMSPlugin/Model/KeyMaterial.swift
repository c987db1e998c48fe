import EmuPluginKit
import EmuCrypto

/// The secret behind one key-material version.
enum KeyMaterial: Sendable {
    /// AES-256 key bytes (SYMMETRIC_DEFAULT) or HMAC key bytes.
    case symmetric([UInt8])
    /// RSA, EC, Ed25519 or SM2, held as a parsed OpenSSL key.
    case asymmetric(EVPKey)
    /// ML-DSA or ML-KEM through swift-crypto.
    case postQuantum(PostQuantumKey)

    var symmetricBytes: [UInt8]? {
        if case .symmetric(let bytes) = self { return bytes }
        return nil
    }
}

/// One version of a key's material. Rotation appends versions; ciphertexts name the version that made them,
/// so every old ciphertext keeps decrypting.
struct KeyMaterialVersion: Sendable {
    /// 64 hex characters, as AWS's KeyMaterialId.
    var id: String { didSet { idBytes = Hex.decode(id) ?? [] } }
    /// The id's 32 bytes, as every ciphertext blob names its material: decoded once, not on each Encrypt and for
    /// each material a Decrypt looks through.
    private(set) var idBytes: [UInt8]
    var material: KeyMaterial
    var createdAt: Double
    /// AUTOMATIC or ON_DEMAND for versions made by rotation; nil for the key's first material.
    var rotationType: String?
    /// Imported material only: how it expires (ImportKeyMaterial's ExpirationModel and ValidTo, each material its
    /// own) and the KeyMaterialDescription it was imported with.
    var expirationModel: String?
    var validTo: Double?
    var materialDescription: String?

    init(id: String = KeyMaterialVersion.newId(), material: KeyMaterial, createdAt: Double, rotationType: String? = nil) {
        self.id = id
        idBytes = Hex.decode(id) ?? []
        self.material = material
        self.createdAt = createdAt
        self.rotationType = rotationType
    }

    static func newId() -> String { Hex.encode(SecureRandom.bytes(32)) }

    /// The KeyMaterialId of imported material: the hex SHA-256 of the bytes imported, so that importing the same
    /// bytes again is recognised.
    static func importedId(of bytes: [UInt8]) throws -> String { Hex.encode(try OpenSSLDigest.hash(bytes, name: "SHA256")) }

    /// Its place among the key's materials, without the bytes.
    var entry: MaterialEntry {
        MaterialEntry(id: id, createdAt: createdAt, rotationType: rotationType, materialDescription: materialDescription)
    }
}
