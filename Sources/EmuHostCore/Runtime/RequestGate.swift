import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a state import apart from requests: an import closes the gate, waits until no request is between its
/// handler and the submission of its commit, replaces the state, and opens the gate again. A request that
/// arrives meanwhile is answered 503 (SDKs retry it) instead of changing state the import is about to replace,
/// or having its acknowledged change deleted by it. An export closes it the same way while the plugins hand over
/// their state, so that the records of different plugins belong to one moment.
public final class RequestGate: Sendable {
    /// The requests in flight, and `closedFlag` while an import or export holds the gate: one word, so that the two
    /// passes every request makes cost an atomic operation each rather than a lock both event loops contend for.
    private let state = Atomic<Int>(0)
    /// Far above any count of requests in flight, so the count never reaches it.
    private static let closedFlag = 1 << 40

    /// Lets a request through; false while an import or export runs.
    func enter() -> Bool {
        var current = state.load(ordering: .relaxed)
        while current & Self.closedFlag == 0 {
            let (exchanged, original) = state.compareExchange(expected: current, desired: current + 1,
                                                              ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// The request's commit has been submitted (or it had none).
    func leave() {
        let before = state.wrappingSubtract(1, ordering: .releasing).oldValue
        // A leave without its enter would borrow from the closed flag: an import would lose its gate.
        assert(before & ~Self.closedFlag > 0, "RequestGate.leave() without enter()")
    }

    /// Closes the gate (waiting for another import to finish first) and waits for requests in flight.
    /// - Returns: false, with the gate open again, when they do not finish within `timeoutSeconds`.
    func closeAndDrain(timeoutSeconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutSeconds * 1000))
        while state.bitwiseOr(Self.closedFlag, ordering: .acquiringAndReleasing).oldValue & Self.closedFlag != 0 {
            if ContinuousClock.now > deadline { return false }
            usleep(1000)
        }
        while state.load(ordering: .acquiring) & ~Self.closedFlag > 0 {
            if ContinuousClock.now > deadline {
                open()
                return false
            }
            usleep(1000)
        }
        return true
    }

    func open() {
        state.bitwiseAnd(~Self.closedFlag, ordering: .releasing)
    }
}
