import EmuPluginKit

extension S3Service {
    // MARK: - The bucket's versioning configuration

    /// PutBucketVersioning: `Enabled` or `Suspended`; a bucket never goes back to unversioned. A digest of the body is
    /// checked when given (S3 answers requests without one too). MFA delete cannot be turned on here: without an
    /// `x-amz-mfa` header S3 refuses it as below, with one this host cannot check the token.
    func putBucketVersioning(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.checkDocumentDigests(request)
        let document = try XMLTag.parse(request.body)
        guard document.name == "VersioningConfiguration" else { throw S3Errors.malformedXML() }
        let mfaDelete = document.value("MfaDelete")
        switch mfaDelete {
        case nil, "Disabled": break
        case "Enabled":
            guard request.header("x-amz-mfa") != nil else {
                throw S3Errors.accessDenied("Mfa Authentication must be used for this request")
            }
            throw S3Errors.notImplemented("MFA delete")
        default: throw S3Errors.malformedXML()
        }
        guard let text = document.value("Status") else {
            throw AWSError("IllegalVersioningConfigurationException", "The Versioning element must be specified")
        }
        guard let status = VersioningStatus(rawValue: text) else { throw S3Errors.malformedXML() }
        try updateBucket(name, context) { bucket in
            bucket.versioning = status
            if let mfaDelete { bucket.mfaDelete = mfaDelete }
        }
        return OperationOutput(body: [])
    }

    /// GetBucketVersioning: the status once versioning was configured (an empty configuration before), and MFA
    /// delete once a request named it.
    func getBucketVersioning(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        var xml = XMLWriter(root: "VersioningConfiguration")
        xml.element("Status", bucket.versioning?.rawValue)
        xml.element("MfaDelete", bucket.mfaDelete)
        return xml.output()
    }

    // MARK: - Naming a version

    /// The version a read names: the key's current object, or with `versionId` that version.
    /// - Throws: NoSuchKey when the key has no current object (with S3's delete-marker headers when a marker hides
    ///   it); for a version id, `checkVersionId`'s refusals, NoSuchVersion for one the key does not have on a
    ///   versioned bucket, and MethodNotAllowed for a delete marker, which has no body.
    func readableVersion(_ request: S3Request, bucket: Bucket, key: String, missingKey: String? = nil)
        throws(AWSError) -> S3Object
    {
        let name = bucket.name
        guard let versionId = request.query["versionId"] else {
            return try currentObject(bucket: name, key: key, missingKey: missingKey ?? key)
        }
        try Self.checkVersionId(versionId, in: bucket)
        guard let object = store.read({ $0.version(bucket: name, key: key, id: versionId) }) else {
            guard bucket.versioning != nil else { throw S3Errors.noSuchKey(missingKey ?? key) }
            throw S3Errors.noSuchVersion(key: key, versionId: versionId)
        }
        if object.isDeleteMarker { throw S3Errors.deleteMarkerRead(object, method: request.method) }
        return object
    }

    /// A key's current object.
    /// - Throws: NoSuchKey naming `missingKey`, with S3's delete-marker headers when a marker hides the key.
    func currentObject(bucket name: String, key: String, missingKey: String) throws(AWSError) -> S3Object {
        let (current, latest) = store.read { ($0.objects[name]?[key], $0.latest(bucket: name, key: key)) }
        guard let current else {
            var error = S3Errors.noSuchKey(missingKey)
            if let marker = latest, marker.isDeleteMarker { error.responseHeaders = S3Errors.markerHeaders(marker) }
            throw error
        }
        return current
    }

    /// A version id a request names (`versionId`): never empty; on a bucket whose versioning was never enabled only
    /// "null" exists, and elsewhere anything but "null" or an id of S3's form is refused, as S3 refuses it.
    static func checkVersionId(_ versionId: String, in bucket: Bucket, argument: String = "versionId")
        throws(AWSError)
    {
        guard !versionId.isEmpty else {
            throw S3Errors.invalidArgument("Version id cannot be the empty string", argument: (argument, ""))
        }
        guard versionId == "null" || (bucket.versioning != nil && S3Object.isWellFormedVersionId(versionId)) else {
            throw S3Errors.invalidArgument("Invalid version id specified", argument: (argument, versionId))
        }
    }

    /// `x-amz-version-id` on a write: the id S3 gave the new version (the null version is answered without one).
    static func versionHeader(_ object: S3Object) -> [(String, String)] {
        object.versionId.map { [("x-amz-version-id", $0)] } ?? []
    }

    /// `x-amz-version-id` on a read: every version of a versioned bucket has one ("null" included); objects of a
    /// bucket whose versioning was never enabled are answered without.
    static func versionHeader(_ object: S3Object, in bucket: Bucket) -> [(String, String)] {
        bucket.versioning == nil ? [] : [("x-amz-version-id", object.versionIdText)]
    }
}
