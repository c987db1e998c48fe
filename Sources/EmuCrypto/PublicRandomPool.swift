import Synchronization

/// The buffer behind `SecureRandom.publicBytes`: random bytes made in bulk by OpenSSL's DRBG and handed out in
/// order, each once, under a lock held only to copy (and, once per 4 KiB, to refill).
///
/// The process never forks (it spawns the `aws` CLI with posix_spawn, which execs), so no child can hand out
/// the same bytes again.
final class PublicRandomPool: Sendable {
    static let shared = PublicRandomPool()

    /// Requests larger than this go to OpenSSL directly: they are rare, and would drain the pool at once.
    static let largestServed = 256
    static let capacity = 4096

    private struct State {
        var buffer = [UInt8](repeating: 0, count: PublicRandomPool.capacity)
        /// Bytes before it have been handed out; `capacity` means the buffer needs refilling.
        var next = PublicRandomPool.capacity
    }

    private let state = Mutex(State())

    func take(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        guard count <= Self.largestServed else { return SecureRandom.bytes(count) }
        return state.withLock { state in
            if state.next + count > Self.capacity {
                state.buffer.withUnsafeMutableBufferPointer { SecureRandom.fill($0) }
                state.next = 0
            }
            let start = state.next
            state.next += count
            return Array(state.buffer[start..<start + count])
        }
    }
}
