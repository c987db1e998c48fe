/// Parses a request body (RFC 8259, UTF-8) straight into a `JSONValue`.
///
/// Every JSON operation parses its input before anything else. Foundation's JSONSerialization builds a tree of
/// boxed `Any` values (NSNumber, bridged dictionaries) that then has to be converted again, and on the Encrypt and
/// Sign paths that was a tenth of a request's CPU time. This parser accepts exactly what JSONSerialization
/// accepts with `.fragmentsAllowed` on UTF-8 input, and makes the same values (`JSONParserTests` compares the two
/// on generated and mutated documents); duplicate keys keep the last value, as there.
struct JSONParser {
    /// Not valid JSON; the caller words AWS's SerializationException.
    struct Malformed: Error {}

    /// Deeper nesting than any AWS request has is refused rather than risking the stack.
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(Malformed) -> JSONValue {
        var parser = JSONParser(bytes)
        // A UTF-8 byte order mark, which some clients write and JSONSerialization skipped.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Malformed() }
        return value
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(Malformed) -> JSONValue {
        guard let byte = current else { throw Malformed() }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw Malformed()
        }
    }

    private mutating func expect(_ literal: StaticString) throws(Malformed) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw Malformed() }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { throw Malformed() }
        index += count
    }

    private mutating func enter() throws(Malformed) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Malformed() }
    }

    private mutating func parseObject() throws(Malformed) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        // Room for six members from the start (the table has eight buckets either way): a request's objects seldom
        // have more, and growing from one member re-hashed and re-allocated the table at the second and fourth.
        var members = [String: JSONValue](minimumCapacity: 6)
        repeat {
            guard current == UInt8(ascii: "\"") else { throw Malformed() }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw Malformed() }
            index += 1
            skipWhitespace()
            members[key] = try parseValue()
        } while try nextItem(closedBy: UInt8(ascii: "}"))
        return .object(members)
    }

    private mutating func parseArray() throws(Malformed) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        repeat {
            elements.append(try parseValue())
        } while try nextItem(closedBy: UInt8(ascii: "]"))
        return .array(elements)
    }

    /// After a member or element: true past a comma (another item follows), false past the closing bracket.
    private mutating func nextItem(closedBy closing: UInt8) throws(Malformed) -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            return true
        case closing:
            index += 1
            return false
        default:
            throw Malformed()
        }
    }

    /// A string from its opening quote; text without escapes (nearly all) is taken in one piece.
    private mutating func parseString() throws(Malformed) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try Self.validated(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            guard byte >= 0x20 else { throw Malformed() }
            index += 1
        }
        throw Malformed()
    }

    private mutating func parseEscapedString(from start: Int) throws(Malformed) -> String {
        var out: [UInt8] = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw Malformed() }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = current else { throw Malformed() }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &out)
                default: throw Malformed()
                }
            default:
                guard byte >= 0x20 else { throw Malformed() }
                out.append(byte)
                index += 1
            }
        }
        throw Malformed()
    }

    /// `\uXXXX`, with a following `\uXXXX` for a surrogate pair; a lone surrogate is not a character.
    private mutating func appendUnicodeEscape(to out: inout [UInt8]) throws(Malformed) {
        var scalar = try readHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw Malformed()
            }
            index += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw Malformed() }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw Malformed()
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
        out.append(contentsOf: UTF8.encode(unicode)!)
    }

    private mutating func readHex4() throws(Malformed) -> UInt32 {
        guard bytes.count - index >= 4 else { throw Malformed() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Malformed()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private static func validated(_ buffer: UnsafeRawBufferPointer) throws(Malformed) -> String {
        guard let text = String(validating: buffer.bindMemory(to: UInt8.self), as: UTF8.self) else { throw Malformed() }
        return text
    }

    /// A number in JSON's grammar: an integer that fits becomes `.int`; anything else a double, and a double with
    /// no fraction below 9e18 (well inside Int64) an `.int` again, as Foundation's numbers were converted (JSONParserTests keeps that
    /// conversion as its reference).
    private mutating func parseNumber() throws(Malformed) -> JSONValue {
        let start = index
        var isInteger = true
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw Malformed() }
        if first == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try skipRequiredDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try skipRequiredDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        guard let value = Double(text), value.isFinite else { throw Malformed() }
        return value.rounded() == value && abs(value) < 9.0e18 ? .int(Int64(value)) : .double(value)
    }

    private mutating func skipDigits() {
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
    }

    /// One digit or more, as JSON requires after a decimal point and in an exponent.
    private mutating func skipRequiredDigits() throws(Malformed) {
        let start = index
        skipDigits()
        guard index > start else { throw Malformed() }
    }
}
