#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The buffer behind `SecureRandom.publicBytes`: random bytes made in bulk by OpenSSL's DRBG and handed out in
/// order, each once, under a lock held only to copy (and, once per 4 KiB, to refill).
///
/// A pthread mutex rather than Synchronization's `Mutex`: on Linux that one is built on futexes inside a standard
/// library that is not compiled for ThreadSanitizer, which would then report every access it guards as a race
/// (the same reason as `LockedBox`).
///
/// A forked child must not hand out the bytes its parent goes on handing out (two AES-GCM IVs alike under one key
/// would be a disaster), so a fork empties the child's buffer. The host itself never forks (the CLI pass-through
/// `execv`s the `aws` CLI in place of the process), but plugins are native code of their own.
final class PublicRandomPool: @unchecked Sendable {
    static let shared = PublicRandomPool()

    /// `SecureRandom.publicBytes` asks OpenSSL directly for more than this: such requests are rare, and would
    /// drain the pool at once.
    static let largestServed = 256
    static let capacity = 4096

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: PublicRandomPool.capacity)
    /// Bytes before it have been handed out; `capacity` means the buffer needs refilling. Guarded by `mutex`.
    private var next = PublicRandomPool.capacity

    private init() {
        pthread_mutex_init(mutex, nil)
        buffer.initialize(repeating: 0)
        // Held across fork, so the child's copy is consistent; the child then starts from an empty buffer.
        pthread_atfork(
            { pthread_mutex_lock(PublicRandomPool.shared.mutex) },
            { pthread_mutex_unlock(PublicRandomPool.shared.mutex) },
            {
                PublicRandomPool.shared.next = PublicRandomPool.capacity
                pthread_mutex_unlock(PublicRandomPool.shared.mutex)
            })
    }

    /// `count` (at most `largestServed`) bytes no caller has had.
    func take(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            take(into: UnsafeMutableRawBufferPointer(out))
            initialized = count
        }
    }

    /// Fills `out` (at most `largestServed` bytes) with bytes no caller has had: an IV written straight into the
    /// buffer it travels in.
    func take(into out: UnsafeMutableRawBufferPointer) {
        let count = out.count
        precondition(count <= Self.largestServed)
        guard count > 0 else { return }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if next + count > Self.capacity {
            precondition(SecureRandom.fill(buffer) == 1, "RAND_bytes failed: the system has no entropy source")
            next = 0
        }
        out.copyMemory(from: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[next..<next + count])))
        next += count
    }
}
