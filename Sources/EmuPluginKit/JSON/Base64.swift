/// Base64 as AWS's JSON protocols carry blobs: the standard alphabet, `=` padding.
///
/// Coded here over bytes rather than through Foundation's `Data`: every Encrypt, Decrypt and data key passes its
/// blobs through this, and the trip through `Data` cost four allocations a request. It is also stricter where
/// Foundation's decoder is lenient in ways no AWS client relies on: Foundation reads `====` as a zero byte, `QQ=A` as
/// two bytes and `QUJD=` as three; here each is refused, as Java's standard decoder refuses them.
public enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Each byte's value in the alphabet, 0xFF for a byte outside it. Made once and never freed: reading a pointer
    /// costs no reference counting, where an array both event loops share would be retained and released for every
    /// blob, and a table is several times faster than comparing ranges on a 4 KiB plaintext.
    nonisolated(unsafe) private static let values: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0xFF, count: 256)
        for index in 0..<64 { table[Int(alphabet.utf8Start[index])] = UInt8(index) }
        return UnsafePointer(table)
    }()

    /// Decodes standard base64. Padding may be left out (botocore always sends it, other clients may not), but
    /// padding that is there must complete the last group of four; no whitespace, no other alphabet. Bits left
    /// over in the last character are ignored, as Foundation and Java ignore them.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(bytes: $0) }
    }

    /// The number of bytes `text` decodes to, or nil when `decode` would refuse it: what a length check needs,
    /// without decoding (a blob's length is validated before the operation decodes it).
    public static func decodedCount(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { bytes in
            validDigits(bytes).map { digits in digits / 4 * 3 + Swift.max(0, digits % 4 - 1) }
        }
    }

    /// How many of the bytes are digits (the rest is padding), when they are valid base64.
    private static func validDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var count = bytes.count
        var padding = 0
        while padding < 2, count > 0, bytes[count - 1] == UInt8(ascii: "=") {
            count -= 1
            padding += 1
        }
        if padding > 0, (count + padding) % 4 != 0 { return nil }
        if count % 4 == 1 { return nil }
        let values = Self.values
        var invalid: UInt8 = 0
        for index in 0..<count { invalid |= values[Int(bytes[index])] }
        return invalid & 0x80 == 0 ? count : nil
    }

    private static func decode(bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let digits = validDigits(bytes) else { return nil }
        let values = Self.values
        func value(_ index: Int) -> UInt32 { UInt32(values[Int(bytes[index])]) }
        return [UInt8](unsafeUninitializedCapacity: digits / 4 * 3 + 2) { out, initialized in
            var position = 0
            var index = 0
            while index + 4 <= digits {
                let group = value(index) << 18 | value(index + 1) << 12 | value(index + 2) << 6 | value(index + 3)
                out[position] = UInt8(truncatingIfNeeded: group >> 16)
                out[position + 1] = UInt8(truncatingIfNeeded: group >> 8)
                out[position + 2] = UInt8(truncatingIfNeeded: group)
                position += 3
                index += 4
            }
            // Two or three digits left: one or two bytes, their leftover bits ignored.
            if digits - index >= 2 {
                var group = value(index) << 18 | value(index + 1) << 12
                if digits - index == 3 { group |= value(index + 2) << 6 }
                out[position] = UInt8(truncatingIfNeeded: group >> 16)
                position += 1
                if digits - index == 3 {
                    out[position] = UInt8(truncatingIfNeeded: group >> 8)
                    position += 1
                }
            }
            initialized = position
        }
    }

    /// Encodes with padding, as AWS answers blobs.
    public static func encode(_ bytes: [UInt8]) -> String {
        let length = (bytes.count + 2) / 3 * 4
        guard length > 0 else { return "" }
        let digits = alphabet.utf8Start
        return String(unsafeUninitializedCapacity: length) { out in
            var position = 0
            var index = 0
            while index + 3 <= bytes.count {
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                out[position] = digits[Int(group >> 18)]
                out[position + 1] = digits[Int((group >> 12) & 0x3F)]
                out[position + 2] = digits[Int((group >> 6) & 0x3F)]
                out[position + 3] = digits[Int(group & 0x3F)]
                position += 4
                index += 3
            }
            let rest = bytes.count - index
            if rest > 0 {
                let group = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
                out[position] = digits[Int(group >> 18)]
                out[position + 1] = digits[Int((group >> 12) & 0x3F)]
                out[position + 2] = rest == 2 ? digits[Int((group >> 6) & 0x3F)] : UInt8(ascii: "=")
                out[position + 3] = UInt8(ascii: "=")
                position += 4
            }
            return position
        }
    }
}
