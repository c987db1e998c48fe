@testable import EmuPluginKit
import Testing

@testable import S3Plugin

/// The tag rules S3 applies to `x-amz-tagging` and `<Tagging>` documents: decoding, limits, and which refusal
/// comes first.
@Suite struct TagSetTests {
    @Test func headerDecoding() throws {
        let tags = try TagSet.parse(header: "a=1&b=two+words&c=%2B%3D&flag&&d=")
        #expect(tags == [S3Tag(key: "a", value: "1"), S3Tag(key: "b", value: "two words"),
                         S3Tag(key: "c", value: "+="), S3Tag(key: "flag", value: ""), S3Tag(key: "d", value: "")])
        #expect(try TagSet.parse(header: "").isEmpty)
    }

    /// A duplicate or a character tags may not hold is S3's InvalidArgument naming the header; the other rules
    /// keep their own errors.
    @Test(arguments: [("a=1&a=2", "InvalidArgument"), ("k=v,w", "InvalidArgument"), ("a%2Cb=1", "InvalidArgument"),
                      ("aws%3Ax=1", "InvalidTag"), ("=v", "InvalidTag"),
                      ((0..<11).map { "k\($0)=v" }.joined(separator: "&"), "BadRequest")])
    func headerRefusals(header: String, code: String) {
        #expect(throws: AWSError.self) { try TagSet.parse(header: header) }
        do {
            _ = try TagSet.parse(header: header)
        } catch {
            #expect(error.code == code)
            if code == "InvalidArgument" {
                #expect(error.fields == [AWSErrorField("ArgumentName", "x-amz-tagging"),
                                         AWSErrorField("ArgumentValue", header)])
            }
        }
    }

    @Test func limitsPerOwner() {
        let ten = (0..<10).map { S3Tag(key: "k\($0)", value: "v") }
        #expect(TagSet.violation(in: ten, for: .object) == nil)
        #expect(TagSet.violation(in: ten + [S3Tag(key: "x", value: "")], for: .object) == .tooMany)
        let fifty = (0..<50).map { S3Tag(key: "k\($0)", value: "v") }
        #expect(TagSet.violation(in: fifty, for: .bucket) == nil)
        #expect(TagSet.violation(in: fifty + [S3Tag(key: "x", value: "")], for: .bucket) == .tooMany)
    }

    /// Lengths are Unicode characters (code points): one that a reader sees as one character may be three.
    @Test func lengthsCountCodePoints() {
        #expect(TagSet.violation(in: [S3Tag(key: String(repeating: "\u{1D400}", count: 128), value: "")],
                                 for: .object) == nil)
        #expect(TagSet.violation(in: [S3Tag(key: String(repeating: "\u{1100}\u{1161}\u{11A8}", count: 43), value: "")],
                                 for: .object) == .keyLength)
        #expect(TagSet.violation(in: [S3Tag(key: "k", value: String(repeating: "v", count: 257))], for: .object)
            == .value(key: "k", value: String(repeating: "v", count: 257)))
    }

    @Test func systemKeysAreWordedPerOwner() throws {
        let tags = [S3Tag(key: "aws:owner", value: "v")]
        #expect(TagSet.violation(in: tags, for: .object)?.error(for: .object).message
            == "Your TagKey cannot be prefixed with aws:")
        #expect(TagSet.violation(in: tags, for: .bucket)?.error(for: .bucket).message
            == "System tags cannot be added/updated by requester")
    }

    @Test func documents() throws {
        let tags = try TagSet.parse(document: Array(
            "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value/></Tag></TagSet></Tagging>".utf8),
            for: .object)
        #expect(tags == [S3Tag(key: "a", value: "1"), S3Tag(key: "b", value: "")])
        for broken in ["<Tagging/>", "<Other><TagSet/></Other>", "<Tagging><TagSet/><TagSet/></Tagging>",
                       "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
                       "<Tagging><TagSet><Tag><Key>a<x/></Key><Value/></Tag></TagSet></Tagging>"]
        {
            #expect(throws: AWSError.self) { try TagSet.parse(document: Array(broken.utf8), for: .object) }
        }
    }
}
