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
        guard algorithm.isCRC, let first = parts.first else { return nil }
        let width = algorithm.digestLength * 8
        var crc = integer(first.digest)
        for part in parts.dropFirst() {
            let next = integer(part.digest)
            switch algorithm {
            case .crc32: crc = UInt64(crc32_combine(UInt(crc), UInt(next), Int(part.size)))
            case .crc32c: crc = ZeroBytes.crc32c.carry(crc, through: part.size) ^ next
            default: crc = ZeroBytes.crc64nvme.carry(crc, through: part.size) ^ next
            }
        }
        return ChecksumHasher.bigEndian(crc, bytes: width / 8)
    }

    private static func integer(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
}
