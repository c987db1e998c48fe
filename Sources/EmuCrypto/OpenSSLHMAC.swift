import COpenSSL

/// HMAC through OpenSSL's EVP_MAC interface: KMS's GenerateMac and VerifyMac, and SigV4 in the host (SIGV4_VERIFY)
/// and in KMS's XKS proxy client.
///
/// OpenSSL 3's one-shot `HMAC()` looks up the HMAC implementation and the digest by name on every call. Here one
/// context per digest is set up once, and each MAC works on a copy of it, which carries the digest along.
public enum OpenSSLHMAC {
    /// The set-up contexts by digest name (`SHA256`); read-only once built, so copying them is safe from any thread.
    nonisolated(unsafe) private static let templates: [String: OpaquePointer] = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { return [:] }
        var templates: [String: OpaquePointer] = [:]
        for name in ["SHA1", "SHA224", "SHA256", "SHA384", "SHA512"] {
            guard let context = EVP_MAC_CTX_new(mac) else { continue }
            // OSSL_PARAM keeps a pointer to the name, so it lives as long as the process, like the context.
            let digest = strdup(name)
            var params = [OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()]
            if EVP_MAC_CTX_set_params(context, &params) == 1 {
                templates[name] = context
            } else {
                EVP_MAC_CTX_free(context)
            }
        }
        return templates
    }()

    /// The MAC of `message` under `key`, with the digest named as OpenSSL names it (`SHA256`).
    public static func mac(key: [UInt8], message: [UInt8], digest name: String) throws -> [UInt8] {
        guard let template = templates[name] else { throw OpenSSLError("EVP_MAC_CTX_set_params(digest \(name))") }
        guard let context = EVP_MAC_CTX_dup(template) else { throw OpenSSLError("EVP_MAC_CTX_dup") }
        defer { EVP_MAC_CTX_free(context) }
        // A key of length zero is a valid HMAC key; OpenSSL only needs a non-NULL pointer to tell "set this key"
        // from "keep the key", and an empty array may not provide one.
        let keyByte: [UInt8] = [0]
        let initialized = key.isEmpty
            ? EVP_MAC_init(context, keyByte, 0, nil)
            : EVP_MAC_init(context, key, key.count, nil)
        try OpenSSLError.check(initialized, "EVP_MAC_init")
        try OpenSSLError.check(EVP_MAC_update(context, message, message.count), "EVP_MAC_update")
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length = 0
        try OpenSSLError.check(EVP_MAC_final(context, &out, &length, out.count), "EVP_MAC_final")
        return Array(out.prefix(length))
    }

    /// HMAC-SHA-256 in the shape SigV4 takes, which cannot throw. OpenSSL fails here only when it cannot
    /// allocate; the empty result then matches no signature, so a check fails rather than passes.
    @Sendable public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        (try? mac(key: key, message: message, digest: "SHA256")) ?? []
    }
}
