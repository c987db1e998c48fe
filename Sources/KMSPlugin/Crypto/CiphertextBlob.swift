import EmuCrypto

/// The symmetric ciphertext blob: self-describing and versioned (see docs/ciphertext-format.md).
///
/// ```
/// 0x01 | account id (12 ASCII digits) | key id length (1 byte) | key id | key-material id (32 bytes)
///      | IV (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes)
/// ```
/// Everything before the IV is the header; the header and the canonical encryption context together are the
/// GCM additional data, so changing any header byte, the context or the ciphertext fails authentication.
struct CiphertextBlob: Equatable {
    static let formatVersion: UInt8 = 0x01

    var accountId: String
    var keyId: String
    var materialId: [UInt8]
    var iv: [UInt8]
    var ciphertext: [UInt8]
    var tag: [UInt8]

    var serialized: [UInt8] {
        var out = bytes(reserving: iv.count + ciphertext.count + tag.count)
        out.append(contentsOf: iv)
        out.append(contentsOf: ciphertext)
        out.append(contentsOf: tag)
        return out
    }

    /// The header (format, account, key id, material id), in an array with room for `more` bytes after it: one
    /// allocation per blob on the Encrypt path, where growing the array piece by piece took six.
    private func bytes(reserving more: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2 + accountId.utf8.count + keyId.utf8.count + materialId.count + more)
        out.append(Self.formatVersion)
        out.append(contentsOf: accountId.utf8)
        out.append(UInt8(keyId.utf8.count))
        out.append(contentsOf: keyId.utf8)
        out.append(contentsOf: materialId)
        return out
    }

    /// Parses a blob; nil for anything that is not one of ours (another format, truncated, random bytes).
    init?(parsing bytes: [UInt8]) {
        guard bytes.count >= 1 + 12 + 1 + 1 + 32 + AESGCM.ivLength + AESGCM.tagLength,
            bytes[0] == Self.formatVersion
        else { return nil }
        let account = bytes[1..<13]
        guard account.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let keyIdLength = Int(bytes[13])
        let keyIdEnd = 14 + keyIdLength
        guard keyIdLength > 0, bytes.count >= keyIdEnd + 32 + AESGCM.ivLength + AESGCM.tagLength else { return nil }
        let keyIdBytes = bytes[14..<keyIdEnd]
        guard keyIdBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        accountId = String(decoding: account, as: UTF8.self)
        keyId = String(decoding: keyIdBytes, as: UTF8.self)
        materialId = Array(bytes[keyIdEnd..<(keyIdEnd + 32)])
        let ivStart = keyIdEnd + 32
        iv = Array(bytes[ivStart..<(ivStart + AESGCM.ivLength)])
        ciphertext = Array(bytes[(ivStart + AESGCM.ivLength)..<(bytes.count - AESGCM.tagLength)])
        tag = Array(bytes[(bytes.count - AESGCM.tagLength)...])
    }

    init(accountId: String, keyId: String, materialId: [UInt8], iv: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        self.accountId = accountId
        self.keyId = keyId
        self.materialId = materialId
        self.iv = iv
        self.ciphertext = ciphertext
        self.tag = tag
    }

    /// Encrypts `plaintext` under one material version of a key.
    static func seal(plaintext: [UInt8], key: KmsKey, material: KeyMaterialVersion, context: [String: String]) throws
        -> CiphertextBlob
    {
        guard let secret = material.material.symmetricBytes else { throw OpenSSLError("symmetric material expected") }
        var blob = CiphertextBlob(accountId: key.accountId, keyId: key.keyId, materialId: material.idBytes,
                                  iv: SecureRandom.publicBytes(AESGCM.ivLength), ciphertext: [], tag: [])
        let sealed = try AESGCM.seal(key: secret, iv: blob.iv, plaintext: plaintext, aad: blob.additionalData(context))
        blob.ciphertext = sealed.ciphertext
        blob.tag = sealed.tag
        return blob
    }

    /// Decrypts with the material the blob names; nil when authentication fails.
    func open(material: KeyMaterialVersion, context: [String: String]) throws -> [UInt8]? {
        guard let secret = material.material.symmetricBytes else { return nil }
        return try AESGCM.open(key: secret, iv: iv, ciphertext: ciphertext, tag: tag, aad: additionalData(context))
    }

    /// What AES-GCM authenticates besides the ciphertext: the header, then the encryption context's canonical bytes.
    private func additionalData(_ context: [String: String]) -> [UInt8] {
        var aad = bytes(reserving: EncryptionContext.canonicalCount(context))
        EncryptionContext.append(context, to: &aad)
        return aad
    }
}
