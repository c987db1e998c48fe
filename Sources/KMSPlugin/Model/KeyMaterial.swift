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
    var id: String
    var material: KeyMaterial
    var createdAt: Double
    /// AUTOMATIC or ON_DEMAND for versions made by rotation; nil for the key's first material.
    var rotationType: String?

    init(id: String = KeyMaterialVersion.newId(), material: KeyMaterial, createdAt: Double, rotationType: String? = nil) {
        self.id = id
        self.material = material
        self.createdAt = createdAt
        self.rotationType = rotationType
    }

    static func newId() -> String { Hex.encode(SecureRandom.bytes(32)) }

    /// The 32 raw bytes of the id, as the ciphertext header carries them.
    var idBytes: [UInt8] { Hex.decode(id) ?? [] }
}

/// Lower-case hex, for material ids and seed files.
enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
