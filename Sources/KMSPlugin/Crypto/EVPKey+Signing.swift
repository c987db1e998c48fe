import EmuPluginKit
import EmuCrypto
import COpenSSL
import Synchronization

extension EVPKey {
    /// Signs `message` (RAW: the message is hashed here; DIGEST: it already is the hash).
    func sign(_ message: [UInt8], algorithm: SigningAlgorithm, isDigest: Bool) throws -> [UInt8] {
        if algorithm.signsDigestDirectly {
            // The message's hash, signed as a DIGEST message would be: the same signature EVP_DigestSign makes,
            // without setting up a digest-and-sign context per request.
            let digest = isDigest ? message : try Self.messageDigest(message, algorithm)
            return try withPooledSignContext(algorithm, verify: false) { ctx in
                try Self.signDigest(digest, ctx)
            }
        }
        if isDigest {
            return try withSignContext(algorithm, verify: false) { ctx in try Self.signDigest(message, ctx) }
        }
        return try withFreshDigestSignContext(algorithm, verify: false) { mdctx in
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
        if algorithm.signsDigestDirectly {
            let digest = isDigest ? message : try Self.messageDigest(message, algorithm)
            return try withPooledSignContext(algorithm, verify: true) { ctx in
                EVP_PKEY_verify(ctx, signature, signature.count, digest, digest.count) == 1
            }
        }
        if isDigest {
            return try withSignContext(algorithm, verify: true) { ctx in
                EVP_PKEY_verify(ctx, signature, signature.count, message, message.count) == 1
            }
        }
        return try withFreshDigestSignContext(algorithm, verify: true) { mdctx in
            EVP_DigestVerify(mdctx, signature, signature.count, message, message.count) == 1
        }
    }

    private static func signDigest(_ digest: [UInt8], _ ctx: OpaquePointer) throws -> [UInt8] {
        var length = 0
        try OpenSSLError.check(EVP_PKEY_sign(ctx, nil, &length, digest, digest.count), "EVP_PKEY_sign size")
        var signature = [UInt8](repeating: 0, count: length)
        try OpenSSLError.check(EVP_PKEY_sign(ctx, &signature, &length, digest, digest.count), "EVP_PKEY_sign")
        return Array(signature.prefix(length))
    }

    /// Runs `body` with an EVP_PKEY_sign/verify context set up for `algorithm` and this key, taken from the key's
    /// idle ones or made. Setting a context up (fetching the signature implementation, the padding parameters)
    /// costs more than a P-256 signature's last tenth in OpenSSL 3, and a context may sign again and again, but
    /// only on one thread at a time: so each request borrows one, and gives it back unless it failed.
    private func withPooledSignContext<R>(_ algorithm: SigningAlgorithm, verify: Bool,
                                          _ body: (OpaquePointer) throws -> R) throws -> R
    {
        let name = EVPKey.SignContextPool(algorithm: algorithm, verify: verify)
        let ctx = try idleSignContexts.withLock { $0[name]?.popLast() } ?? makeSignContext(algorithm, verify: verify)
        let result: R
        do {
            result = try body(ctx)
        } catch {
            EVP_PKEY_CTX_free(ctx)
            throw error
        }
        let kept = idleSignContexts.withLock { idle -> Bool in
            guard idle[name, default: []].count < Self.idleSignContextLimit else { return false }
            idle[name, default: []].append(ctx)
            return true
        }
        if !kept { EVP_PKEY_CTX_free(ctx) }
        return result
    }

    /// Idle contexts kept per key and algorithm: as many as requests may sign with one key at once, about.
    static let idleSignContextLimit = 16

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
        return try body(mdctx)
    }

    /// An EVP_PKEY_sign/verify context for an already-hashed message, used once.
    private func withSignContext<R>(_ algorithm: SigningAlgorithm, verify: Bool, _ body: (OpaquePointer) throws -> R)
        throws -> R
    {
        let ctx = try makeSignContext(algorithm, verify: verify)
        defer { EVP_PKEY_CTX_free(ctx) }
        return try body(ctx)
    }

    /// A new EVP_PKEY_sign/verify context for `algorithm`; the caller frees it.
    private func makeSignContext(_ algorithm: SigningAlgorithm, verify: Bool) throws -> OpaquePointer {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { throw OpenSSLError("EVP_PKEY_CTX_new") }
        do {
            try OpenSSLError.check(verify ? EVP_PKEY_verify_init(ctx) : EVP_PKEY_sign_init(ctx), "sign init")
            if algorithm.isRSA, let digestName = algorithm.digestName {
                guard let md = OpenSSLDigest.algorithm(digestName) else { throw OpenSSLError("EVP_MD_fetch") }
                if algorithm.isPSS {
                    try configurePSS(ctx, md: md)
                } else {
                    try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), "PKCS1 padding")
                }
                // With a signature digest set, PKCS#1 v1.5 wraps the digest in its DigestInfo, as KMS does.
                try OpenSSLError.check(EVP_PKEY_CTX_set_signature_md(ctx, md), "signature digest")
            }
        } catch {
            EVP_PKEY_CTX_free(ctx)
            throw error
        }
        return ctx
    }

    /// The hash of a RAW message for an algorithm that signs a digest (RSA and ECDSA all name one).
    private static func messageDigest(_ message: [UInt8], _ algorithm: SigningAlgorithm) throws -> [UInt8] {
        guard let name = algorithm.digestName else { throw OpenSSLError("no message digest for \(algorithm)") }
        return try OpenSSLDigest.hash(message, name: name)
    }

    /// RSASSA-PSS as KMS does it: MGF1 with the message hash, salt as long as the digest.
    private func configurePSS(_ ctx: OpaquePointer, md: OpaquePointer) throws {
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), "PSS padding")
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST), "PSS salt length")
        try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md), "PSS MGF1 digest")
    }
}

