import EmuPluginKit

extension S3Service {
    // MARK: - Object tagging

    /// PutObjectTagging: replaces the tags of the object, or of the version `versionId` names (an empty TagSet
    /// removes them). 200 with no body.
    func putObjectTagging(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        try ChecksumRequest.checkDocumentDigests(request)
        let tags = try TagSet.parse(document: request.body, for: .object)
        let version = try setObjectTags(request, bucket: bucket, key: key, tags.isEmpty ? nil : tags, context)
        return OperationOutput(body: [], headers: Self.versionHeader(version, in: bucket))
    }

    /// GetObjectTagging: the tags, or an empty TagSet. (S3 names the missing key with its bucket here.)
    func getObjectTagging(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let object = try readableVersion(request, bucket: bucket, key: key, missingKey: "\(name)/\(key)")
        var output = TagSet.output(object.headers.tags ?? [])
        output.headers += Self.versionHeader(object, in: bucket)
        return output
    }

    /// DeleteObjectTagging: 204, whether or not the object had tags.
    func deleteObjectTagging(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let version = try setObjectTags(request, bucket: bucket, key: key, nil, context)
        return OperationOutput(body: [], status: 204, headers: Self.versionHeader(version, in: bucket))
    }

    /// - Returns: the version whose tags were set.
    private func setObjectTags(_ request: S3Request, bucket: Bucket, key: String, _ tags: [S3Tag]?,
                               _ context: RequestContext) throws(AWSError) -> S3Object
    {
        let named = try readableVersion(request, bucket: bucket, key: key)
        return try store.update { state throws(AWSError) -> S3Object in
            // The version read above, unless it went away meanwhile.
            guard var object = state.version(bucket: bucket.name, key: key, id: named.versionIdText),
                !object.isDeleteMarker
            else { throw S3Errors.noSuchKey(key) }
            guard object.headers.tags != tags else { return object }
            object.headers.tags = tags
            try state.replaceVersion(object, context)
            return object
        }
    }

    // MARK: - Bucket tagging

    /// PutBucketTagging: replaces the bucket's tags, up to 50 (an empty TagSet removes them; which answer AWS then
    /// gives GetBucketTagging is not recorded, NoSuchTagSet is ours). The body must come with its Content-MD5 or an
    /// additional checksum. 204.
    func putBucketTagging(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.requireDocumentDigest(request, namingChecksums: true)
        let tags = try TagSet.parse(document: request.body, for: .bucket)
        try updateBucket(name, context) { $0.tags = tags.isEmpty ? nil : tags }
        return OperationOutput(body: [], status: 204)
    }

    /// GetBucketTagging: the tags; NoSuchTagSet when the bucket has none.
    func getBucketTagging(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        guard let tags = bucket.tags else {
            throw S3Errors.noSuchConfiguration("NoSuchTagSet", "The TagSet does not exist", bucket: name)
        }
        return TagSet.output(tags)
    }

    /// DeleteBucketTagging: 204.
    func deleteBucketTagging(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        try updateBucket(name, context) { $0.tags = nil }
        return OperationOutput(body: [], status: 204)
    }
}
