/// A compact binary form for the records read most at start-up (one per key): fields in a fixed order, each a
/// length-prefixed byte string, so reading one is a few slices instead of a JSON parse. Lengths are
/// little-endian UInt32; `absent` stands for an optional field that has no value.
struct BinaryRecordWriter {
    private(set) var bytes: [UInt8] = []
    static let absent = UInt32.max

    mutating func length(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String?) {
        guard let value else { return length(Self.absent) }
        length(UInt32(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    mutating func double(_ value: Double?) {
        guard let value else { return length(Self.absent) }
        length(8)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func strings(_ values: [String]) {
        list(values) { writer, value in writer.string(value) }
    }

    /// A counted list of entries, as `BinaryRecordReader.list` reads it.
    mutating func list<Entry>(_ entries: [Entry], _ entry: (inout BinaryRecordWriter, Entry) -> Void) {
        length(UInt32(entries.count))
        for value in entries { entry(&self, value) }
    }
}

struct BinaryRecordReader {
    private let bytes: [UInt8]
    private var offset = 0

    struct Malformed: Error {}

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Every field was read: a record written before a trailing field was added ends here.
    var isAtEnd: Bool { offset >= bytes.count }

    mutating func length() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw Malformed() }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * index) }
        offset += 4
        return value
    }

    mutating func string() throws -> String? {
        let count = try length()
        if count == BinaryRecordWriter.absent { return nil }
        guard offset + Int(count) <= bytes.count else { throw Malformed() }
        defer { offset += Int(count) }
        return String(decoding: bytes[offset..<(offset + Int(count))], as: UTF8.self)
    }

    mutating func required() throws -> String {
        guard let value = try string() else { throw Malformed() }
        return value
    }

    mutating func double() throws -> Double? {
        let count = try length()
        if count == BinaryRecordWriter.absent { return nil }
        guard count == 8, offset + 8 <= bytes.count else { throw Malformed() }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * index) }
        offset += 8
        return Double(bitPattern: bits)
    }

    mutating func strings() throws -> [String] {
        try list { reader in try reader.required() }
    }

    /// A counted list of entries: a corrupt count (or the absent marker) is a malformed record, not an allocation
    /// of billions of entries.
    mutating func list<Entry>(_ entry: (inout BinaryRecordReader) throws -> Entry) throws -> [Entry] {
        let count = try length()
        guard count < 1_000_000 else { throw Malformed() }
        return try (0..<count).map { _ in try entry(&self) }
    }
}
