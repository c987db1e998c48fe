import EmuHostCore
import Testing

/// The SigV4 credential scope routes requests and names the account: it must parse exactly what SDKs send.
@Suite struct CredentialScopeTests {
    @Test func parsesACredential() throws {
        let scope = try #require(CredentialScope(credential: "AKIDEXAMPLE/20260101/eu-west-1/kms/aws4_request"))
        #expect(scope == CredentialScope(credential: "AKIDEXAMPLE/20260101/eu-west-1/kms/aws4_request"))
        #expect(scope.accessKeyId == "AKIDEXAMPLE")
        #expect(scope.date == "20260101")
        #expect(scope.region == "eu-west-1")
        #expect(scope.service == "kms")
    }

    @Test(arguments: [
        "AKID/20260101/us-east-1/kms",  // too few parts
        "AKID/20260101/us-east-1/kms/aws4_request/extra",  // too many
        "/20260101/us-east-1/kms/aws4_request",  // no access key
        "AKID/20260101/us-east-1/kms/aws5_request",  // wrong terminator
        "",
    ])
    func rejectsMalformedCredentials(_ credential: String) {
        #expect(CredentialScope(credential: credential) == nil)
    }

    @Test func readsTheAuthorizationHeader() throws {
        let header = "AWS4-HMAC-SHA256 Credential=123456789012/20260101/ap-south-1/sts/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=abcdef"
        let scope = try #require(CredentialScope(authorization: header, query: [:]))
        #expect(scope.accessKeyId == "123456789012")
        #expect(scope.region == "ap-south-1")
        #expect(scope.service == "sts")
    }

    @Test func readsAPresignedQuery() throws {
        let query = ["X-Amz-Credential": "AKID/20260101/us-west-2/s3/aws4_request"]
        let scope = try #require(CredentialScope(authorization: nil, query: query))
        #expect(scope.service == "s3")
        #expect(scope.region == "us-west-2")
    }

    @Test func theHeaderWinsOverTheQuery() throws {
        let scope = try #require(CredentialScope(
            authorization: "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/kms/aws4_request, Signature=x",
            query: ["X-Amz-Credential": "B/20260101/us-west-2/s3/aws4_request"]))
        #expect(scope.accessKeyId == "A")
    }

    @Test func aHeaderCredentialThatDoesNotParseIsNoScope() {
        // The query is not asked instead: the header named a credential, and it is malformed.
        #expect(CredentialScope(
            authorization: "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/kms, Signature=x",
            query: ["X-Amz-Credential": "B/20260101/us-west-2/s3/aws4_request"]) == nil)
    }

    @Test func aRequestTargetSplitsAtItsFirstQuestionMarkByByte() {
        let plain = HTTPRequestData(method: "GET", uri: "/bucket/key?versionId=a?b", headers: [], body: [])
        #expect((plain.path, plain.query) == ("/bucket/key", "versionId=a?b"))
        // A combining mark after the `?` belongs to the query, not to a character that hides the `?`.
        let combined = HTTPRequestData(method: "GET", uri: "/k?\u{301}x=1", headers: [], body: [])
        #expect((combined.path, combined.query) == ("/k", "\u{301}x=1"))
        let bare = HTTPRequestData(method: "GET", uri: "/k", headers: [], body: [])
        #expect((bare.path, bare.query) == ("/k", ""))
    }

    @Test func noScopeWithoutCredentials() {
        #expect(CredentialScope(authorization: nil, query: [:]) == nil)
        #expect(CredentialScope(authorization: "Bearer token", query: [:]) == nil)
    }

    @Test func legacyAccessKey() {
        #expect(CredentialScope.legacyAccessKey(authorization: "AWS AKIDLEGACY:c2lnbmF0dXJl") == "AKIDLEGACY")
        #expect(CredentialScope.legacyAccessKey(authorization: "AWS4-HMAC-SHA256 Credential=A/x") == nil)
        #expect(CredentialScope.legacyAccessKey(authorization: nil) == nil)
    }
}
