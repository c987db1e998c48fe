@testable import EmuPluginKit
import Testing

@testable import S3Plugin

/// Which ACL headers a bucket whose ACLs are disabled takes: those that leave its owner alone in full control.
@Suite struct ObjectOwnershipTests {
    private let account = "000000000000"

    private func write(_ headers: [(String, String)]) throws -> S3Request {
        try S3Request(HTTPRequestView(method: "PUT", path: "/b/k", query: "",
                                      headers: [("Host", "localhost")] + headers, body: []))
    }

    private func accepted(_ headers: [(String, String)]) throws -> Bool {
        let request = try write(headers)
        do throws(AWSError) {
            try ObjectOwnership.checkObjectACL(request, accountId: account)
            return true
        } catch {
            #expect(error.code == "AccessControlListNotSupported")
            return false
        }
    }

    @Test func grantsNamingOnlyTheOwner() throws {
        let owner = S3Service.canonicalUserId(account)
        for form in ["id=\"\(owner)\"", "id=\(owner)", "ID = \"\(owner.uppercased())\"", "id=\(owner), id=\"\(owner)\""] {
            #expect(try accepted([("x-amz-grant-full-control", form)]), "\(form)")
        }
        for (name, value) in [("x-amz-grant-full-control", ""), ("x-amz-grant-full-control", "id=\"someone-else\""),
                              ("x-amz-grant-full-control", "id=\(owner), emailAddress=\"a@example.com\""),
                              ("x-amz-grant-read", "id=\(owner)"),
                              ("x-amz-grant-write-acp", "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"")]
        {
            #expect(try !accepted([(name, value)]), "\(name): \(value)")
        }
    }

    @Test func cannedACLs() throws {
        #expect(try accepted([]))
        #expect(try accepted([("x-amz-acl", "bucket-owner-full-control")]))
        #expect(try accepted([("x-amz-acl", "private")]))
        #expect(try !accepted([("x-amz-acl", "public-read")]))
        // A new bucket takes "private" only.
        #expect(throws: AWSError.self) {
            try ObjectOwnership.checkNewBucket(try write([("x-amz-acl", "bucket-owner-full-control")]), accountId: account)
        }
        try ObjectOwnership.checkNewBucket(try write([("x-amz-acl", "private"), ("x-amz-object-ownership", "BucketOwnerEnforced")]),
                                           accountId: account)
    }
}
