import NIOConcurrencyHelpers

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
    private let state = NIOLockedValueBox((inFlight: 0, closed: false))

    /// Lets a request through; false while an import runs.
    func enter() -> Bool {
        state.withLockedValue { state in
            guard !state.closed else { return false }
            state.inFlight += 1
            return true
        }
    }

    /// The request's commit has been submitted (or it had none).
    func leave() {
        state.withLockedValue { $0.inFlight -= 1 }
    }

    /// Closes the gate (waiting for another import to finish first) and waits for requests in flight.
    /// - Returns: false, with the gate open again, when they do not finish within `timeoutSeconds`.
    func closeAndDrain(timeoutSeconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutSeconds * 1000))
        while !state.withLockedValue({ state -> Bool in
            guard !state.closed else { return false }
            state.closed = true
            return true
        }) {
            if ContinuousClock.now > deadline { return false }
            usleep(1000)
        }
        while state.withLockedValue({ $0.inFlight }) > 0 {
            if ContinuousClock.now > deadline {
                open()
                return false
            }
            usleep(1000)
        }
        return true
    }

    func open() {
        state.withLockedValue { $0.closed = false }
    }
}
