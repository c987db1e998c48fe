#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The host's clock: the system clock plus an offset that tests move forward (POST /_emu/clock), so that a
/// 7-day deletion window or a yearly rotation can be seen to end within a test.
public final class HostClock: Sendable {
    /// An atomic rather than a lock: every request reads it (plugins ask the time on their hot paths), from both
    /// event loops at once, and only tests change it.
    private let offsetMilliseconds = Atomic<Int64>(0)

    public init() {}

    public func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded()) + offset
    }

    /// Moves the clock forward (never back: deadlines already passed stay passed).
    public func advance(milliseconds: Int64) {
        guard milliseconds > 0 else { return }
        // Saturating: a clock moved absurdly far stays there rather than trapping on overflow.
        var current = offset
        while true {
            let (sum, overflow) = current.addingReportingOverflow(milliseconds)
            let moved = overflow ? Int64.max / 4 : min(sum, Int64.max / 4)
            let (exchanged, original) = offsetMilliseconds.compareExchange(
                expected: current, desired: moved, ordering: .sequentiallyConsistent)
            if exchanged { return }
            current = original
        }
    }

    /// Back to the system clock. Only a state reset does this: with every plugin emptied no deadline is left
    /// that could un-pass, and the next test module must not inherit the days an earlier one skipped.
    public func reset() {
        offsetMilliseconds.store(0, ordering: .sequentiallyConsistent)
    }

    public var offset: Int64 { offsetMilliseconds.load(ordering: .sequentiallyConsistent) }
}
