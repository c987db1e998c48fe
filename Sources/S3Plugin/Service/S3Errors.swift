import EmuPluginKit

/// S3's errors with its own codes, messages and HTTP statuses; the host renders them as
/// `<Error><Code/><Message/>…<RequestId/></Error>` (and, for HEAD, as the status alone, as S3 does). Where S3 names
/// what the error is about (`<BucketName>`, `<Key>`, `<UploadId>`, `<ArgumentName>`…) so do these, and SDKs hand
/// those members to callers beside the code and message.
enum S3Errors {
    static func noSuchBucket(_ bucket: String) -> AWSError {
        AWSError("NoSuchBucket", "The specified bucket does not exist", status: 404,
                 fields: [AWSErrorField("BucketName", bucket)])
    }

    /// A configuration the bucket does not have (NoSuchTagSet, NoSuchLifecycleConfiguration,
    /// NoSuchCORSConfiguration): 404, naming the bucket.
    static func noSuchConfiguration(_ code: String, _ message: String, bucket: String) -> AWSError {
        AWSError(code, message, status: 404, fields: [AWSErrorField("BucketName", bucket)])
    }

    static func noSuchKey(_ key: String) -> AWSError {
        AWSError("NoSuchKey", "The specified key does not exist.", status: 404, fields: [AWSErrorField("Key", key)])
    }

    /// The headers S3 sends when a delete marker answers a read: `x-amz-delete-marker` and the marker's version.
    static func markerHeaders(_ marker: S3Object) -> [AWSErrorField] {
        [AWSErrorField("x-amz-delete-marker", "true"), AWSErrorField("x-amz-version-id", marker.versionIdText)]
    }

    /// A read (GET, HEAD, tagging) naming a delete marker by its version id: a marker has no body to read.
    static func deleteMarkerRead(_ marker: S3Object, method: String) -> AWSError {
        var error = AWSError("MethodNotAllowed", "The specified method is not allowed against this resource.",
                             status: 405, fields: [AWSErrorField("Method", method),
                                                   AWSErrorField("ResourceType", "DeleteMarker")])
        error.responseHeaders = markerHeaders(marker) + [
            AWSErrorField("Last-Modified", HTTPDate.rfc1123(marker.lastModified)), AWSErrorField("Allow", "DELETE"),
        ]
        return error
    }

    /// The longest ID a lifecycle or CORS rule may have, in characters.
    static let maximumRuleIdLength = 255

    /// A lifecycle or CORS rule whose ID is longer than `maximumRuleIdLength`.
    static func ruleIdTooLong() -> AWSError {
        invalidArgument("ID length should not exceed allowed limit of \(maximumRuleIdLength)")
    }

    static func noSuchVersion(key: String, versionId: String) -> AWSError {
        AWSError("NoSuchVersion", "The specified version does not exist.", status: 404,
                 fields: [AWSErrorField("Key", key), AWSErrorField("VersionId", versionId)])
    }

    static func noSuchUpload(_ uploadId: String) -> AWSError {
        AWSError("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload "
            + "may have been aborted or completed.", status: 404, fields: [AWSErrorField("UploadId", uploadId)])
    }

    static func bucketNotEmpty(_ bucket: String) -> AWSError {
        AWSError("BucketNotEmpty", "The bucket you tried to delete is not empty", status: 409,
                 fields: [AWSErrorField("BucketName", bucket)])
    }

    static func bucketAlreadyExists(_ bucket: String) -> AWSError {
        AWSError("BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared "
            + "by all users of the system. Please select a different name and try again.", status: 409,
                 fields: [AWSErrorField("BucketName", bucket)])
    }

    static func bucketAlreadyOwnedByYou(_ bucket: String) -> AWSError {
        AWSError("BucketAlreadyOwnedByYou",
                 "Your previous request to create the named bucket succeeded and you already own it.", status: 409,
                 fields: [AWSErrorField("BucketName", bucket)])
    }

    static func invalidBucketName(_ bucket: String) -> AWSError {
        AWSError("InvalidBucketName", "The specified bucket is not valid.", status: 400,
                 fields: [AWSErrorField("BucketName", bucket)])
    }

    static func accessDenied(_ message: String = "Access Denied") -> AWSError {
        AWSError("AccessDenied", message, status: 403)
    }

    static func malformedXML() -> AWSError {
        AWSError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
            + "published schema", status: 400)
    }

    /// `argument` is the header or query parameter at fault and the value it had, which S3 names in
    /// `<ArgumentName>` and `<ArgumentValue>`.
    static func invalidArgument(_ message: String, argument: (name: String, value: String)? = nil) -> AWSError {
        AWSError("InvalidArgument", message, status: 400, fields: argument.map {
            [AWSErrorField("ArgumentName", $0.name), AWSErrorField("ArgumentValue", $0.value)]
        } ?? [])
    }

    /// InvalidArgument naming the argument alone, where S3 does not repeat its value.
    static func invalidArgument(_ message: String, argumentName: String) -> AWSError {
        AWSError("InvalidArgument", message, status: 400, fields: [AWSErrorField("ArgumentName", argumentName)])
    }

    static func invalidRequest(_ message: String) -> AWSError {
        AWSError("InvalidRequest", message, status: 400)
    }

    static func invalidRange(requested: String, objectSize: Int64) -> AWSError {
        AWSError("InvalidRange", "The requested range is not satisfiable", status: 416,
                 fields: [AWSErrorField("RangeRequested", requested), AWSErrorField("ActualObjectSize", String(objectSize))])
    }

    static func invalidPart(uploadId: String, partNumber: Int, etag: String) -> AWSError {
        AWSError("InvalidPart", "One or more of the specified parts could not be found.  The part may not have been "
            + "uploaded, or the specified entity tag may not match the part's entity tag.", status: 400,
                 fields: [AWSErrorField("UploadId", uploadId), AWSErrorField("PartNumber", String(partNumber)),
                          AWSErrorField("ETag", etag)])
    }

    static func invalidPartOrder(uploadId: String) -> AWSError {
        AWSError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part "
            + "number.", status: 400, fields: [AWSErrorField("UploadId", uploadId)])
    }

    static func entityTooSmall(proposedSize: Int64, minimum: Int64, partNumber: Int, etag: String) -> AWSError {
        AWSError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", status: 400,
                 fields: [AWSErrorField("ProposedSize", String(proposedSize)),
                          AWSErrorField("MinSizeAllowed", String(minimum)),
                          AWSErrorField("PartNumber", String(partNumber)), AWSErrorField("ETag", etag)])
    }

    static func keyTooLong(size: Int, maximum: Int) -> AWSError {
        AWSError("KeyTooLongError", "Your key is too long", status: 400,
                 fields: [AWSErrorField("Size", String(size)), AWSErrorField("MaxSizeAllowed", String(maximum))])
    }

    /// `condition` is the header that did not hold (`If-Match`, `x-amz-copy-source-If-None-Match`…), which S3
    /// names in `<Condition>`.
    static func preconditionFailed(_ condition: String) -> AWSError {
        AWSError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", status: 412,
                 fields: [AWSErrorField("Condition", condition)])
    }

    static func invalidDigest(_ header: String) -> AWSError {
        AWSError("InvalidDigest", "The Content-MD5 you specified was invalid.", status: 400,
                 fields: [AWSErrorField("Content-MD5", header)])
    }

    /// A Content-MD5 that does not match the body: S3 names both digests, base64, the sent one first.
    static func contentMD5Mismatch(expected: String, calculated: [UInt8]) -> AWSError {
        AWSError("BadDigest", "The Content-MD5 you specified did not match what we received.", status: 400,
                 fields: [AWSErrorField("ExpectedDigest", expected),
                          AWSErrorField("CalculatedDigest", Base64.encode(calculated))])
    }

    static func badDigest(_ message: String) -> AWSError {
        AWSError("BadDigest", message, status: 400)
    }

    static func methodNotAllowed() -> AWSError {
        AWSError("MethodNotAllowed", "The specified method is not allowed against this resource.", status: 405)
    }

    static func entityTooLarge() -> AWSError {
        AWSError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.", status: 400)
    }

    static func incompleteBody() -> AWSError {
        AWSError("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header",
                 status: 400)
    }

    static func maxMessageLengthExceeded() -> AWSError {
        AWSError("MaxMessageLengthExceeded", "Your request was too big.", status: 400)
    }

    static func missingContentLength() -> AWSError {
        AWSError("MissingContentLength", "You must provide the Content-Length HTTP header.", status: 411)
    }

    /// S3's own NotImplemented for a header it does not take, which it names.
    static func notImplemented(message: String, header: String) -> AWSError {
        AWSError("NotImplemented", message, status: 501, fields: [AWSErrorField("Header", header)])
    }

    static func invalidObjectState(storageClass: String) -> AWSError {
        AWSError("InvalidObjectState", "The operation is not valid for the object's storage class", status: 403,
                 fields: [AWSErrorField("StorageClass", storageClass)])
    }

    static func notImplemented(_ what: String) -> AWSError {
        AWSError("NotImplemented", "A header or query you provided implies functionality that is not implemented "
            + "by this emulator: \(what).", status: 501)
    }

    static func internalError() -> AWSError {
        AWSError("InternalError", "We encountered an internal error. Please try again.", status: 500)
    }
}
