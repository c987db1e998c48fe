import CZlib
import EmuPluginKit
import Testing

@testable import S3Plugin

/// Each additional checksum gives the catalogue's check value for "123456789" (for the CRCs and xxHash as the
/// AWS CRT computes them, big-endian), and a body given in pieces checksums as it does in one.
@Suite struct ChecksumHasherTests {
    static let checkValues: [(ChecksumAlgorithm, String)] = [
        (.crc32, "cbf43926"),
        (.crc32c, "e3069283"),
        (.crc64nvme, "ae8b14860a799888"),
        (.sha1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"),
        (.sha256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"),
        (.sha512, "d9e6762dd1c8eaf6d61b3c6192fc408d4d6d5f1176d0c29169bc24e71c3f274ad27fcd5811b313d681f7e55ec02d73d4"
            + "99c95455b6b5bb503acf574fba8ffe85"),
        (.md5, "25f9e794323b453885f5181f1b624d0b"),
        (.xxhash64, "8cb841db40e6ae83"),
        (.xxhash3, "72dcb18b67a17dff"),
        (.xxhash128, "33119477ede5dcd5e9716427681d5860"),
    ]


    @Test(arguments: checkValues)
    func checkValue(_ algorithm: ChecksumAlgorithm, _ expected: String) throws {
        let digest = try #require(ChecksumHasher.value(of: Array("123456789".utf8)[...], algorithm))
        #expect(Hex.encode(digest) == expected)
        #expect(digest.count == algorithm.digestLength)
    }

    @Test(arguments: ChecksumAlgorithm.allCases)
    func piecesChecksumAsOneBody(_ algorithm: ChecksumAlgorithm) throws {
        var generator = SystemRandomNumberGenerator()
        let body = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let whole = try #require(ChecksumHasher.value(of: body[...], algorithm))
        let hasher = try #require(ChecksumHasher(algorithm))
        var offset = 0
        for size in [0, 1, 7, 4096, 65_536, 30_000] where offset < body.count {
            let end = min(offset + size, body.count)
            hasher.update(body[offset..<end])
            offset = end
        }
        hasher.update(body[offset...])
        #expect(hasher.finish() == whole)
    }

    /// A FULL_OBJECT multipart checksum: the parts' CRCs combine into the CRC of the whole body, empty parts too.
    @Test(arguments: [ChecksumAlgorithm.crc32, .crc32c, .crc64nvme])
    func partsCombineIntoTheWholeBodysCRC(_ algorithm: ChecksumAlgorithm) throws {
        var generator = SystemRandomNumberGenerator()
        let body = (0..<250_001).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var parts: [(digest: [UInt8], size: Int64)] = []
        var offset = 0
        for size in [100_000, 0, 1, 149_999, 1] {
            let part = body[offset..<(offset + size)]
            parts.append((try #require(ChecksumHasher.value(of: part, algorithm)), Int64(size)))
            offset += size
        }
        #expect(CRCCombination.combine(algorithm, parts) == ChecksumHasher.value(of: body[...], algorithm))
        #expect(CRCCombination.combine(.sha256, parts) == nil)
    }

    /// The zero-byte operators, built for zlib's own polynomial, carry a CRC as zlib's crc32_combine does, for
    /// lengths far beyond any test body (up to 2^40 bytes).
    @Test func zeroByteOperatorsAgreeWithZlib() {
        let crc32 = ZeroBytes(polynomial: 0xEDB8_8320, width: 32)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let first = UInt64(UInt32.random(in: .min ... .max, using: &generator))
            let second = UInt64(UInt32.random(in: .min ... .max, using: &generator))
            let length = Int64.random(in: 0...(1 << 40), using: &generator)
            let expected = UInt64(crc32_combine(UInt(first), UInt(second), Int(length)))
            #expect(crc32.carry(first, through: length) ^ second == expected, "length \(length)")
        }
    }

    @Test func namesAndTypes() {
        #expect(ChecksumAlgorithm(name: "crc64nvme") == .crc64nvme)
        #expect(ChecksumAlgorithm(name: "CRC16") == nil)
        #expect(ChecksumAlgorithm.crc32c.headerName == "x-amz-checksum-crc32c")
        #expect(ChecksumAlgorithm.sha256.elementName == "ChecksumSHA256")
        #expect(ChecksumAlgorithm.crc64nvme.defaultMultipartType == .fullObject)
        #expect(ChecksumAlgorithm.sha1.defaultMultipartType == .composite && !ChecksumAlgorithm.sha1.isCRC)
    }
}
