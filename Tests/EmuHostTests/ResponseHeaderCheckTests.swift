import EmuPluginKit
import PluginABI
import Testing

@testable import EmuHostCore

/// Plugin response headers are the only ones the host does not write itself, so they are the ones checked
/// (NIO's outbound validator is off in the pipeline).
@Suite struct ResponseHeaderCheckTests {
    private func isSafe(_ name: String, _ value: String) -> Bool {
        withEmuString(name) { name in withEmuString(value) { value in ResponseHeaderCheck.isSafe(name: name, value: value) } }
    }

    @Test func ordinaryHeadersPass() {
        #expect(isSafe("ETag", "\"9b2cf535f27731c974343645a3985328\""))
        #expect(isSafe("x-amz-meta-name", "caf\u{e9} au lait"))
        #expect(isSafe("Content-Length", ""))
    }

    @Test func splittingAndBadNamesAreRefused() {
        #expect(!isSafe("x-amz-meta-a", "ok\r\nSet-Cookie: x=1"))
        #expect(!isSafe("x-amz-meta-a", "nul\u{0}"))
        #expect(!isSafe("x-amz-meta-a", "lf\nonly"))
        #expect(!isSafe("bad name", "v"))
        #expect(!isSafe("bad:name", "v"))
        #expect(!isSafe("", "v"))
    }
}
