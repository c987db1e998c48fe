import Crypto
import EmuCrypto
import Testing

/// AES-256-GCM through OpenSSL with per-thread keyed contexts, checked against swift-crypto's independent
/// implementation: each context is made for one key and reused with new IVs, so the tests mix keys beyond the
/// cache's eight slots, encryption with decryption, failed authentications and threads.
@Suite struct AESGCMTests {
    private static func key(_ seed: UInt8) -> [UInt8] { (0..<32).map { UInt8(truncatingIfNeeded: Int($0) * 7 + Int(seed)) } }

    /// Opens with swift-crypto what `AESGCM.seal` made.
    private static func openIndependently(key: [UInt8], iv: [UInt8], ciphertext: [UInt8], tag: [UInt8], aad: [UInt8])
        throws -> [UInt8]
    {
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
        return Array(try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: aad))
    }

    @Test(arguments: [0, 1, 16, 17, 4096])
    func sealedTextOpensWithSwiftCrypto(length: Int) throws {
        let key = Self.key(1), iv = SecureRandom.publicBytes(12)
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
        let aad = Array("header and context".utf8)
        let (ciphertext, tag) = try AESGCM.seal(key: key, iv: iv, plaintext: plaintext, aad: aad)
        #expect(ciphertext.count == length && tag.count == 16)
        #expect(try Self.openIndependently(key: key, iv: iv, ciphertext: ciphertext, tag: tag, aad: aad) == plaintext)
    }

    @Test func swiftCryptoTextOpensHere() throws {
        let key = Self.key(2), plaintext = Array("hello kms world!".utf8), aad = Array("aad".utf8)
        let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(), authenticating: aad)
        let opened = try AESGCM.open(key: key, iv: Array(box.nonce), ciphertext: Array(box.ciphertext),
                                     tag: Array(box.tag), aad: aad)
        #expect(opened == plaintext)
    }

    /// A header and a context given apart authenticate as the two laid end to end.
    @Test func splitAdditionalDataIsTheConcatenation() throws {
        let key = Self.key(3), iv = SecureRandom.publicBytes(12), plaintext = Array("split".utf8)
        let header = Array("the header".utf8), context = Array("the context".utf8)
        var sealed = [UInt8](repeating: 0, count: plaintext.count + 16)
        try iv.withUnsafeBytes { iv in
            try header.withUnsafeBytes { header in
                try context.withUnsafeBytes { context in
                    try plaintext.withUnsafeBytes { plaintext in
                        try sealed.withUnsafeMutableBytes { out in
                            try AESGCM.seal(key: key, iv: iv, header: header, aad: context, plaintext: plaintext,
                                            into: out)
                        }
                    }
                }
            }
        }
        let opened = try Self.openIndependently(key: key, iv: iv, ciphertext: Array(sealed.prefix(plaintext.count)),
                                                tag: Array(sealed.suffix(16)), aad: header + context)
        #expect(opened == plaintext)
    }

    /// Twenty keys in turn, twice, with decryptions and failed authentications between: every context that is
    /// reused must start again from its own key and the new IV.
    @Test func manyKeysInTurnStayApart() throws {
        let keys = (0..<20).map { Self.key(UInt8($0) &+ 10) }
        for round in 0..<2 {
            for (index, key) in keys.enumerated() {
                let iv = SecureRandom.publicBytes(12), aad = Array("key \(index)".utf8)
                let plaintext = Array("round \(round) key \(index)".utf8)
                let (ciphertext, tag) = try AESGCM.seal(key: key, iv: iv, plaintext: plaintext, aad: aad)
                #expect(try Self.openIndependently(key: key, iv: iv, ciphertext: ciphertext, tag: tag, aad: aad)
                    == plaintext)
                #expect(try AESGCM.open(key: key, iv: iv, ciphertext: ciphertext, tag: tag, aad: aad) == plaintext)
                // The neighbouring key, a changed tag and other additional data all fail, and leave the contexts
                // fit for the next call.
                let other = keys[(index + 1) % keys.count]
                #expect(try AESGCM.open(key: other, iv: iv, ciphertext: ciphertext, tag: tag, aad: aad) == nil)
                var badTag = tag
                badTag[0] ^= 1
                #expect(try AESGCM.open(key: key, iv: iv, ciphertext: ciphertext, tag: badTag, aad: aad) == nil)
                #expect(try AESGCM.open(key: key, iv: iv, ciphertext: ciphertext, tag: tag, aad: aad + [0]) == nil)
            }
        }
    }

    /// An empty text still authenticates its additional data.
    @Test func emptyTextAuthenticatesItsAdditionalData() throws {
        let key = Self.key(4), iv = SecureRandom.publicBytes(12), aad = Array("only aad".utf8)
        let (ciphertext, tag) = try AESGCM.seal(key: key, iv: iv, plaintext: [], aad: aad)
        #expect(ciphertext.isEmpty)
        #expect(try AESGCM.open(key: key, iv: iv, ciphertext: [], tag: tag, aad: aad) == [])
        #expect(try AESGCM.open(key: key, iv: iv, ciphertext: [], tag: tag, aad: Array("other".utf8)) == nil)
    }

    /// Threads keep their own contexts: eight at once over the same keys each get what swift-crypto gets.
    @Test func threadsShareKeysButNotContexts() async throws {
        let keys = (0..<4).map { Self.key(UInt8($0) &+ 100) }
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var failures = 0
                    for step in 0..<500 {
                        let key = keys[(worker + step) % keys.count], iv = SecureRandom.publicBytes(12)
                        let plaintext = Array("worker \(worker) step \(step)".utf8)
                        guard let (ciphertext, tag) = try? AESGCM.seal(key: key, iv: iv, plaintext: plaintext, aad: []),
                            (try? Self.openIndependently(key: key, iv: iv, ciphertext: ciphertext, tag: tag, aad: []))
                                == plaintext,
                            (try? AESGCM.open(key: key, iv: iv, ciphertext: ciphertext, tag: tag, aad: [])) == plaintext
                        else {
                            failures += 1
                            continue
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
