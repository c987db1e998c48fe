import Testing
@testable import EmuHostCore

/// Request ids look like AWS's (a UUID's 8-4-4-4-12 lowercase hex), and no two are the same.
@Suite struct RequestIdGeneratorTests {
    @Test func idsAreUUIDShapedAndUnique() {
        let generator = RequestIdGenerator()
        let ids = (0..<10_000).map { _ in generator.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(groups == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || $0 == 0x2D })
        }
        // The counter is the last 16 digits: consecutive ids differ there and share the process's prefix.
        #expect(ids[0].prefix(19) == ids[1].prefix(19))
        #expect(UInt64(ids[1].suffix(16).filter { $0 != "-" }, radix: 16)! == UInt64(ids[0].suffix(16).filter { $0 != "-" }, radix: 16)! + 1)
    }
}
