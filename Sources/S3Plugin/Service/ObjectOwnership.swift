import EmuPluginKit

/// S3's Object Ownership as every bucket here has it: `BucketOwnerEnforced`, the default for new buckets since April
/// 2023, which disables ACLs. The bucket owner owns every object and holds FULL_CONTROL; a request that sets any other
/// ACL is refused as S3 refuses it. (ACLs themselves, which `ObjectWriter` and `BucketOwnerPreferred` enable, are not
/// built: those settings are NotImplemented.)
enum ObjectOwnership {
    static let enforced = "BucketOwnerEnforced"
    static let settings = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]
    static let grantHeaders = ["x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp",
                               "x-amz-grant-write", "x-amz-grant-write-acp"]

    /// The ACL headers of a write (PutObject, CopyObject, CreateMultipartUpload): none, or one that leaves the bucket
    /// owner with full control alone. S3 takes `bucket-owner-full-control`, and a same-account `private` (ignored);
    /// any other canned ACL or grant is AccessControlListNotSupported.
    static func checkObjectACL(_ request: S3Request, owner: String) throws(AWSError) {
        if let acl = request.header("x-amz-acl"), acl != "bucket-owner-full-control", acl != "private" {
            throw aclsDisabled()
        }
        try checkGrants(request, owner: owner)
    }

    /// CreateBucket's ACL and ownership headers: `x-amz-object-ownership` must name a setting (only the enforced one
    /// is built), and under it the only ACL is `private` or a grant of full control to the owner.
    static func checkNewBucket(_ request: S3Request, owner: String) throws(AWSError) {
        if let setting = request.header("x-amz-object-ownership") {
            guard settings.contains(setting) else {
                throw S3Errors.invalidArgument("Invalid x-amz-object-ownership header: \(setting)",
                                               argumentName: "x-amz-object-ownership")
            }
            guard setting == enforced else { throw S3Errors.notImplemented("ACLs (Object Ownership \(setting))") }
        }
        let refused = bucketACLRefused()
        if let acl = request.header("x-amz-acl"), acl != "private" { throw refused }
        do throws(AWSError) {
            try checkGrants(request, owner: owner)
        } catch {
            throw refused
        }
    }

    /// A grant header naming anyone but the owner, or any permission short of full control, sets an ACL.
    private static func checkGrants(_ request: S3Request, owner: String) throws(AWSError) {
        for name in grantHeaders {
            guard let value = request.header(name) else { continue }
            let grantees = value.split(separator: ",").map { $0.trimmingSpaces() }
            guard name == "x-amz-grant-full-control", grantees.allSatisfy({ $0 == "id=\"\(owner)\"" || $0 == "id=\(owner)" })
            else { throw aclsDisabled() }
        }
    }

    /// What S3 answers any request that would set an ACL on a bucket whose ACLs are disabled.
    static func aclsDisabled() -> AWSError {
        AWSError("AccessControlListNotSupported", "The bucket does not allow ACLs", status: 400)
    }

    private static func bucketACLRefused() -> AWSError {
        AWSError("InvalidBucketAclWithObjectOwnership",
                 "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", status: 400)
    }

    /// GetBucketAcl and GetObjectAcl: the owner, with FULL_CONTROL, and nobody else (S3 no longer sends DisplayName).
    static func ownerOnlyPolicy(owner: String) -> OperationOutput {
        var xml = XMLWriter(root: "AccessControlPolicy")
        xml.group("Owner") { xml in xml.element("ID", owner) }
        xml.group("AccessControlList") { xml in
            xml.group("Grant") { xml in
                xml.group("Grantee", attributes: "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                              + "xsi:type=\"CanonicalUser\"") { xml in xml.element("ID", owner) }
                xml.element("Permission", "FULL_CONTROL")
            }
        }
        return xml.output()
    }
}
