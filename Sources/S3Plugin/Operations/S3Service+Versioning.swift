import EmuPluginKit

extension S3Service {
    // MARK: - The bucket's versioning configuration

    /// PutBucketVersioning: `Enabled` or `Suspended`; a bucket never goes back to unversioned. The body must come with
    /// its Content-MD5 or an additional checksum, as S3's model requires. MFA delete cannot be turned on here.
    func putBucketVersioning(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.requireDocumentDigest(request, namingChecksums: true)
        let document = try XMLTag.parse(request.body)
        guard document.name == "VersioningConfiguration" else { throw S3Errors.malformedXML() }
        switch document.value("MfaDelete") {
        case nil, "Disabled": break
        case "Enabled": throw S3Errors.notImplemented("MFA delete")
        default: throw S3Errors.malformedXML()
        }
        guard let text = document.value("Status") else { return OperationOutput(body: []) }
        guard let status = VersioningStatus(rawValue: text) else { throw S3Errors.malformedXML() }
        try updateBucket(name, context) { $0.versioning = status }
        return OperationOutput(body: [])
    }

    /// GetBucketVersioning: the status once versioning was configured; an empty configuration before.
    func getBucketVersioning(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        var xml = XMLWriter(root: "VersioningConfiguration")
        xml.element("Status", bucket.versioning?.rawValue)
        return xml.output()
    }

    // MARK: - Naming a version

    /// The version a read names: the key's current object, or with `versionId` that version.
    /// - Throws: NoSuchKey when the key has no current object (its latest version may be a delete marker);
    ///   on a bucket whose versioning was never enabled, InvalidArgument for any id but "null"; on a versioned one,
    ///   NoSuchVersion for an id the key does not have, and MethodNotAllowed for a delete marker, which has no body.
    func readableVersion(_ request: S3Request, bucket: Bucket, key: String, missingKey: String? = nil)
        throws(AWSError) -> S3Object
    {
        let versionId = request.query["versionId"]
        let name = bucket.name
        guard let versionId else {
            guard let object = store.read({ $0.objects[name]?[key] }) else { throw S3Errors.noSuchKey(missingKey ?? key) }
            return object
        }
        try Self.requireKnownVersion(versionId, in: bucket)
        guard let object = store.read({ $0.version(bucket: name, key: key, id: versionId) }) else {
            guard bucket.versioning != nil else { throw S3Errors.noSuchKey(missingKey ?? key) }
            throw S3Errors.noSuchVersion(key: key, versionId: versionId)
        }
        if object.isDeleteMarker {
            throw AWSError("MethodNotAllowed", "The specified method is not allowed against this resource.",
                           status: 405, fields: [AWSErrorField("Method", request.method),
                                                 AWSErrorField("ResourceType", "DeleteMarker")])
        }
        return object
    }

    /// A bucket whose versioning was never enabled has only the version "null": any other id is refused as AWS
    /// refuses it there.
    static func requireKnownVersion(_ versionId: String, in bucket: Bucket) throws(AWSError) {
        if bucket.versioning == nil, versionId != "null" {
            throw S3Errors.invalidArgument("Invalid version id specified", argument: ("versionId", versionId))
        }
    }

    /// `x-amz-version-id` for a version S3 gave an id (the null version is answered without one).
    static func versionHeader(_ object: S3Object) -> [(String, String)] {
        object.versionId.map { [("x-amz-version-id", $0)] } ?? []
    }

    /// The versioning of the bucket a write goes to, read under the same lock as the write.
    static func versioning(of bucket: String, in state: S3Store.State) throws(AWSError) -> VersioningStatus? {
        guard let found = state.buckets[bucket] else { throw S3Errors.noSuchBucket(bucket) }
        return found.versioning
    }
}
