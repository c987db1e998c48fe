import EmuCrypto

/// Encrypts stored record values with AES-256-GCM when STATE_ENCRYPTION_KEY is set.
///
/// The key is SHA-256 of the configured secret, so any passphrase works; a marker row encrypted with it lets
/// start-up tell a wrong key from a corrupt database. Values are sealed in AESGCM's combined layout, which is
/// swift-crypto's `AES.GCM.SealedBox.combined`, so databases written before the move to OpenSSL still open.
struct StateCipher: Sendable {
    let key: [UInt8]

    init(secret: String) throws {
        key = try OpenSSLDigest.hash(Array(secret.utf8), name: "SHA256")
    }

    func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        try AESGCM.sealCombined(key: key, plaintext: plaintext, aad: [])
    }

    func open(_ sealed: [UInt8]) throws -> [UInt8] {
        guard let plaintext = try AESGCM.openCombined(key: key, sealed, aad: []) else {
            throw StateStoreError("a sealed record (\(sealed.count) bytes) does not authenticate under STATE_ENCRYPTION_KEY")
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
