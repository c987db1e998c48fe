import EmuPluginKit

extension S3Service {
    /// S3 copies at most 5 GiB into one part.
    static let largestCopiedPart: Int64 = 5 * 1024 * 1024 * 1024

    /// UploadPartCopy (`x-amz-copy-source` on a part): a part made from an existing object, whole or the
    /// `x-amz-copy-source-range` of it. The `aws s3 cp` of an object between buckets uses it above its multipart
    /// threshold. The source is decrypted piece by piece and sealed under the upload's key, as CopyObject does, and
    /// its `x-amz-copy-source-if-*` conditions apply.
    func uploadPartCopy(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let partNumber = try requirePartNumber(request)
        let upload = try requireUpload(request, bucket: name, key: key)
        let source = try copySource(request.header("x-amz-copy-source") ?? "")
        let sourceBucket = try requireBucket(source.bucket, context)
        guard let original = store.read({ $0.objects[source.bucket]?[source.key] }) else { throw S3Errors.noSuchKey() }
        if let version = source.versionId, version != "null" {
            throw AWSError("NoSuchVersion", "The specified version does not exist.", status: 404)
        }
        try checkCopySourceConditions(request, original)
        if StorageClass.archived.contains(original.storageClass) {
            throw AWSError("InvalidObjectState", "The operation is not valid for the object's storage class",
                           status: 403)
        }
        let range = try copyRange(request.header("x-amz-copy-source-range"), size: original.size)
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        guard length <= Self.largestCopiedPart else {
            throw S3Errors.invalidRequest("The specified copy source is larger than the maximum allowable size for a "
                + "copy source: \(Self.largestCopiedPart)")
        }

        var sourceKey = try keys.dataKey(of: original.encryption, arn: original.arn, region: sourceBucket.region,
                                         context)
        defer { for index in sourceKey.indices { sourceKey[index] = 0 } }
        var dataKey = try uploadKey(upload, region: bucket.region, context)
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        let sealer = try BodySealer(size: length, key: dataKey, store: blobs)
        let sealed: (blob: BlobRef, md5: [UInt8])
        do {
            if let range {
                try BodyOpener(store: blobs, key: sourceKey).forEachPiece(of: original.blobs, range: range)
                { piece throws(AWSError) in try sealer.append(piece) }
            }
            sealed = try sealer.finish()
        } catch {
            sealer.abandon()
            throw error
        }
        let part = UploadedPart(uploadId: upload.uploadId, partNumber: partNumber, etag: Hex.encode(sealed.md5),
                                lastModified: now, blob: sealed.blob)
        try commitPart(part, context)
        var xml = XMLWriter(root: "CopyPartResult")
        xml.element("LastModified", HTTPDate.iso8601(part.lastModified))
        xml.element("ETag", "\"\(part.etag)\"")
        return xml.output(headers: upload.encryption.responseHeaders())
    }

    /// The bytes an `x-amz-copy-source-range` names (`bytes=first-last`, both given, within the source); the whole
    /// source without one; nil for an empty source copied whole.
    private func copyRange(_ header: String?, size: Int64) throws(AWSError) -> ClosedRange<Int64>? {
        guard let header else { return size > 0 ? 0...(size - 1) : nil }
        let malformed = S3Errors.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last "
            + "where first and last are the zero-based offsets of the first and last bytes to copy")
        guard header.hasPrefix("bytes=") else { throw malformed }
        let bounds = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, first <= last
        else { throw malformed }
        guard last < size else {
            throw S3Errors.invalidArgument("Range specified is not valid for source object of size: \(size)")
        }
        return first...last
    }
}
