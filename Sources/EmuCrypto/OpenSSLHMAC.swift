import COpenSSL

/// HMAC through OpenSSL's one-shot `HMAC()`, with the digests `OpenSSLDigest` fetched once: KMS's GenerateMac and
/// VerifyMac, and SigV4 in the host (SIGV4_VERIFY) and in KMS's XKS proxy client.
public enum OpenSSLHMAC {
    /// The MAC of `message` under `key`, with the digest named as OpenSSL names it (`SHA256`).
    public static func mac(key: [UInt8], message: [UInt8], digest name: String) throws -> [UInt8] {
        guard let md = OpenSSLDigest.algorithm(name) else { throw OpenSSLError("EVP_MD_fetch(\(name))") }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard HMAC(md, key, Int32(key.count), message, message.count, &out, &length) != nil else {
            throw OpenSSLError("HMAC")
        }
        return Array(out.prefix(Int(length)))
    }

    /// HMAC-SHA-256 in the shape SigV4 takes, which cannot throw. OpenSSL fails here only when it cannot
    /// allocate; the empty result then matches no signature, so a check fails rather than passes.
    @Sendable public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        (try? mac(key: key, message: message, digest: "SHA256")) ?? []
    }
}
