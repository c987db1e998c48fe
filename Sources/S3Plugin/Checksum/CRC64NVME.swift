/// CRC-64/NVME (the Rocksoft polynomial 0xAD93D23594C93659, reflected, initial value and final XOR all ones),
/// the checksum S3 gives every object by default.
///
/// Written out here because no library on this machine has it: zlib has only CRC-32, and Debian's ISA-L (2.30)
/// predates its Rocksoft CRC-64. It is a checksum, not a cryptographic primitive, and it is checked against the
/// catalogue's check value and against the AWS CRT's implementation (the compat tests, through botocore).
struct CRC64NVME {
    /// 0xAD93D23594C93659 with its bits reversed, as a reflected CRC shifts right.
    static let reflectedPolynomial: UInt64 = 0x9A6C_9329_AC4B_C9B5

    /// The reflected polynomial, one table entry per byte value.
    private static let table: [UInt64] = (0..<256).map { index in
        var crc = UInt64(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ reflectedPolynomial : crc >> 1 }
        return crc
    }

    private var crc: UInt64 = ~0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = self.crc
        Self.table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8) }
        }
        self.crc = crc
    }

    var value: UInt64 { ~crc }
}
