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
        var sealed = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        try iv.withUnsafeBytes { iv in
            try aad.withUnsafeBytes { aad in
                try plaintext.withUnsafeBytes { plaintext in
                    try sealed.withUnsafeMutableBytes { out in
                        try seal(key: key, iv: iv, header: UnsafeRawBufferPointer(start: nil, count: 0), aad: aad,
                                 plaintext: plaintext, into: out)
                    }
                }
            }
        }
        let tag = Array(sealed[plaintext.count...])
        sealed.removeLast(tagLength)
        return (sealed, tag)
    }

    /// Encrypts into `output`, which takes the ciphertext (as long as the plaintext) and then the tag, so a caller
    /// can seal straight into the buffer it returns. The additional data is `header` followed by `aad`.
    public static func seal(key: [UInt8], iv: UnsafeRawBufferPointer, header: UnsafeRawBufferPointer,
                            aad: UnsafeRawBufferPointer, plaintext: UnsafeRawBufferPointer,
                            into output: UnsafeMutableRawBufferPointer) throws
    {
        precondition(key.count == 32 && iv.count == ivLength && output.count == plaintext.count + tagLength)
        try withContext(key: key, encrypting: true, iv: iv, header: header, aad: aad) { ctx in
            var length: Int32 = 0
            let out = bytes(output)!
            var total = 0
            if plaintext.count > 0 {
                try OpenSSLError.check(EVP_EncryptUpdate(ctx, out, &length, bytes(plaintext), Int32(plaintext.count)),
                                       "EVP_EncryptUpdate")
                total = Int(length)
            }
            try OpenSSLError.check(EVP_EncryptFinal_ex(ctx, out + total, &length), "EVP_EncryptFinal_ex")
            total += Int(length)
            precondition(total == plaintext.count, "GCM wrote \(total) bytes for \(plaintext.count)")
            try OpenSSLError.check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), out + total),
                                   "GCM get tag")
        }
    }

    /// Decrypts and authenticates; nil when the tag does not match (tampered data, wrong key or wrong AAD).
    public static func open(key: [UInt8], iv: [UInt8], ciphertext: [UInt8], tag: [UInt8], aad: [UInt8]) throws -> [UInt8]? {
        guard key.count == 32, iv.count == ivLength, tag.count == tagLength else { return nil }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        let authentic = try iv.withUnsafeBytes { iv in
            try aad.withUnsafeBytes { aad in
                try ciphertext.withUnsafeBytes { ciphertext in
                    try tag.withUnsafeBytes { tag in
                        try plaintext.withUnsafeMutableBytes { out in
                            try open(key: key, iv: iv, header: UnsafeRawBufferPointer(start: nil, count: 0), aad: aad,
                                     ciphertext: ciphertext, tag: tag, into: out)
                        }
                    }
                }
            }
        }
        return authentic ? plaintext : nil
    }

    /// Decrypts into `output` (as long as the ciphertext) and authenticates `header` followed by `aad` with it;
    /// false when the tag does not match, and then `output` holds nothing to use.
    public static func open(key: [UInt8], iv: UnsafeRawBufferPointer, header: UnsafeRawBufferPointer,
                            aad: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer,
                            into output: UnsafeMutableRawBufferPointer) throws -> Bool
    {
        guard key.count == 32, iv.count == ivLength, tag.count == tagLength, output.count == ciphertext.count else {
            return false
        }
        return try withContext(key: key, encrypting: false, iv: iv, header: header, aad: aad) { ctx in
            // GCM's final writes nothing, but OpenSSL wants somewhere to write it, also for an empty ciphertext.
            var spare: UInt8 = 0
            return try withUnsafeMutablePointer(to: &spare) { spare in
                let out = bytes(output) ?? spare
                var length: Int32 = 0
                var total = 0
                if ciphertext.count > 0 {
                    try OpenSSLError.check(EVP_DecryptUpdate(ctx, out, &length, bytes(ciphertext), Int32(ciphertext.count)),
                                           "EVP_DecryptUpdate")
                    total = Int(length)
                }
                // OpenSSL copies the tag in and never writes through the pointer.
                try OpenSSLError.check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagLength),
                                                           UnsafeMutableRawPointer(mutating: tag.baseAddress)),
                                       "GCM set tag")
                guard EVP_DecryptFinal_ex(ctx, out + total, &length) > 0 else {
                    ERR_clear_error()
                    return false
                }
                return true
            }
        }
    }

    /// Runs `body` with this thread's context for `key` in one direction, its IV set and `header` then `aad` fed
    /// as additional data (several updates add up, before the first byte of text). A context that fails midway is
    /// dropped from the cache, so no later call meets it in an unknown state.
    private static func withContext<R>(key: [UInt8], encrypting: Bool, iv: UnsafeRawBufferPointer,
                                       header: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
                                       _ body: (OpaquePointer) throws -> R) throws -> R
    {
        let cache = AESGCMContextCache.current
        let ctx = try cache.context(for: key, encrypting: encrypting, cipher: cipher)
        do {
            try OpenSSLError.check(EVP_CipherInit_ex2(ctx, nil, nil, bytes(iv), encrypting ? 1 : 0, nil),
                                   "EVP_CipherInit_ex2")
            func authenticate(_ part: UnsafeRawBufferPointer) throws {
                guard part.count > 0 else { return }
                var length: Int32 = 0
                let result = encrypting ? EVP_EncryptUpdate(ctx, nil, &length, bytes(part), Int32(part.count))
                    : EVP_DecryptUpdate(ctx, nil, &length, bytes(part), Int32(part.count))
                try OpenSSLError.check(result, "GCM AAD")
            }
            try authenticate(header)
            try authenticate(aad)
            return try body(ctx)
        } catch {
            cache.discard(ctx)
            throw error
        }
    }

    /// The bytes of a buffer that holds `UInt8`s, as OpenSSL takes them.
    private static func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    private static func bytes(_ buffer: UnsafeMutableRawBufferPointer) -> UnsafeMutablePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
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
