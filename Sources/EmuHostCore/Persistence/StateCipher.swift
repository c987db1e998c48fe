import Crypto
import Foundation

/// Encrypts stored record values with AES-256-GCM when STATE_ENCRYPTION_KEY is set.
///
/// The key is SHA-256 of the configured secret, so any passphrase works; a marker row encrypted with it lets
/// start-up tell a wrong key from a corrupt database.
struct StateCipher: Sendable {
    let key: SymmetricKey

    init(secret: String) {
        key = SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
    }

    func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else {
            throw StateStoreError("AES-GCM produced no output")
        }
        return Array(combined)
    }

    func open(_ sealed: [UInt8]) throws -> [UInt8] {
        Array(try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: key))
    }

    static let marker = Array("awsemu-state-encryption-check-v1".utf8)
}

/// A persistence failure; at start-up it stops the host with its message rather than starting empty.
public struct StateStoreError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
