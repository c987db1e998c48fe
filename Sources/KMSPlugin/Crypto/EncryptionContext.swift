/// The encryption context's canonical bytes, bound to a ciphertext as AES-GCM additional data.
///
/// Each key and value is length-prefixed, and pairs are sorted by key bytes, so the order in which a client
/// sends pairs does not matter but `{"a":"bc"}` and `{"ab":"c"}` are different contexts (a plain
/// concatenation, as other emulators use, cannot tell them apart).
enum EncryptionContext {
    static func canonicalBytes(_ context: [String: String]) -> [UInt8] {
        var out: [UInt8] = Array("kms-ec-v1".utf8)
        appendLength(context.count, to: &out)
        for (key, value) in context.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            appendLength(key.utf8.count, to: &out)
            out.append(contentsOf: key.utf8)
            appendLength(value.utf8.count, to: &out)
            out.append(contentsOf: value.utf8)
        }
        return out
    }

    private static func appendLength(_ length: Int, to out: inout [UInt8]) {
        let value = UInt32(truncatingIfNeeded: length)
        out.append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF),
                                UInt8(value & 0xFF)])
    }
}
