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
        let hex: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            var position = 0
            // 32 hex digits of prefix and counter, dashed after the 8th, 12th, 16th and 20th: 8-4-4-4-12.
            for digit in 0..<32 {
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                let value = digit < 16 ? prefix : count
                let shift = UInt64((15 - digit % 16) * 4)
                out[position] = hex.utf8Start[Int((value >> shift) & 0xF)]
                position += 1
            }
            return position
        }
    }
}
