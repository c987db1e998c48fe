import EmuCrypto
import COpenSSL

/// HMAC through OpenSSL, for GenerateMac and VerifyMac.
enum HMACAlgorithm: String {
    case sha224 = "HMAC_SHA_224", sha256 = "HMAC_SHA_256", sha384 = "HMAC_SHA_384", sha512 = "HMAC_SHA_512"

    var digestName: String {
        switch self {
        case .sha224: return "SHA224"
        case .sha256: return "SHA256"
        case .sha384: return "SHA384"
        case .sha512: return "SHA512"
        }
    }

    func mac(key: [UInt8], message: [UInt8]) throws -> [UInt8] {
        try OpenSSLHMAC.mac(key: key, message: message, digest: digestName)
    }

    /// Constant-time comparison, so VerifyMac leaks nothing about where a MAC differs.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && CRYPTO_memcmp(a, b, a.count) == 0
    }
}
