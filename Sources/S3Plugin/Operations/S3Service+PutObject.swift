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
        if request.header("x-amz-write-offset-bytes") != nil {
            throw S3Errors.notImplemented("appending with x-amz-write-offset-bytes (S3 Express One Zone only)")
        }
        let headers = try ObjectHeaders(request)
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
            let replaced = try commitObject(object, context) { existing throws(AWSError) in try check.verify(existing) }
            blobs.retire(replaced)
        } catch {
            blobs.discard(sealed.blob.id)
            throw error
        }
        return OperationOutput(body: [], headers: [("ETag", object.quotedETag)]
            + encryption.responseHeaders(includeContext: true) + stored.responseHeaders + expirationHeader(object))
    }

    /// Stores `object` in place of whatever had its key, within the request's persistence.
    /// - Parameter check: runs under the lock against the object being replaced (conditional writes).
    /// - Returns: the blob ids of the replaced object, to retire.
    func commitObject(_ object: S3Object, _ context: RequestContext,
                      check: (S3Object?) throws(AWSError) -> Void = { _ in }) throws(AWSError) -> [String]
    {
        try store.update { state throws(AWSError) -> [String] in
            guard state.buckets[object.bucket] != nil else { throw S3Errors.noSuchBucket(object.bucket) }
            let existing = state.objects[object.bucket]?[object.key]
            try check(existing)
            try S3Persistence.object(context, bucket: object.bucket, key: object.key, object)
            state.objects[object.bucket, default: [:]][object.key] = object
            return existing?.blobs.map(\.id) ?? []
        }
    }
}
