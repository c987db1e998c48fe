import EmuPluginKit

extension S3Service {
    // MARK: - ACLs, disabled as on every new bucket (see ObjectOwnership)

    /// GetBucketAcl: the owner's FULL_CONTROL, which S3 always answers for a bucket whose ACLs are disabled.
    func getBucketAcl(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        return ObjectOwnership.ownerOnlyPolicy(owner: Self.canonicalUserId(bucket.accountId))
    }

    /// GetObjectAcl: the same for an object, or the version `versionId` names.
    func getObjectAcl(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let object = try readableVersion(request, bucket: bucket, key: key)
        var output = ObjectOwnership.ownerOnlyPolicy(owner: Self.canonicalUserId(bucket.accountId))
        output.headers += Self.versionHeader(object, in: bucket)
        return output
    }

    /// PutBucketAcl and PutObjectAcl: refused, `private` included, as S3 refuses every ACL update once ACLs are
    /// disabled.
    func putAcl(bucket name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        throw ObjectOwnership.aclsDisabled()
    }

    // MARK: - Ownership controls

    /// GetBucketOwnershipControls: BucketOwnerEnforced, every bucket's setting here.
    func getBucketOwnershipControls(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        var xml = XMLWriter(root: "OwnershipControls")
        xml.group("Rule") { xml in xml.element("ObjectOwnership", ObjectOwnership.enforced) }
        return xml.output()
    }

    /// PutBucketOwnershipControls: one rule naming a setting; BucketOwnerEnforced is what the bucket has already, the
    /// settings that enable ACLs are not built.
    func putBucketOwnershipControls(_ request: S3Request, bucket name: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.checkDocumentDigests(request)
        let document = try XMLTag.parse(request.body)
        let rules = document.children("Rule")
        guard document.name == "OwnershipControls", rules.count == 1,
            let setting = rules[0].value("ObjectOwnership"), ObjectOwnership.settings.contains(setting)
        else { throw S3Errors.malformedXML() }
        guard setting == ObjectOwnership.enforced else {
            throw S3Errors.notImplemented("ACLs (Object Ownership \(setting))")
        }
        return OperationOutput(body: [])
    }

    /// DeleteBucketOwnershipControls would leave the bucket with ACLs enabled (ObjectWriter), which is not built.
    func deleteBucketOwnershipControls(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        throw S3Errors.notImplemented("ACLs (removing the ownership controls enables them)")
    }
}
