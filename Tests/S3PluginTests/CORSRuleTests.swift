import Testing

@testable import S3Plugin

/// How a CORS rule matches a browser's request: one `*` per pattern, methods exactly, header names without case.
@Suite struct CORSRuleTests {
    private let rule = CORSRule(allowedHeaders: ["x-amz-*", "Content-Type"], allowedMethods: ["GET", "PUT"],
                                allowedOrigins: ["http://*.example.com", "https://app.test"])

    @Test(arguments: [("http://a.example.com", true), ("http://.example.com", true), ("https://a.example.com", false),
                      ("http://a.example.com/", false), ("https://app.test", true), ("https://app.test.evil", false)])
    func origins(origin: String, allowed: Bool) {
        #expect(rule.allows(origin: origin, method: "GET", requestHeaders: []) == allowed)
    }

    @Test func methodsAndHeaders() {
        // The caller lower-cases the requested headers; the rule's own patterns match whatever their case.
        #expect(rule.allows(origin: "https://app.test", method: "PUT", requestHeaders: ["x-amz-date", "content-type"]))
        #expect(!rule.allows(origin: "https://app.test", method: "DELETE", requestHeaders: []))
        #expect(!rule.allows(origin: "https://app.test", method: "put", requestHeaders: []))
        #expect(!rule.allows(origin: "https://app.test", method: "GET", requestHeaders: ["x-custom"]))
        // A rule without allowed headers allows no requested header.
        #expect(!CORSRule(allowedMethods: ["GET"], allowedOrigins: ["*"])
            .allows(origin: "x", method: "GET", requestHeaders: ["x-amz-date"]))
    }

    /// Byte for byte: a decomposed accent is another origin.
    @Test func originsCompareAsBytes() {
        let accented = CORSRule(allowedMethods: ["GET"], allowedOrigins: ["https://caf\u{E9}.test"])
        #expect(accented.allows(origin: "https://caf\u{E9}.test", method: "GET", requestHeaders: []))
        #expect(!accented.allows(origin: "https://cafe\u{301}.test", method: "GET", requestHeaders: []))
    }

    @Test func wildcardNeedsRoomForBothEnds() {
        #expect(CORSRule.wildcard("ab*ba", matches: "abba"))
        #expect(!CORSRule.wildcard("ab*ba", matches: "aba"))
        #expect(CORSRule.wildcard("*", matches: ""))
    }
}
