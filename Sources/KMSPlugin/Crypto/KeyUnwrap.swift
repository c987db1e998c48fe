import EmuCrypto
import COpenSSL

/// Unwraps key material that a user wrapped with a GetParametersForImport public key, by the wrapping algorithm
/// AWS documents for ImportKeyMaterial.
enum KeyUnwrap {
    /// The plaintext material, or nil when it does not unwrap (wrong key, wrong algorithm, corrupt input).
    static func unwrap(_ wrapped: [UInt8], with key: EVPKey, algorithm: String) -> [UInt8]? {
        switch algorithm {
        case "RSAES_OAEP_SHA_1":
            return (try? key.decrypt(wrapped, oaepDigest: "SHA1")) ?? nil
        case "RSAES_OAEP_SHA_256":
            return (try? key.decrypt(wrapped, oaepDigest: "SHA256")) ?? nil
        case "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256":
            // An RSA-OAEP-wrapped ephemeral AES-256 key, then the material under AES key wrap with padding
            // (RFC 5649).
            let modulusBytes = key.bits / 8
            guard wrapped.count > modulusBytes else { return nil }
            let digest = algorithm.hasSuffix("SHA_1") ? "SHA1" : "SHA256"
            guard let aesKey = (try? key.decrypt(Array(wrapped.prefix(modulusBytes)), oaepDigest: digest)) ?? nil,
                aesKey.count == 32
            else { return nil }
            return aesKeyUnwrapWithPadding(Array(wrapped.dropFirst(modulusBytes)), key: aesKey)
        case "SM2PKE":
            return (try? key.decrypt(wrapped, oaepDigest: nil)) ?? nil
        default:
            return nil
        }
    }

    /// RFC 5649 unwrap through OpenSSL's AES-256-WRAP-PAD.
    static func aesKeyUnwrapWithPadding(_ wrapped: [UInt8], key: [UInt8]) -> [UInt8]? {
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-256-WRAP-PAD", nil) else { return nil }
        defer { EVP_CIPHER_free(cipher) }
        guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        defer { ERR_clear_error() }
        guard EVP_DecryptInit_ex2(ctx, cipher, key, nil, nil) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: wrapped.count + 16)
        var length: Int32 = 0
        guard EVP_DecryptUpdate(ctx, &out, &length, wrapped, Int32(wrapped.count)) == 1 else { return nil }
        var total = Int(length)
        guard out.withUnsafeMutableBufferPointer({ EVP_DecryptFinal_ex(ctx, $0.baseAddress! + total, &length) }) == 1
        else { return nil }
        total += Int(length)
        return Array(out.prefix(total))
    }
}
