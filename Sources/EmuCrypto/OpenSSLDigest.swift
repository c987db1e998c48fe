import COpenSSL

/// Message digests through OpenSSL, each algorithm fetched once for the process.
///
/// Fetching by name takes a lock and a lookup in OpenSSL 3 (measurable on the Sign, GenerateMac and S3 paths),
/// and a fetched `EVP_MD` is immutable and may be shared by every thread, so nothing here is ever freed.
public enum OpenSSLDigest {
    nonisolated(unsafe) private static let md5 = EVP_MD_fetch(nil, "MD5", nil)
    nonisolated(unsafe) private static let sha1 = EVP_MD_fetch(nil, "SHA1", nil)
    nonisolated(unsafe) private static let sha224 = EVP_MD_fetch(nil, "SHA224", nil)
    nonisolated(unsafe) private static let sha256 = EVP_MD_fetch(nil, "SHA256", nil)
    nonisolated(unsafe) private static let sha384 = EVP_MD_fetch(nil, "SHA384", nil)
    nonisolated(unsafe) private static let sha512 = EVP_MD_fetch(nil, "SHA512", nil)

    /// The algorithm named as OpenSSL names it (`SHA256`); nil for another name, or one the provider lacks
    /// (MD5 under a FIPS-only configuration).
    public static func algorithm(_ name: String) -> OpaquePointer? {
        switch name {
        case "MD5": return md5
        case "SHA1": return sha1
        case "SHA224": return sha224
        case "SHA256": return sha256
        case "SHA384": return sha384
        case "SHA512": return sha512
        default: return nil
        }
    }

    /// The digest of `bytes` with the algorithm `name`.
    public static func hash(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        guard let md = algorithm(name) else { throw OpenSSLError("EVP_MD_fetch(\(name))") }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        try OpenSSLError.check(EVP_Digest(bytes, bytes.count, &out, &length, md, nil), "EVP_Digest")
        return Array(out.prefix(Int(length)))
    }

    /// SHA-256 in the shape SigV4 takes, which cannot throw; empty when OpenSSL cannot allocate, which matches
    /// no signature.
    @Sendable public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        (try? hash(bytes, name: "SHA256")) ?? []
    }
}
