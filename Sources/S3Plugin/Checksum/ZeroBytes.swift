/// What feeding zero bytes does to the register of one reflected CRC: GF(2) matrices for 2^k zero bytes, built
/// once by squaring, so carrying a CRC through n bytes takes one matrix-vector product per bit set in n.
final class ZeroBytes: Sendable {
    static let crc32c = ZeroBytes(polynomial: 0x82F6_3B78, width: 32)
    static let crc64nvme = ZeroBytes(polynomial: CRC64NVME.reflectedPolynomial, width: 64)

    /// powers[k] is the operator for 2^k zero bytes; 48 of them reach far past S3's 5 TiB objects.
    private let powers: [[UInt64]]

    init(polynomial: UInt64, width: Int) {
        // One zero bit: shift right, folding the polynomial in when the bit shifted out was set.
        var bit = [UInt64](repeating: 0, count: width)
        bit[0] = polynomial
        for n in 1..<width { bit[n] = 1 << UInt64(n - 1) }
        var byte = bit
        for _ in 0..<3 { byte = Self.square(byte) }  // 2, 4, then 8 bits
        var powers = [byte]
        for _ in 1..<48 { powers.append(Self.square(powers[powers.count - 1])) }
        self.powers = powers
    }

    /// `crc` after `count` more zero bytes (without the final XOR, which the combination cancels).
    func carry(_ crc: UInt64, through count: Int64) -> UInt64 {
        var crc = crc
        var remaining = UInt64(max(count, 0))
        var power = 0
        while remaining != 0, power < powers.count {
            if remaining & 1 != 0 { crc = Self.times(powers[power], crc) }
            remaining >>= 1
            power += 1
        }
        return crc
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

    private static func square(_ matrix: [UInt64]) -> [UInt64] { matrix.map { times(matrix, $0) } }
}
