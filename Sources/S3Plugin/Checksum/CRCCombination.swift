import CZlib

/// The CRC of a whole body from its parts' CRCs and sizes, as S3 makes a multipart object's FULL_OBJECT
/// checksum without reading the parts again.
///
/// zlib combines its own CRC-32 (`crc32_combine`; z_off_t is 64 bits here); ISA-L has no combining function for CRC-32C, and CRC-64/NVME
/// has no library here at all, so for those two this applies zlib's method — multiplying by the operator for "append
/// n zero bytes", built by squaring in GF(2) — to their reflected polynomials. All three CRCs are initialised and
/// finished with all ones, which the method assumes.
enum CRCCombination {
    /// The digest (big-endian, as S3 sends it) of the parts' bodies one after another.
    /// - Parameter parts: each part's digest and size, in order.
    static func combine(_ algorithm: ChecksumAlgorithm, _ parts: [(digest: [UInt8], size: Int64)]) -> [UInt8]? {
        guard algorithm.isCRC, let first = parts.first else { return nil }
        let width = algorithm.digestLength * 8
        var crc = integer(first.digest)
        for part in parts.dropFirst() {
            let next = integer(part.digest)
            switch algorithm {
            case .crc32: crc = UInt64(crc32_combine(UInt(crc), UInt(next), Int(part.size)))
            case .crc32c: crc = combine(crc, next, length: part.size, polynomial: 0x82F6_3B78, width: width)
            default: crc = combine(crc, next, length: part.size, polynomial: 0x9A6C_9329_AC4B_C9B5, width: width)
            }
        }
        return (0..<(width / 8)).map { UInt8(truncatingIfNeeded: crc >> UInt64(width - 8 - 8 * $0)) }
    }

    private static func integer(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }

    /// zlib's crc32_combine for a reflected CRC of `width` bits: `crc1` extended by `length` zero bytes, then
    /// XOR `crc2`.
    static func combine(_ crc1: UInt64, _ crc2: UInt64, length: Int64, polynomial: UInt64, width: Int) -> UInt64 {
        guard length > 0 else { return crc1 }
        var odd = [UInt64](repeating: 0, count: width)
        var even = [UInt64](repeating: 0, count: width)
        odd[0] = polynomial  // the operator for one zero bit
        var row: UInt64 = 1
        for n in 1..<width {
            odd[n] = row
            row <<= 1
        }
        square(&even, odd)  // two zero bits
        square(&odd, even)  // four zero bits
        var crc = crc1
        var remaining = length
        repeat {
            square(&even, odd)  // the first pass: one zero byte
            if remaining & 1 != 0 { crc = times(even, crc) }
            remaining >>= 1
            if remaining == 0 { break }
            square(&odd, even)
            if remaining & 1 != 0 { crc = times(odd, crc) }
            remaining >>= 1
        } while remaining != 0
        return crc ^ crc2
    }

    private static func times(_ matrix: [UInt64], _ vector: UInt64) -> UInt64 {
        var sum: UInt64 = 0
        var vector = vector
        var index = 0
        while vector != 0 {
            if vector & 1 != 0 { sum ^= matrix[index] }
            vector >>= 1
            index += 1
        }
        return sum
    }

    private static func square(_ result: inout [UInt64], _ matrix: [UInt64]) {
        for n in matrix.indices { result[n] = times(matrix, matrix[n]) }
    }
}
