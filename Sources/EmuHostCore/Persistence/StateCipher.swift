import EmuCrypto

/// Encrypts stored record values with AES-256-GCM when STATE_ENCRYPTION_KEY is set.
///
/// The key is SHA-256 of the configured secret, so any passphrase works; a marker row encrypted with it lets
/// start-up tell a wrong key from a corrupt database. A sealed value is IV (12 bytes), ciphertext and tag
/// (16 bytes), the layout swift-crypto's `AES.GCM.SealedBox.combined` gave before, so older databases still open.
struct StateCipher: Sendable {
    let key: [UInt8]

    init(secret: String) throws {
        key = try OpenSSLDigest.hash(Array(secret.utf8), name: "SHA256")
    }

    func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        let iv = SecureRandom.bytes(AESGCM.ivLength)
        let (ciphertext, tag) = try AESGCM.seal(key: key, iv: iv, plaintext: plaintext, aad: [])
        return iv + ciphertext + tag
    }

    func open(_ sealed: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= AESGCM.ivLength + AESGCM.tagLength else {
            throw StateStoreError("a sealed record is \(sealed.count) bytes, shorter than an IV and a tag")
        }
        let tagStart = sealed.count - AESGCM.tagLength
        guard let plaintext = try AESGCM.open(key: key, iv: Array(sealed[..<AESGCM.ivLength]),
                                              ciphertext: Array(sealed[AESGCM.ivLength..<tagStart]),
                                              tag: Array(sealed[tagStart...]), aad: []) else {
            throw StateStoreError("a sealed record does not authenticate under STATE_ENCRYPTION_KEY")
        }
        return plaintext
    }

    static let marker = Array("awsemu-state-encryption-check-v1".utf8)
}

/// A persistence failure; at start-up it stops the host with its message rather than starting empty.
public struct StateStoreError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
