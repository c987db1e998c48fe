import COpenSSL
import CISAL
import CXXHash
import CZlib
import EmuCrypto

/// Computes one additional checksum over a body given piece by piece, so a streamed upload is checked without
/// being held. The libraries: zlib (CRC32), ISA-L (CRC32C), OpenSSL (SHA-1, SHA-256, SHA-512, MD5), xxHash
/// (XXHASH64, XXHASH3, XXHASH128) and `CRC64NVME`.
final class ChecksumHasher: @unchecked Sendable {
    let algorithm: ChecksumAlgorithm
    private enum State {
        case crc32(UInt)
        case crc32c(UInt32)
        case crc64(CRC64NVME)
        case digest(OpaquePointer)
        case xxh64(OpaquePointer)
        case xxh3(OpaquePointer)
    }
    private var state: State

    /// - Returns: nil when the library cannot make the state (no memory, or no such digest in OpenSSL's provider).
    init?(_ algorithm: ChecksumAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc32: state = .crc32(0)
        case .crc32c: state = .crc32c(0)
        case .crc64nvme: state = .crc64(CRC64NVME())
        case .sha1, .sha256, .sha512, .md5:
            guard let md = OpenSSLDigest.algorithm(algorithm.rawValue), let context = EVP_MD_CTX_new() else { return nil }
            guard EVP_DigestInit_ex2(context, md, nil) == 1 else {
                EVP_MD_CTX_free(context)
                return nil
            }
            state = .digest(context)
        case .xxhash64:
            guard let xxh = XXH64_createState(), XXH64_reset(xxh, 0) == XXH_OK else { return nil }
            state = .xxh64(xxh)
        case .xxhash3, .xxhash128:
            guard let xxh = XXH3_createState() else { return nil }
            let reset = algorithm == .xxhash3 ? XXH3_64bits_reset(xxh) : XXH3_128bits_reset(xxh)
            guard reset == XXH_OK else {
                XXH3_freeState(xxh)
                return nil
            }
            state = .xxh3(xxh)
        }
    }

    deinit {
        switch state {
        case .digest(let context): EVP_MD_CTX_free(context)
        case .xxh64(let xxh): XXH64_freeState(xxh)
        case .xxh3(let xxh): XXH3_freeState(xxh)
        case .crc32, .crc32c, .crc64: break
        }
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        switch state {
        case .crc32(let crc):
            state = .crc32(crc32_z(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count))
        case .crc32c(var crc):
            // ISA-L takes an int length and works on the inverted register: ~0 in, inverted out.
            var offset = 0
            while offset < bytes.count {
                let length = min(bytes.count - offset, 1 << 30)
                crc = ~crc32_iscsi(UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self) + offset),
                                   Int32(length), ~crc)
                offset += length
            }
            state = .crc32c(crc)
        case .crc64(var crc):
            crc.update(bytes)
            state = .crc64(crc)
        case .digest(let context):
            EVP_DigestUpdate(context, base, bytes.count)
        case .xxh64(let xxh):
            XXH64_update(xxh, base, bytes.count)
        case .xxh3(let xxh):
            if algorithm == .xxhash3 {
                XXH3_64bits_update(xxh, base, bytes.count)
            } else {
                XXH3_128bits_update(xxh, base, bytes.count)
            }
        }
    }

    func update(_ bytes: ArraySlice<UInt8>) { bytes.withUnsafeBytes { update($0) } }

    /// The digest, big-endian as S3 sends it; the hasher cannot be used afterwards.
    func finish() -> [UInt8] {
        switch state {
        case .crc32(let crc): return Self.bigEndian(UInt64(crc), bytes: 4)
        case .crc32c(let crc): return Self.bigEndian(UInt64(crc), bytes: 4)
        case .crc64(let crc): return Self.bigEndian(crc.value, bytes: 8)
        case .digest(let context):
            var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &digest, &length)
            return Array(digest.prefix(Int(length)))
        case .xxh64(let xxh):
            return Self.bigEndian(XXH64_digest(xxh), bytes: 8)
        case .xxh3(let xxh):
            if algorithm == .xxhash3 { return Self.bigEndian(XXH3_64bits_digest(xxh), bytes: 8) }
            let hash = XXH3_128bits_digest(xxh)
            return Self.bigEndian(hash.high64, bytes: 8) + Self.bigEndian(hash.low64, bytes: 8)
        }
    }

    /// The checksum of `bytes` in one call.
    static func value(of bytes: ArraySlice<UInt8>, _ algorithm: ChecksumAlgorithm) -> [UInt8]? {
        guard let hasher = ChecksumHasher(algorithm) else { return nil }
        hasher.update(bytes)
        return hasher.finish()
    }

    /// The low `bytes` bytes of `value`, most significant first: how S3 sends a CRC or an xxHash.
    static func bigEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(bytes - 1 - $0))) }
    }
}
