import CZlib

/// The CRC of a whole body from its parts' CRCs and sizes, as S3 makes a multipart object's FULL_OBJECT
/// checksum without reading the parts again.
///
/// zlib combines its own CRC-32 (`crc32_combine`; z_off_t is 64 bits here). ISA-L has no combining function for
/// CRC-32C and no library here has CRC-64/NVME at all, so for those two this applies zlib's method to their
/// reflected polynomials: CRC(A‖B) is CRC(A) carried through |B| zero bytes, XOR CRC(B), which holds because all
/// three CRCs start and finish with all ones.
enum CRCCombination {
    /// The digest (big-endian, as S3 sends it) of the parts' bodies one after another; nil for an algorithm that
    /// is not a CRC.
    /// - Parameter parts: each part's digest and size, in order.
    static func combine(_ algorithm: ChecksumAlgorithm, _ parts: [(digest: [UInt8], size: Int64)]) -> [UInt8]? {
        guard let first = parts.first else { return nil }
        let carry: (_ crc: UInt64, _ size: Int64) -> UInt64
        switch algorithm {
        case .crc32: carry = { crc, size in UInt64(crc32_combine(UInt(crc), 0, Int(size))) }
        case .crc32c: carry = ZeroBytes.crc32c.carry
        case .crc64nvme: carry = ZeroBytes.crc64nvme.carry
        case .sha1, .sha256, .sha512, .md5, .xxhash64, .xxhash3, .xxhash128: return nil
        }
        var crc = integer(first.digest)
        for part in parts.dropFirst() { crc = carry(crc, part.size) ^ integer(part.digest) }
        return ChecksumHasher.bigEndian(crc, bytes: algorithm.digestLength)
    }

    private static func integer(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
}
