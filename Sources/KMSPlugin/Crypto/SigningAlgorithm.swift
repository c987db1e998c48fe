import COpenSSL

/// A KMS signing algorithm and what it means to OpenSSL: the hash, the padding, and the digest length a
/// DIGEST message must have.
enum SigningAlgorithm: String, CaseIterable {
    case rsaPssSha256 = "RSASSA_PSS_SHA_256", rsaPssSha384 = "RSASSA_PSS_SHA_384", rsaPssSha512 = "RSASSA_PSS_SHA_512"
    case rsaPkcs1Sha256 = "RSASSA_PKCS1_V1_5_SHA_256", rsaPkcs1Sha384 = "RSASSA_PKCS1_V1_5_SHA_384"
    case rsaPkcs1Sha512 = "RSASSA_PKCS1_V1_5_SHA_512"
    case ecdsaSha256 = "ECDSA_SHA_256", ecdsaSha384 = "ECDSA_SHA_384", ecdsaSha512 = "ECDSA_SHA_512"
    case sm2dsa = "SM2DSA"
    case mlDsaShake256 = "ML_DSA_SHAKE_256"
    case ed25519Sha512 = "ED25519_SHA_512"
    case ed25519PhSha512 = "ED25519_PH_SHA_512"

    /// OpenSSL's digest name.
    var digestName: String? {
        switch self {
        case .rsaPssSha256, .rsaPkcs1Sha256, .ecdsaSha256: return "SHA256"
        case .rsaPssSha384, .rsaPkcs1Sha384, .ecdsaSha384: return "SHA384"
        case .rsaPssSha512, .rsaPkcs1Sha512, .ecdsaSha512, .ed25519PhSha512: return "SHA512"
        case .sm2dsa: return "SM3"
        case .ed25519Sha512, .mlDsaShake256: return nil
        }
    }

    /// The length a DIGEST message must have.
    var digestLength: Int? {
        switch digestName {
        case "SHA256", "SM3": return 32
        case "SHA384": return 48
        case "SHA512": return 64
        default: return nil
        }
    }

    var isPSS: Bool { self == .rsaPssSha256 || self == .rsaPssSha384 || self == .rsaPssSha512 }
    var isRSA: Bool { rawValue.hasPrefix("RSASSA") }

    /// RSA and ECDSA sign a hash with EVP_PKEY_sign; SM2 (its Z value), Ed25519 and ML-DSA sign the message.
    var signsDigestDirectly: Bool {
        switch self {
        case .rsaPssSha256, .rsaPssSha384, .rsaPssSha512, .rsaPkcs1Sha256, .rsaPkcs1Sha384, .rsaPkcs1Sha512,
             .ecdsaSha256, .ecdsaSha384, .ecdsaSha512:
            return true
        case .sm2dsa, .ed25519Sha512, .ed25519PhSha512, .mlDsaShake256:
            return false
        }
    }

}

/// SM2's default distinguishing identifier, which KMS uses for SM2DSA (GB/T 32918).
let sm2DefaultDistinguishingId: [UInt8] = Array("1234567812345678".utf8)
