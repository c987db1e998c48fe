@testable import EmuPluginKit
import Testing

@testable import S3Plugin

/// How S3 reads addresses, ranges, names and timestamps: the pure parts of the plugin, without a host.
@Suite struct S3RequestParsingTests {
    private func request(_ method: String = "GET", path: String, query: String = "", host: String,
                         headers: [(String, String)] = [], body: [UInt8] = []) throws -> S3Request
    {
        try S3Request(HTTPRequestView(method: method, path: path, query: query,
                                      headers: [("Host", host)] + headers, body: body))
    }

    @Test func pathStyleAddressing() throws {
        let object = try request(path: "/my-bucket/dir/a%20b%2Bc.txt", host: "127.0.0.1:4566")
        #expect(object.bucket == "my-bucket" && object.key == "dir/a b+c.txt")
        let bucket = try request(path: "/my-bucket/", host: "localhost:4566")
        #expect(bucket.bucket == "my-bucket" && bucket.key == nil)
        let service = try request(path: "/", host: "s3.amazonaws.com")
        #expect(service.bucket == nil && service.key == nil)
        let plus = try request(path: "/b/a+b", host: "localhost")
        #expect(plus.key == "a+b")
    }

    @Test func virtualHostedAddressing() throws {
        #expect(S3Request.virtualHostBucket("my.bucket.s3.amazonaws.com") == "my.bucket")
        #expect(S3Request.virtualHostBucket("bucket.s3.eu-west-1.amazonaws.com") == "bucket")
        #expect(S3Request.virtualHostBucket("bucket.s3-us-west-2.amazonaws.com") == "bucket")
        // The last ".s3." wins, also where two occurrences share a dot.
        #expect(S3Request.virtualHostBucket("my.s3.s3.us-east-1.amazonaws.com") == "my.s3")
        #expect(S3Request.virtualHostBucket("a.s3-b.s3.us-east-1.amazonaws.com") == "a.s3-b")
        #expect(S3Request.virtualHostBucket("bucket.localhost:4566") == "bucket")
        #expect(S3Request.virtualHostBucket("bucket.s3.localhost.localstack.cloud:4566") == "bucket")
        #expect(S3Request.virtualHostBucket("localhost:4566") == nil)
        #expect(S3Request.virtualHostBucket("127.0.0.1:4566") == nil)
        #expect(S3Request.virtualHostBucket("s3.amazonaws.com") == nil)
        #expect(S3Request.virtualHostBucket("[::1]:4566") == nil)
        let object = try request(path: "/dir/key.txt", query: "versionId=null", host: "files.localhost:4566")
        #expect(object.bucket == "files" && object.key == "dir/key.txt" && object.query["versionId"] == "null")
    }

    @Test func queryParametersAndSubresources() {
        let query = FormDecoding.dictionary("uploads&prefix=a%2Fb+c&max-keys=2&prefix=ignored")
        #expect(query["uploads"] == "" && query["prefix"] == "a/b c" && query["max-keys"] == "2")
    }

    @Test func listingEncodingIsWhatBotocoreUndoes() {
        #expect(PercentEncoding.encodeForListing("dir/a b+c%é") == "dir/a+b%2Bc%25%C3%A9")
    }

    @Test func userMetadataIsLowerCased() throws {
        let put = try request("PUT", path: "/b/k", host: "localhost",
                              headers: [("X-Amz-Meta-Color", "blue"), ("x-amz-meta-size", "L")])
        #expect(put.userMetadata == ["color": "blue", "size": "L"])
    }

    @Test func awsChunkedBodiesAreUnframed() throws {
        let framed = Array("5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\n"
            .utf8) + Array("x-amz-checksum-crc32:AAAAAA==\r\n\r\n".utf8)
        let put = try request("PUT", path: "/b/k", host: "localhost",
                              headers: [("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")], body: framed)
        #expect(put.body == Array("hello world".utf8))
        #expect(throws: AWSError.self) {
            try request("PUT", path: "/b/k", host: "localhost", headers: [("Content-Encoding", "aws-chunked")],
                        body: Array("zz\r\nbroken".utf8))
        }
    }

    @Test func bucketNames() {
        for valid in ["abc", "my-bucket.example", "a1-b2", String(repeating: "a", count: 63)] {
            #expect(BucketNaming.isValid(valid), "\(valid)")
        }
        for invalid in ["ab", "ABC", "a_b", "-ab", "ab-", "a..b", "10.0.0.1", "xn--abc", "sthree-x", "x--ol-s3",
                        String(repeating: "a", count: 64)] {
            #expect(!BucketNaming.isValid(invalid), "\(invalid)")
        }
    }

    @Test func byteRanges() {
        #expect(ByteRange.parse("bytes=0-9", size: 100) == .bytes(0...9))
        #expect(ByteRange.parse("bytes=90-", size: 100) == .bytes(90...99))
        #expect(ByteRange.parse("bytes=-10", size: 100) == .bytes(90...99))
        #expect(ByteRange.parse("bytes=-500", size: 100) == .bytes(0...99))
        #expect(ByteRange.parse("bytes=50-5000", size: 100) == .bytes(50...99))
        #expect(ByteRange.parse("bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=9-3", size: 100) == .whole)
        #expect(ByteRange.parse("bytes=0-1,4-5", size: 100) == .whole)
        #expect(ByteRange.parse("items=0-1", size: 100) == .whole)
    }

    @Test func timestamps() {
        #expect(HTTPDate.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(HTTPDate.iso8601(1_255_369_830_123) == "2009-10-12T17:50:30.123Z")
        #expect(HTTPDate.rfc1123(1_255_369_830_000) == "Mon, 12 Oct 2009 17:50:30 GMT")
        #expect(HTTPDate.parseRFC1123("Mon, 12 Oct 2009 17:50:30 GMT") == 1_255_369_830_000)
        #expect(HTTPDate.parseRFC1123("yesterday") == nil)
    }

    @Test func xmlBodies() throws {
        let document = try XMLTag.parse(Array("""
            <?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>\
            <Object><Key> spaced &amp; escaped </Key></Object><Object><Key>b</Key></Object></Delete>
            """.utf8))
        #expect(document.name == "Delete" && document.value("Quiet") == "true")
        #expect(document.children("Object").map { $0.child("Key")?.text } == [" spaced & escaped ", "b"])
        #expect(throws: AWSError.self) { try XMLTag.parse(Array("<Delete><Object></Delete>".utf8)) }
    }

    /// libxml2 is read as S3 needs it: prefixes dropped, CDATA kept, nothing fetched or substituted, and anything
    /// not well-formed (or not UTF-8, or empty) refused.
    @Test func xmlEdgeCases() throws {
        let prefixed = try XMLTag.parse(Array("""
            <s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Object><s3:Key><![CDATA[a<b]]>c</s3:Key></s3:Object>\
            </s3:Delete>
            """.utf8))
        #expect(prefixed.name == "Delete" && prefixed.child("Object")?.value("Key") == "a<bc")
        // An undeclared prefix stays in libxml2's name; the split in XMLTag drops it.
        let undeclared = try XMLTag.parse(Array("<s3:Delete><s3:Object><s3:Key>k</s3:Key></s3:Object></s3:Delete>".utf8))
        #expect(undeclared.name == "Delete" && undeclared.child("Object")?.value("Key") == "k")
        let external = try XMLTag.parse(Array("""
            <?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y "yy">]><d><k>&x;&y;z</k></d>
            """.utf8))
        #expect(external.value("k") == "z")
        // A declared encoding is not obeyed: S3 bodies are UTF-8 (and checked to be before parsing).
        let declared = try XMLTag.parse(Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><k>caf\u{E9}</k>".utf8))
        #expect(declared.text == "caf\u{E9}")
        #expect(throws: AWSError.self) { try XMLTag.parse([]) }
        #expect(throws: AWSError.self) { try XMLTag.parse(Array("<a>".utf8)) }
        #expect(throws: AWSError.self) { try XMLTag.parse(Array("<a/><b/>".utf8)) }
        #expect(throws: AWSError.self) { try XMLTag.parse([0x3C, 0x61, 0xFF, 0x3E, 0x3C, 0x2F, 0x61, 0xFF, 0x3E]) }
        #expect(throws: AWSError.self) { try XMLTag.parse(Array("<a>".utf8) + [0xC3, 0x28] + Array("</a>".utf8)) }
        #expect(throws: AWSError.self) { try XMLTag.parse(Array("<a k='".utf8) + [0x80] + Array("'/>".utf8)) }
        #expect(throws: AWSError.self) { try XMLTag.parse(Array("plain text".utf8)) }
    }
}
