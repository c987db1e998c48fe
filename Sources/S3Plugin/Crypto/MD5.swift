/// MD5 for what S3 makes of it: ETags and `Content-MD5` checks.
///
/// MD5 is no protection here and is not used as one; S3's wire format simply is MD5. It is one of the additional
/// checksums too, so it comes from the same place, `ChecksumHasher` (OpenSSL's EVP interface).
enum MD5 {
    /// The digest of `bytes`; empty when OpenSSL's default provider has no MD5 (a FIPS-only configuration).
    static func digest(_ bytes: [UInt8]) -> [UInt8] { digest(bytes[...]) }

    /// The digest of a slice of `bytes`, without copying it.
    static func digest(_ bytes: ArraySlice<UInt8>) -> [UInt8] { ChecksumHasher.value(of: bytes, .md5) ?? [] }
}
