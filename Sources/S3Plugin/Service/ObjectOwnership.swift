import EmuPluginKit

/// S3's Object Ownership as every bucket here has it: `BucketOwnerEnforced`, the default for new buckets since April
/// 2023, which disables ACLs. The bucket owner owns every object and holds FULL_CONTROL; a request that sets any other
/// ACL is refused as S3 refuses it. (ACLs themselves, which `ObjectWriter` and `BucketOwnerPreferred` enable, are not
/// built: those settings are NotImplemented.)
enum ObjectOwnership {
    static let enforced = "BucketOwnerEnforced"
    static let settings = [enforced, "BucketOwnerPreferred", "ObjectWriter"]
    private static let grantHeaders = ["x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp",
                                       "x-amz-grant-write", "x-amz-grant-write-acp"]

    /// The ACL headers of a write (PutObject, CopyObject, CreateMultipartUpload): none, or one that leaves the bucket
    /// owner with full control alone. S3 takes `bucket-owner-full-control`, and a same-account `private` (ignored);
    /// any other canned ACL or grant is AccessControlListNotSupported.
    static func checkObjectACL(_ request: S3Request, accountId: String) throws(AWSError) {
        if let acl = request.header("x-amz-acl"), acl != "bucket-owner-full-control", acl != "private" {
            throw aclsDisabled()
        }
        guard grantsLeaveOnlyOwner(request, accountId: accountId) else { throw aclsDisabled() }
    }

    /// CreateBucket's ACL and ownership headers: `x-amz-object-ownership` must name a setting (only the enforced one
    /// is built), and under it the only ACL is `private` or a grant of full control to the owner.
    static func checkNewBucket(_ request: S3Request, accountId: String) throws(AWSError) {
        if let setting = request.header("x-amz-object-ownership") {
            guard settings.contains(setting) else {
                throw S3Errors.invalidArgument("Invalid x-amz-object-ownership header: \(setting)",
                                               argumentName: "x-amz-object-ownership")
            }
            guard setting == enforced else { throw S3Errors.notImplemented("ACLs (Object Ownership \(setting))") }
        }
        let acl = request.header("x-amz-acl")
        guard acl == nil || acl == "private", grantsLeaveOnlyOwner(request, accountId: accountId) else {
            throw AWSError("InvalidBucketAclWithObjectOwnership",
                           "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", status: 400)
        }
    }

    /// Whether the request's grant headers (if any) name only the owner, and only for full control. A grantee is
    /// `type=value` (`id="…"`, `ID = …`, `emailAddress=…`); only the owner's canonical id names the owner here.
    private static func grantsLeaveOnlyOwner(_ request: S3Request, accountId: String) -> Bool {
        let present = grantHeaders.compactMap { name in request.header(name).map { (name, $0) } }
        guard !present.isEmpty else { return true }
        let owner = S3Service.canonicalUserId(accountId)
        return present.allSatisfy { name, value in
            let grantees = value.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            return name == "x-amz-grant-full-control" && !grantees.isEmpty && grantees.allSatisfy { grantee in
                guard let equals = grantee.firstIndex(of: "=") else { return false }
                let type = grantee[..<equals].trimmingSpaces().lowercased()
                var id = grantee[grantee.index(after: equals)...].trimmingSpaces()
                if id.count >= 2, id.hasPrefix("\""), id.hasSuffix("\"") { id = String(id.dropFirst().dropLast()) }
                return type == "id" && id.lowercased() == owner
            }
        }
    }

    /// What S3 answers any request that would set an ACL on a bucket whose ACLs are disabled.
    static func aclsDisabled() -> AWSError {
        AWSError("AccessControlListNotSupported", "The bucket does not allow ACLs", status: 400)
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
