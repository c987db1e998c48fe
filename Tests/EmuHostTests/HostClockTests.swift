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

    /// A clock moved absurdly far stays there rather than trapping on overflow.
    @Test func advanceSaturates() {
        let clock = HostClock()
        clock.advance(milliseconds: .max)
        clock.advance(milliseconds: .max)
        #expect(clock.offset == Int64.max / 4)
    }

    /// Advances from many threads at once all count (the offset is changed by compare-and-exchange, not a lock).
    @Test func concurrentAdvancesAllCount() async {
        let clock = HostClock()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<1_000 { clock.advance(milliseconds: 1) } }
            }
        }
        #expect(clock.offset == 8_000)
    }
}
