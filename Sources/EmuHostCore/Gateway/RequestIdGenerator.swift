import Synchronization

/// Request ids in UUID form: a random 64-bit prefix chosen once per process and a counter. Ids must be unique,
/// not secret, and `UUID()` costs a read of the system's random source on every request.
final class RequestIdGenerator: Sendable {
    static let shared = RequestIdGenerator()

    private let prefix: UInt64
    private let counter = Atomic<UInt64>(0)

    init() {
        var rng = SystemRandomNumberGenerator()
        prefix = rng.next()
    }

    func next() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var position = 0
        func put(_ value: UInt64, digits: Int) {
            for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                if out[position] == UInt8(ascii: "-"), [8, 13, 18, 23].contains(position) { position += 1 }
                out[position] = hex[Int((value >> UInt64(shift)) & 0xF)]
                position += 1
            }
        }
        put(prefix, digits: 16)
        put(count, digits: 16)
        return String(decoding: out, as: UTF8.self)
    }
}
