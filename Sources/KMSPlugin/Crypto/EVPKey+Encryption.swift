import EmuCrypto
import COpenSSL

extension EVPKey {
    /// RSAES-OAEP (MGF1 with the same hash as OAEP, as KMS uses) or SM2 public-key encryption.
    func encrypt(_ plaintext: [UInt8], oaepDigest: String?) throws -> [UInt8] {
        try withCipherContext(oaepDigest: oaepDigest, decrypt: false) { ctx in
            var length = 0
            try OpenSSLError.check(EVP_PKEY_encrypt(ctx, nil, &length, plaintext, plaintext.count), "encrypt size")
            var out = [UInt8](repeating: 0, count: length)
            try OpenSSLError.check(EVP_PKEY_encrypt(ctx, &out, &length, plaintext, plaintext.count), "EVP_PKEY_encrypt")
            return Array(out.prefix(length))
        }
    }

    /// Decrypts; nil when the ciphertext is not valid for this key and padding.
    func decrypt(_ ciphertext: [UInt8], oaepDigest: String?) throws -> [UInt8]? {
        defer { ERR_clear_error() }
        return try withCipherContext(oaepDigest: oaepDigest, decrypt: true) { ctx in
            var length = 0
            guard EVP_PKEY_decrypt(ctx, nil, &length, ciphertext, ciphertext.count) == 1 else { return nil }
            var out = [UInt8](repeating: 0, count: length)
            guard EVP_PKEY_decrypt(ctx, &out, &length, ciphertext, ciphertext.count) == 1 else { return nil }
            return Array(out.prefix(length))
        }
    }

    private func withCipherContext<R>(oaepDigest: String?, decrypt: Bool, _ body: (OpaquePointer) throws -> R) throws -> R {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { throw OpenSSLError("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLError.check(decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx), "cipher init")
        if let oaepDigest {
            guard let md = OpenSSLDigest.algorithm(oaepDigest) else { throw OpenSSLError("EVP_MD_fetch") }
            try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), "OAEP padding")
            try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md), "OAEP digest")
            try OpenSSLError.check(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md), "OAEP MGF1 digest")
        }
        return try body(ctx)
    }

    /// ECDH: the shared secret with a peer's public key (same curve), as DeriveSharedSecret returns it.
    func deriveSharedSecret(peer: EVPKey) throws -> [UInt8] {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { throw OpenSSLError("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLError.check(EVP_PKEY_derive_init(ctx), "EVP_PKEY_derive_init")
        try OpenSSLError.check(EVP_PKEY_derive_set_peer(ctx, peer.pointer), "EVP_PKEY_derive_set_peer")
        var length = 0
        try OpenSSLError.check(EVP_PKEY_derive(ctx, nil, &length), "derive size")
        var secret = [UInt8](repeating: 0, count: length)
        try OpenSSLError.check(EVP_PKEY_derive(ctx, &secret, &length), "EVP_PKEY_derive")
        return Array(secret.prefix(length))
    }
}
