import EmuPluginKit

extension S3Service {
    // MARK: - Object tagging

    /// PutObjectTagging: replaces the object's tags (an empty TagSet removes them). 200 with no body.
    func putObjectTagging(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.checkDocumentDigests(request)
        let tags = try TagSet.parse(document: request.body, for: .object)
        try setObjectTags(bucket: name, key: key, tags.isEmpty ? nil : tags, context)
        return OperationOutput(body: [])
    }

    /// GetObjectTagging: the tags, or an empty TagSet. (S3 names the missing key with its bucket here.)
    func getObjectTagging(bucket name: String, key: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        guard let object = store.read({ $0.objects[name]?[key] }) else { throw S3Errors.noSuchKey("\(name)/\(key)") }
        return TagSet.output(object.headers.tags ?? [])
    }

    /// DeleteObjectTagging: 204, whether or not the object had tags.
    func deleteObjectTagging(bucket name: String, key: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try setObjectTags(bucket: name, key: key, nil, context)
        return OperationOutput(body: [], status: 204)
    }

    private func setObjectTags(bucket name: String, key: String, _ tags: [S3Tag]?, _ context: RequestContext)
        throws(AWSError)
    {
        try store.update { state throws(AWSError) in
            guard var object = state.objects[name]?[key] else { throw S3Errors.noSuchKey(key) }
            guard object.headers.tags != tags else { return }
            object.headers.tags = tags
            try S3Persistence.object(context, bucket: name, key: key, object)
            state.objects[name]?[key] = object
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
