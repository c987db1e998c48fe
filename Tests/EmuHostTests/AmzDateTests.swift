import Testing
import EmuPluginKit

/// SigV4's `X-Amz-Date`, written and read without DateFormatter.
@Suite struct AmzDateTests {
    @Test func formatsAndParses() {
        #expect(AmzDate.format(0) == "19700101T000000Z")
        #expect(AmzDate.format(1_767_268_800.9) == "20260101T120000Z")  // fractions are dropped
        #expect(AmzDate.format(951_825_599) == "20000229T115959Z")  // a leap day
        #expect(AmzDate.format(-1) == "19691231T235959Z")
        for seconds in [0.0, 951_825_599, 1_767_268_800, 4_102_444_799, -86_401] {
            #expect(AmzDate.parse(AmzDate.format(seconds)) == seconds)
        }
    }

    @Test func refusesAnythingElse() {
        for text in ["", "20260101T120000", "20260101T120000z", "2026-01-01T12:00:00Z", "20260230T120000Z",
                     "20261301T120000Z", "20260101T240000Z", "20260101T126000Z", "20260101T120060Z",
                     "2026010AT120000Z", "20260101 120000Z", "202601011T20000Z"] {
            #expect(AmzDate.parse(text) == nil, "\(text)")
        }
    }
}
