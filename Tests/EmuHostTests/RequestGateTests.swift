import Foundation
import Testing

@testable import EmuHostCore

/// The gate a state import closes: it waits for requests in flight, refuses new ones while closed, and gives up
/// (open again) when a request does not finish in time.
@Suite struct RequestGateTests {
    @Test func closingWaitsForRequestsInFlightAndRefusesNewOnes() async {
        let gate = RequestGate()
        #expect(gate.enter())
        let leftAt = Date().addingTimeInterval(0.2)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { gate.leave() }
        #expect(gate.closeAndDrain(timeoutSeconds: 5))
        #expect(Date() >= leftAt.addingTimeInterval(-0.01), "the import went ahead before the request left")
        #expect(!gate.enter(), "a request got in while an import runs")
        gate.open()
        #expect(gate.enter())
        gate.leave()
    }

    @Test func aRequestThatDoesNotFinishReopensTheGate() {
        let gate = RequestGate()
        #expect(gate.enter())
        #expect(!gate.closeAndDrain(timeoutSeconds: 0.1))
        #expect(gate.enter(), "the gate stayed closed after the import gave up")
        gate.leave()
        gate.leave()
    }

    @Test func twoImportsTakeTurns() {
        let gate = RequestGate()
        #expect(gate.closeAndDrain(timeoutSeconds: 1))
        #expect(!gate.closeAndDrain(timeoutSeconds: 0.1), "a second import ran beside the first")
        gate.open()
        #expect(gate.closeAndDrain(timeoutSeconds: 1))
        gate.open()
    }
}
