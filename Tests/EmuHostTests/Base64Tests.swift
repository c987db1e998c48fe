import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing

/// Blobs in every JSON request and answer go through `Base64`: it must write exactly what Foundation writes, and
/// read what Foundation reads, except the malformed inputs Foundation is lenient about.
@Suite struct Base64Tests {
    @Test func encodesAsFoundationDoes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString(), "length \(length)")
        }
    }

    @Test func decodesWhatItEncodesWithOrWithoutPadding() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decodedCount(encoded) == length)
            #expect(Base64.decodedCount(String(encoded.prefix { $0 != "=" })) == length)
            #expect(Base64.decode(String(encoded.prefix { $0 != "=" })) == bytes)
        }
    }

    /// Random strings over the alphabet, `=` and a few strangers: whatever is read here, Foundation reads the same
    /// (after completing the padding, as the old decoder did).
    @Test func agreesWithFoundationWhereverItAccepts() {
        let characters = Array("ABCQRSabcxyz0189+/=== \n-_")
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in
                characters.randomElement(using: &generator)!
            })
            #expect(Base64.decodedCount(text) == Base64.decode(text)?.count, "\(text.debugDescription)")
            guard let ours = Base64.decode(text) else { continue }
            accepted += 1
            let padded = text.utf8.count % 4 == 0 ? text : text + String(repeating: "=", count: 4 - text.utf8.count % 4)
            #expect(Data(base64Encoded: padded).map(Array.init) == ours, "\(text.debugDescription)")
        }
        #expect(accepted > 100, "too few inputs were valid to compare anything")
    }

    @Test(arguments: ["QQ==", "QQ", "QR==", "QUI=", "QUI", "QUJD", "", "QUJDRA==", "QUJDRA"])
    func readsStandardBase64(_ text: String) throws {
        let padded = text.utf8.count % 4 == 0 ? text : text + String(repeating: "=", count: 4 - text.utf8.count % 4)
        #expect(Base64.decode(text) == Data(base64Encoded: padded).map(Array.init))
    }

    /// Foundation reads several of these (`====` as a zero byte, `QQ=A` as two bytes, `QUJD=` as three).
    @Test(arguments: ["====", "QQ=A", "QUJD=", "QUJD====", "QQ=", "Q===", "Q", "QUJDR", " QUJD", "QU JD", "QUJD\n",
                      "-_-_", "QQ==QQ==", "Q=Q="])
    func refusesMalformedBase64(_ text: String) {
        #expect(Base64.decode(text) == nil)
        #expect(Base64.decodedCount(text) == nil)
    }
}
