@testable import EmuPluginKit
import Foundation
import Testing

@testable import S3Plugin

/// The streaming `aws-chunked` decoder: a body fed in any split decodes as it does in one piece, and broken
/// framing is refused wherever the split falls.
@Suite struct AWSChunkedTests {
    private func frame(_ payload: [UInt8], piece: Int) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < payload.count {
            let chunk = payload[start..<min(start + piece, payload.count)]
            out += Array("\(String(chunk.count, radix: 16));chunk-signature=abc\r\n".utf8) + chunk + [13, 10]
            start += piece
        }
        return out + Array("0;chunk-signature=abc\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n".utf8)
    }

    private func decodeInPieces(_ framed: [UInt8], split: Int) throws(AWSError) -> (bytes: [UInt8], complete: Bool) {
        var decoder = AWSChunked()
        var out: [UInt8] = []
        var start = 0
        while start < framed.count {
            try decoder.feed(framed[start..<min(start + split, framed.count)]) { piece throws(AWSError) in
                out += piece
            }
            start += split
        }
        return (out, decoder.isComplete)
    }

    @Test func anySplitDecodesLikeTheWhole() throws {
        let payload = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let framed = frame(payload, piece: 777)
        #expect(AWSChunked.decode(framed)?.body == payload)
        for split in [1, 2, 3, 7, 64, 776, 777, 778, 4096, framed.count] {
            let decoded = try decodeInPieces(framed, split: split)
            #expect(decoded.bytes == payload && decoded.complete, "split \(split)")
        }
    }

    @Test func brokenFramingIsRefusedWhereverTheSplitFalls() {
        let framed = frame(Array(repeating: 7, count: 2000), piece: 500)
        let missingCR = Array(String(decoding: framed, as: UTF8.self).replacingOccurrences(of: "abc\r\n", with: "abc\n").utf8)
        let badSize = Array("zz\r\n".utf8) + framed
        let longLine = Array(repeating: UInt8(ascii: "1"), count: 5000)
        for broken in [missingCR, badSize, longLine] {
            for split in [1, 13, broken.count] {
                #expect(throws: AWSError.self) { _ = try decodeInPieces(broken, split: split) }
            }
        }
        // Cut before the final zero-size chunk: every byte decodes, but the body is not complete.
        let cut = Array(framed.prefix(framed.count - 60))
        #expect((try? decodeInPieces(cut, split: 100).complete) == false)
        #expect(AWSChunked.decode(cut) == nil)
    }

    /// The trailer after the zero-size chunk (a checksum, as the SDKs send it with unsigned payloads) is kept,
    /// wherever the split falls; a trailer line that is not `name:value` makes the body unreadable.
    @Test func trailersAreKeptWhereverTheSplitFalls() throws {
        let framed = Array("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:ab\r\n\r\n".utf8)
        for split in [1, 5, 17, framed.count] {
            var decoder = AWSChunked()
            var body: [UInt8] = []
            var start = 0
            while start < framed.count {
                try decoder.feed(framed[start..<min(start + split, framed.count)]) { piece throws(AWSError) in body += piece }
                start += split
            }
            #expect(body == Array("hello".utf8))
            #expect(decoder.trailers == ["x-amz-checksum-crc32": "NhCmhg==", "x-amz-trailer-signature": "ab"], "split \(split)")
        }
        #expect(AWSChunked.decode(Array("0\r\nno colon here\r\n\r\n".utf8)) == nil)
        let long = Array("0\r\nx-amz-checksum-crc32:".utf8) + Array(repeating: UInt8(ascii: "A"), count: 5000)
        #expect(AWSChunked.decode(long) == nil)
    }
}
