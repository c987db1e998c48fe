import EmuHostCore
import Testing

/// Tests move the host clock to end deletion windows and trigger rotation; only a state reset moves it back.
@Suite struct HostClockTests {
    @Test func advanceMovesOnlyForward() {
        let clock = HostClock()
        clock.advance(milliseconds: 86_400_000)
        #expect(clock.offset == 86_400_000)
        clock.advance(milliseconds: -5_000)
        #expect(clock.offset == 86_400_000)
        #expect(clock.nowMilliseconds() >= 86_400_000)
    }

    @Test func resetReturnsToTheSystemClock() {
        let clock = HostClock()
        clock.advance(milliseconds: 7 * 86_400_000)
        clock.reset()
        #expect(clock.offset == 0)
    }
}
