import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension S3Service {
    /// PutObject: seals the body under a fresh data key (SSE-KMS or SSE-S3, see `EncryptionRequest`) into a new
    /// blob, then commits the object; the replaced object's blobs are retired.
    func putObject(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        try requireKeyLength(key)
        let bucket = try requireBucket(name, context)
        try ObjectOwnership.checkObjectACL(request, accountId: bucket.accountId)
        if request.header("x-amz-write-offset-bytes") != nil {
            throw S3Errors.notImplemented("appending with x-amz-write-offset-bytes (S3 Express One Zone only)")
        }
        var headers = try ObjectHeaders(request)
        headers.tags = try ObjectHeaders.tags(of: request)
        let storageClass = try StorageClass.of(request)
        let spec = try EncryptionRequest.resolve(request, bucket: bucket)
        let checksum = try ChecksumRequest(request)
        let check = try WriteConditions(request)
        try check.verify(store.read { $0.objects[name]?[key] })
        let arn = "arn:aws:s3:::\(name)/\(key)"
        let (encryption, generatedKey) = try keys.newKey(spec, arn: arn, region: bucket.region, context)
        var dataKey = generatedKey
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        let sealed = try request.upload.seal(key: dataKey, store: blobs, checksums: [checksum.algorithm])
        let stored = StoredChecksum(algorithm: checksum.algorithm, value: sealed.value(checksum.algorithm) ?? "",
                                    type: .fullObject)
        let object = S3Object(bucket: name, key: key, size: request.upload.size, etag: encryption.etag(dataMD5: sealed.md5),
                              lastModified: now, headers: headers, storageClass: storageClass, blobs: [sealed.blob],
                              partsCount: nil, encryption: encryption, checksum: stored)
        do {
            try checksum.verify(sealed, of: request)
            let (committed, replaced) = try commitObject(object, context) { existing throws(AWSError) in
                try check.verify(existing)
            }
            blobs.retire(replaced)
            return OperationOutput(body: [], headers: [("ETag", object.quotedETag)]
                + encryption.responseHeaders(includeContext: true) + stored.responseHeaders
                + Self.expirationHeader(object, in: bucket) + Self.versionHeader(committed))
        } catch {
            blobs.discard(sealed.blob.id)
            throw error
        }
    }

    /// Makes `object` the latest version of its key, within the request's persistence: under the bucket's
    /// versioning it gets a version id (enabled) or becomes the null version (suspended), and the versions before it
    /// stay; otherwise it replaces the object.
    /// - Parameter check: runs under the lock against the current object (conditional writes).
    /// - Returns: the object as stored (with its version id), and the blob ids of what it replaced, to retire.
    func commitObject(_ object: S3Object, _ context: RequestContext,
                      check: (S3Object?) throws(AWSError) -> Void = { _ in }) throws(AWSError)
        -> (object: S3Object, retired: [String])
    {
        try store.update { state throws(AWSError) -> (S3Object, [String]) in
            let versioning = try state.versioning(of: object.bucket)
            try check(state.objects[object.bucket]?[object.key])
            return try state.putLatest(object, versioning: versioning, context)
        }
    }
}
