import EmuPluginKit
import EmuCrypto
import COpenSSL
import Synchronization

extension EVPKey {
    /// Signs `message` (RAW: the message is hashed here; DIGEST: it already is the hash).
    func sign(_ message: [UInt8], algorithm: SigningAlgorithm, isDigest: Bool) throws -> [UInt8] {
        if isDigest {
            return try withSignContext(algorithm, verify: false) { ctx in
                var length = 0
                try OpenSSLError.check(EVP_PKEY_sign(ctx, nil, &length, message, message.count), "EVP_PKEY_sign size")
                var signature = [UInt8](repeating: 0, count: length)
                try OpenSSLError.check(EVP_PKEY_sign(ctx, &signature, &length, message, message.count), "EVP_PKEY_sign")
                return Array(signature.prefix(length))
            }
        }
        return try withDigestSignContext(algorithm, verify: false) { mdctx in
            var length = 0
            try OpenSSLError.check(EVP_DigestSign(mdctx, nil, &length, message, message.count), "EVP_DigestSign size")
            var signature = [UInt8](repeating: 0, count: length)
            try OpenSSLError.check(EVP_DigestSign(mdctx, &signature, &length, message, message.count), "EVP_DigestSign")
            return Array(signature.prefix(length))
        }
    }

    /// Verifies a signature; false when it does not match (never an error for a bad signature).
    func verify(_ signature: [UInt8], message: [UInt8], algorithm: SigningAlgorithm, isDigest: Bool) throws -> Bool {
        defer { ERR_clear_error() }
        if isDigest {
            return try withSignContext(algorithm, verify: true) { ctx in
                EVP_PKEY_verify(ctx, signature, signature.count, message, message.count) == 1
            }
        }
        return try withDigestSignContext(algorithm, verify: true) { mdctx in
            EVP_DigestVerify(mdctx, signature, signature.count, message, message.count) == 1
        }
    }

    /// A one-shot EVP_DigestSign/Verify context with the algorithm's hash and padding.
    ///
    /// Setting one up (fetching the digest and signature implementations, the padding parameters) costs more
    /// than an ECDSA signature itself in OpenSSL 3, so RSA and ECDSA contexts are set up once per key and
    /// algorithm and copied for each request.
    private func withDigestSignContext<R>(_ algorithm: SigningAlgorithm, verify: Bool,
                                          _ body: (OpaquePointer) throws -> R) throws -> R
    {
        if algorithm.isRSA || algorithm.rawValue.hasPrefix("ECDSA") {
            let prototype = try digestPrototype(algorithm, verify: verify)
            guard let mdctx = EVP_MD_CTX_new() else { throw OpenSSLError("EVP_MD_CTX_new") }
            defer { EVP_MD_CTX_free(mdctx) }
            try OpenSSLError.check(EVP_MD_CTX_copy_ex(mdctx, prototype), "EVP_MD_CTX_copy_ex")
            return try body(mdctx)
        }
        return try withFreshDigestSignContext(algorithm, verify: verify, body)
    }

    /// The set-up context for `algorithm`, made on first use and kept for the key's lifetime.
    private func digestPrototype(_ algorithm: SigningAlgorithm, verify: Bool) throws -> OpaquePointer {
        let name = (verify ? "verify:" : "sign:") + algorithm.rawValue
        return try prototypes.withLock { cache throws -> OpaquePointer in
            if let existing = cache[name] { return existing }
            guard let mdctx = EVP_MD_CTX_new() else { throw OpenSSLError("EVP_MD_CTX_new") }
            var pctx: OpaquePointer?
            let digest = algorithm.digestName
            let status = verify ? EVP_DigestVerifyInit_ex(mdctx, &pctx, digest, nil, nil, pointer, nil)
                : EVP_DigestSignInit_ex(mdctx, &pctx, digest, nil, nil, pointer, nil)
            guard status == 1 else {
                EVP_MD_CTX_free(mdctx)
                throw OpenSSLError(verify ? "EVP_DigestVerifyInit_ex" : "EVP_DigestSignInit_ex")
            }
            if algorithm.isPSS, let pctx {
                do { try configurePSS(pctx, algorithm) } catch {
                    EVP_MD_CTX_free(mdctx)
                    throw error
                }
            }
            cache[name] = mdctx
            return mdctx
        }
    }

    private func withFreshDigestSignContext<R>(_ algorithm: SigningAlgorithm, verify: Bool,
                                               _ body: (OpaquePointer) throws -> R) throws -> R
    {
        guard let mdctx = EVP_MD_CTX_new() else { throw OpenSSLError("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(mdctx) }
        var pctx: OpaquePointer?
        if algorithm == .sm2dsa {
            // SM2 signs SM3(Z || M), where Z depends on the distinguishing id; OpenSSL needs the id on a
            // context it is given, before the digest starts.
            guard let sm2ctx = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { throw OpenSSLError("SM2 context") }
            try OpenSSLError.check(EVP_PKEY_CTX_set1_id(sm2ctx, sm2DefaultDistinguishingId,
                                                         Int32(sm2DefaultDistinguishingId.count)), "SM2 id")
            EVP_MD_CTX_set_pkey_ctx(mdctx, sm2ctx)
            pctx = sm2ctx
        }
        defer { if algorithm == .sm2dsa, let pctx { EVP_PKEY_CTX_free(pctx) } }
        let digest = algorithm.digestName
        if verify {
            try OpenSSLError.check(EVP_DigestVerifyInit_ex(mdctx, &pctx, digest, nil, nil, pointer, nil),
                                   "EVP_DigestVerifyInit_ex")
        } else {
            try OpenSSLError.check(EVP_DigestSignInit_ex(mdctx, &pctx, digest, nil, nil, pointer, nil),
                                   "EVP_DigestSignInit_ex")
        }
        if algorithm.isPSS, let pctx {
            try configurePSS(pctx, algorithm)
        }
        return try body(mdctx)
    }

    /// An EVP_PKEY_sign/verify context for an already-hashed message.
    private func withSignContext<R>(_ algorithm: SigningAlgorithm, verify: Bool, _ body: (OpaquePointer) throws -> R)
        throws -> R
    {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { throw OpenSSLError("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLError.check(verify ? EVP_PKEY_verify_init(ctx) : EVP_PKEY_sign_init(ctx), "sign init")
        if algorithm.isRSA, let digestName = algorithm.digestName {
            guard let md = EVP_MD_fetch(nil, digestName, nil) else { throw OpenSSLError("EVP_MD_fetch") }
            defer { EVP_MD_free(md) }
            if algorithm.isPSS {
                try configurePSS(ctx, algorithm)
            } else {
                try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), "PKCS1 padding")
            }
            // With a signature digest set, PKCS#1 v1.5 wraps the digest in its DigestInfo, as KMS does.
            try OpenSSLError.check(EVP_PKEY_CTX_set_signature_md(ctx, md), "signature digest")
        }
        return try body(ctx)
    }

    /// RSASSA-PSS as KMS does it: MGF1 with the message hash, salt as long as the digest.
    private func configurePSS(_ ctx: OpaquePointer, _ algorithm: SigningAlgorithm) throws {
        guard let digestName = algorithm.digestName, let md = EVP_MD_fetch(nil, digestName, nil) else {
            throw OpenSSLError("EVP_MD_fetch")
        }
        defer { EVP_MD_free(md) }
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), "PSS padding")
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST), "PSS salt length")
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md), "PSS MGF1 digest")
    }
}
