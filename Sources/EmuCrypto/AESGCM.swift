import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface, with a 12-byte IV and a 16-byte tag.
public enum AESGCM {
    public static let ivLength = 12
    public static let tagLength = 16

    /// Fetched once: implicit fetching on every EVP_EncryptInit_ex is measurable on the Encrypt hot path, and an
    /// EVP_CIPHER is immutable and safe to share between threads.
    nonisolated(unsafe) private static let cipher: OpaquePointer = {
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else {
            fatalError("OpenSSL has no AES-256-GCM: \(OpenSSLError("EVP_CIPHER_fetch"))")
        }
        return cipher
    }()

    /// Encrypts; returns the ciphertext (same length as the plaintext) and the tag.
    public static func seal(key: [UInt8], iv: [UInt8], plaintext: [UInt8], aad: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        precondition(key.count == 32 && iv.count == ivLength)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw OpenSSLError("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: tagLength)
        var length: Int32 = 0
        var total = 0
        try OpenSSLError.check(EVP_EncryptInit_ex2(ctx, cipher, key, iv, nil), "EVP_EncryptInit_ex2")
        if !aad.isEmpty {
            try OpenSSLError.check(EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)), "GCM AAD")
        }
        try ciphertext.withUnsafeMutableBufferPointer { out in
            if !plaintext.isEmpty {
                try OpenSSLError.check(EVP_EncryptUpdate(ctx, out.baseAddress, &length, plaintext, Int32(plaintext.count)),
                                       "EVP_EncryptUpdate")
                total = Int(length)
            }
            try OpenSSLError.check(EVP_EncryptFinal_ex(ctx, out.baseAddress! + total, &length), "EVP_EncryptFinal_ex")
            total += Int(length)
        }
        try OpenSSLError.check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), &tag), "GCM get tag")
        // Trimmed in place (GCM writes no more than the plaintext): a copy of the prefix was one more allocation.
        ciphertext.removeLast(ciphertext.count - total)
        return (ciphertext, tag)
    }

    /// Decrypts and authenticates; nil when the tag does not match (tampered data, wrong key or wrong AAD).
    public static func open(key: [UInt8], iv: [UInt8], ciphertext: [UInt8], tag: [UInt8], aad: [UInt8]) throws -> [UInt8]? {
        guard key.count == 32, iv.count == ivLength, tag.count == tagLength else { return nil }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw OpenSSLError("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var length: Int32 = 0
        var total = 0
        try OpenSSLError.check(EVP_DecryptInit_ex2(ctx, cipher, key, iv, nil), "EVP_DecryptInit_ex2")
        if !aad.isEmpty {
            try OpenSSLError.check(EVP_DecryptUpdate(ctx, nil, &length, aad, Int32(aad.count)), "GCM AAD")
        }
        var tagCopy = tag
        let authentic = try plaintext.withUnsafeMutableBufferPointer { out -> Bool in
            if !ciphertext.isEmpty {
                try OpenSSLError.check(EVP_DecryptUpdate(ctx, out.baseAddress, &length, ciphertext, Int32(ciphertext.count)),
                                       "EVP_DecryptUpdate")
                total = Int(length)
            }
            try OpenSSLError.check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), &tagCopy),
                                   "GCM set tag")
            guard EVP_DecryptFinal_ex(ctx, out.baseAddress! + total, &length) > 0 else {
                ERR_clear_error()
                return false
            }
            total += Int(length)
            return true
        }
        guard authentic else { return nil }
        plaintext.removeLast(plaintext.count - total)
        return plaintext
    }

    /// Seals under a fresh random IV into one buffer: IV, ciphertext, tag (the layout of swift-crypto's
    /// `SealedBox.combined`), the form stored state, S3 chunks and wrapped S3 data keys keep.
    public static func sealCombined(key: [UInt8], plaintext: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        let iv = SecureRandom.bytes(ivLength)
        let (ciphertext, tag) = try seal(key: key, iv: iv, plaintext: plaintext, aad: aad)
        return iv + ciphertext + tag
    }

    /// Opens what `sealCombined` made; nil when it is too short to hold an IV and a tag, or does not authenticate.
    public static func openCombined<Bytes: Collection<UInt8>>(key: [UInt8], _ sealed: Bytes, aad: [UInt8]) throws
        -> [UInt8]?
    {
        guard sealed.count >= ivLength + tagLength else { return nil }
        return try open(key: key, iv: Array(sealed.prefix(ivLength)),
                        ciphertext: Array(sealed.dropFirst(ivLength).dropLast(tagLength)),
                        tag: Array(sealed.suffix(tagLength)), aad: aad)
    }
}
