/// The encryption context's canonical bytes, bound to a ciphertext as AES-GCM additional data.
///
/// Each key and value is length-prefixed, and pairs are sorted by key bytes, so the order in which a client
/// sends pairs does not matter but `{"a":"bc"}` and `{"ab":"c"}` are different contexts (a plain
/// concatenation, as other emulators use, cannot tell them apart).
enum EncryptionContext {
    /// The format tag, the pair count, then each pair by key bytes: key length, key, value length, value.
    static func canonicalBytes(_ context: [String: String]) -> [UInt8] {
        if context.isEmpty { return emptyCanonicalBytes }
        var out: [UInt8] = []
        // Room for all of it at once, rather than growing the array pair by pair.
        out.reserveCapacity(formatTag.utf8CodeUnitCount + 4
            + context.reduce(0) { $0 + 8 + $1.key.utf8.count + $1.value.utf8.count })
        append(context, to: &out)
        return out
    }

    private static func append(_ context: [String: String], to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: formatTag.utf8Start, count: formatTag.utf8CodeUnitCount))
        appendLength(context.count, to: &out)
        for (key, value) in context.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            appendLength(key.utf8.count, to: &out)
            out.append(contentsOf: key.utf8)
            appendLength(value.utf8.count, to: &out)
            out.append(contentsOf: value.utf8)
        }
    }

    private static let formatTag: StaticString = "kms-ec-v1"

    /// Most requests carry no context: their bytes are made once.
    private static let emptyCanonicalBytes: [UInt8] = {
        var out: [UInt8] = []
        append([:], to: &out)
        return out
    }()

    private static func appendLength(_ length: Int, to out: inout [UInt8]) {
        let value = UInt32(truncatingIfNeeded: length)
        out.append(UInt8(value >> 24))
        out.append(UInt8(value >> 16 & 0xFF))
        out.append(UInt8(value >> 8 & 0xFF))
        out.append(UInt8(value & 0xFF))
    }
}
