import EmuCrypto
import Testing

/// `SecureRandom.publicBytes` hands out a buffer that OpenSSL refills: no value may come out twice, across
/// refills and across threads, and sizes beyond the pool's still get their bytes.
@Suite struct PublicRandomPoolTests {
    @Test func ivsNeverRepeatAcrossRefills() {
        // 12-byte IVs: 4096 / 12 leaves a remainder, so refills start mid-request as well.
        var seen = Set<[UInt8]>()
        for _ in 0..<5_000 {
            let iv = SecureRandom.publicBytes(12)
            #expect(iv.count == 12)
            #expect(seen.insert(iv).inserted)
        }
    }

    @Test func sizesOutsideThePoolStillGetRandomBytes() {
        #expect(SecureRandom.publicBytes(0).isEmpty)
        #expect(SecureRandom.publicBytes(5_000).count == 5_000)
        // The largest size the pool serves, twice in a row: the second cannot be the first again.
        let first = SecureRandom.publicBytes(256), second = SecureRandom.publicBytes(256)
        #expect(first.count == 256 && second.count == 256 && first != second)
    }

    @Test func concurrentCallersGetDistinctBytes() async {
        let batches = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<1_000).map { _ in SecureRandom.publicBytes(16) } }
            }
            var all: [[UInt8]] = []
            for await batch in group { all += batch }
            return all
        }
        #expect(batches.count == 8_000)
        #expect(Set(batches).count == 8_000)
    }
}
