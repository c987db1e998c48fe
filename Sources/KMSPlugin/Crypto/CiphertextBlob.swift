import EmuCrypto

/// The symmetric ciphertext blob: self-describing and versioned (see docs/ciphertext-format.md).
///
/// ```
/// 0x01 | account id (12 ASCII digits) | key id length (1 byte) | key id | key-material id (32 bytes)
///      | IV (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes)
/// ```
/// Everything before the IV is the header; the header and the canonical encryption context together are the
/// GCM additional data, so changing any header byte, the context or the ciphertext fails authentication.
///
/// A parsed blob keeps the bytes it came from and where each part starts, rather than a copy of each part: Decrypt
/// opens the ciphertext where it lies. Encrypt writes the header, draws the IV and seals straight into the one
/// buffer it returns.
struct CiphertextBlob {
    static let formatVersion: UInt8 = 0x01
    static let materialIdLength = 32

    let bytes: [UInt8]
    let accountId: String
    let keyId: String
    /// Where the key-material id starts; the IV follows it, and ends the header.
    private let materialStart: Int

    private var ivStart: Int { materialStart + Self.materialIdLength }
    private var ciphertextStart: Int { ivStart + AESGCM.ivLength }
    private var ciphertextCount: Int { bytes.count - ciphertextStart - AESGCM.tagLength }

    var materialId: ArraySlice<UInt8> { bytes[materialStart..<ivStart] }

    /// Whether this blob was made with `material`.
    func isSealed(with material: KeyMaterialVersion) -> Bool { material.idBytes.elementsEqual(materialId) }

    /// Parses a blob; nil for anything that is not one of ours (another format, truncated, random bytes).
    init?(parsing bytes: [UInt8]) {
        let fixed = Self.materialIdLength + AESGCM.ivLength + AESGCM.tagLength
        guard bytes.count >= 1 + 12 + 1 + 1 + fixed, bytes[0] == Self.formatVersion else { return nil }
        let account = bytes[1..<13]
        guard account.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let keyIdLength = Int(bytes[13])
        let keyIdEnd = 14 + keyIdLength
        guard keyIdLength > 0, bytes.count >= keyIdEnd + fixed else { return nil }
        let keyIdBytes = bytes[14..<keyIdEnd]
        guard keyIdBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        self.bytes = bytes
        accountId = String(decoding: account, as: UTF8.self)
        keyId = String(decoding: keyIdBytes, as: UTF8.self)
        materialStart = keyIdEnd
    }

    /// Encrypts `plaintext` under one material version of a key and returns the blob's bytes.
    static func seal(plaintext: [UInt8], key: KmsKey, material: KeyMaterialVersion, context: [String: String]) throws
        -> [UInt8]
    {
        guard let secret = material.material.symmetricBytes else { throw OpenSSLError("symmetric material expected") }
        // A stored record could bring a material id that is not 64 hex digits: a failed request, not a host crash.
        guard material.idBytes.count == materialIdLength, key.keyId.utf8.count <= UInt8.max else {
            throw OpenSSLError("a key-material id of 32 bytes and a key id of at most 255 expected")
        }
        let ivStart = 2 + key.accountId.utf8.count + key.keyId.utf8.count + materialIdLength
        let ciphertextStart = ivStart + AESGCM.ivLength
        let count = ciphertextStart + plaintext.count + AESGCM.tagLength
        let contextBytes = EncryptionContext.canonicalBytes(context)
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = UnsafeMutableRawBufferPointer(buffer)
            var at = 0
            func put<Bytes: Collection<UInt8>>(_ part: Bytes) {
                for byte in part {
                    out[at] = byte
                    at += 1
                }
            }
            put(CollectionOfOne(formatVersion))
            put(key.accountId.utf8)
            put(CollectionOfOne(UInt8(key.keyId.utf8.count)))
            put(key.keyId.utf8)
            put(material.idBytes)
            SecureRandom.publicFill(UnsafeMutableRawBufferPointer(rebasing: out[ivStart..<ciphertextStart]))
            try plaintext.withUnsafeBytes { plaintext in
                try contextBytes.withUnsafeBytes { contextBytes in
                    try AESGCM.seal(key: secret, iv: UnsafeRawBufferPointer(rebasing: out[ivStart..<ciphertextStart]),
                                    header: UnsafeRawBufferPointer(rebasing: out[..<ivStart]), aad: contextBytes,
                                    plaintext: plaintext,
                                    into: UnsafeMutableRawBufferPointer(rebasing: out[ciphertextStart...]))
                }
            }
            initialized = count
        }
    }

    /// Decrypts with the material the blob names; nil when authentication fails. The header (everything before
    /// the IV) and the encryption context's canonical bytes are the additional data.
    func open(material: KeyMaterialVersion, context: [String: String]) throws -> [UInt8]? {
        guard let secret = material.material.symmetricBytes else { return nil }
        let contextBytes = EncryptionContext.canonicalBytes(context)
        let (ivStart, ciphertextStart, ciphertextCount) = (ivStart, ciphertextStart, ciphertextCount)
        var authentic = false
        let plaintext = try [UInt8](unsafeUninitializedCapacity: ciphertextCount) { out, initialized in
            authentic = try bytes.withUnsafeBytes { blob in
                try contextBytes.withUnsafeBytes { contextBytes in
                    try AESGCM.open(key: secret, iv: UnsafeRawBufferPointer(rebasing: blob[ivStart..<ciphertextStart]),
                                    header: UnsafeRawBufferPointer(rebasing: blob[..<ivStart]), aad: contextBytes,
                                    ciphertext: UnsafeRawBufferPointer(
                                        rebasing: blob[ciphertextStart..<(ciphertextStart + ciphertextCount)]),
                                    tag: UnsafeRawBufferPointer(rebasing: blob[(blob.count - AESGCM.tagLength)...]),
                                    into: UnsafeMutableRawBufferPointer(out))
                }
            }
            initialized = ciphertextCount
        }
        return authentic ? plaintext : nil
    }
}
