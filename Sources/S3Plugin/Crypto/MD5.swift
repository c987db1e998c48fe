import EmuCrypto
import COpenSSL

/// MD5 through OpenSSL's EVP interface, for what S3 makes of it: ETags and `Content-MD5` checks.
///
/// MD5 is no protection here and is not used as one; S3's wire format simply is MD5. Foundation on Linux has no
/// MD5 and swift-crypto's `Insecure.MD5` would add a dependency for one function, so the plugin asks OpenSSL,
/// which every plugin already links.
final class MD5: @unchecked Sendable {
    private let context: OpaquePointer

    /// - Returns: nil when OpenSSL's default provider has no MD5 (a FIPS-only configuration).
    init?() {
        guard let algorithm = OpenSSLDigest.algorithm("MD5"), let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestInit_ex2(context, algorithm, nil) == 1 else {
            EVP_MD_CTX_free(context)
            return nil
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        EVP_DigestUpdate(context, base, buffer.count)
    }

    /// The 16-byte digest; the hasher cannot be used afterwards.
    func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Array(digest.prefix(Int(length)))
    }

    /// The digest of `bytes` in one call.
    static func digest(_ bytes: [UInt8]) -> [UInt8] {
        guard let hasher = MD5() else { return [] }
        hasher.update(bytes)
        return hasher.finish()
    }

    /// The digest of a slice of `bytes`, without copying it.
    static func digest(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        guard let hasher = MD5() else { return [] }
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }
}
