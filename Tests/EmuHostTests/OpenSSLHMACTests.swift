import Crypto
import EmuCrypto
import Testing

/// EmuCrypto's HMAC (OpenSSL EVP_MAC, one set-up context per digest, copied per call) against swift-crypto's, an
/// independent implementation: keys of every length class HMAC treats differently, including empty and longer
/// than the digest's block, and messages from empty up.
@Suite struct OpenSSLHMACTests {
    static let keyLengths = [0, 1, 20, 32, 64, 65, 128, 129, 300]
    static let messageLengths = [0, 1, 55, 64, 1000]

    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ seed } }

    @Test(arguments: keyLengths)
    func matchesSwiftCrypto(keyLength: Int) throws {
        let key = Self.bytes(keyLength, seed: 0x5c)
        for messageLength in Self.messageLengths {
            let message = Self.bytes(messageLength, seed: 0x36)
            let symmetric = SymmetricKey(data: key)
            #expect(try OpenSSLHMAC.mac(key: key, message: message, digest: "SHA256")
                == Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetric)))
            #expect(try OpenSSLHMAC.mac(key: key, message: message, digest: "SHA384")
                == Array(HMAC<SHA384>.authenticationCode(for: message, using: symmetric)))
            #expect(try OpenSSLHMAC.mac(key: key, message: message, digest: "SHA512")
                == Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetric)))
            #expect(OpenSSLHMAC.sha256(key: key, message: message)
                == Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetric)))
        }
    }

    /// RFC 4231 test case 2, for the digest swift-crypto lacks (SHA-224).
    @Test func sha224KnownAnswer() throws {
        let mac = try OpenSSLHMAC.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8),
                                      digest: "SHA224")
        let hex = mac.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(hex == "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44")
    }

    @Test func unknownDigestThrows() {
        #expect(throws: OpenSSLError.self) { try OpenSSLHMAC.mac(key: [1], message: [2], digest: "WHIRLPOOL") }
    }
}
