import Crypto
import Foundation
import Testing
@testable import EmuHostCore

/// The state cipher moved from swift-crypto to OpenSSL (EmuCrypto); databases sealed before must still open, so
/// swift-crypto is the independent implementation these tests check against, in both directions.
@Suite struct StateCipherTests {
    let secret = "correct horse battery staple"

    /// The key swift-crypto's StateCipher derived: SHA-256 of the secret.
    var swiftCryptoKey: SymmetricKey { SymmetricKey(data: SHA256.hash(data: Data(secret.utf8))) }

    @Test func opensWhatSwiftCryptoSealed() throws {
        let plaintext = Array("a record sealed by an older awsemu".utf8)
        let combined = try #require(try AES.GCM.seal(plaintext, using: swiftCryptoKey).combined)
        #expect(try StateCipher(secret: secret).open(Array(combined)) == plaintext)
    }

    @Test func sealsWhatSwiftCryptoOpens() throws {
        let plaintext = Array("a record sealed now".utf8)
        let sealed = try StateCipher(secret: secret).seal(plaintext)
        #expect(sealed.count == 12 + plaintext.count + 16)
        let opened = try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: swiftCryptoKey)
        #expect(Array(opened) == plaintext)
    }

    @Test func refusesTamperedShortAndForeignRecords() throws {
        let cipher = try StateCipher(secret: secret)
        var sealed = try cipher.seal(StateCipher.marker)
        sealed[14] ^= 1
        #expect(throws: StateStoreError.self) { try cipher.open(sealed) }
        #expect(throws: StateStoreError.self) { try cipher.open(Array(repeating: 0, count: 27)) }
        let other = try StateCipher(secret: "wrong key").seal(StateCipher.marker)
        #expect(throws: StateStoreError.self) { try cipher.open(other) }
    }
}
