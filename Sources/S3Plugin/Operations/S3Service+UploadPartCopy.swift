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
        let (original, sourceBucket, _) = try copySourceObject(request, context)
        let range = try copyRange(request.header("x-amz-copy-source-range"), of: original)
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        guard length <= Self.largestCopiedPart else {
            throw S3Errors.invalidRequest("The specified copy source is larger than the maximum allowable size for a "
                + "copy source: \(Self.largestCopiedPart)")
        }
        var dataKey = try uploadKey(upload, region: bucket.region, context)
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        let sealed = try reseal(original, from: sourceBucket, range: range, under: dataKey,
                                checksum: upload.partAlgorithm, context)
        let part = UploadedPart(uploadId: upload.uploadId, partNumber: partNumber, etag: Hex.encode(sealed.md5),
                                lastModified: now, blob: sealed.blob, checksum: sealed.value(upload.partAlgorithm))
        try commitPart(part, context)
        var xml = XMLWriter(root: "CopyPartResult")
        xml.element("LastModified", HTTPDate.iso8601(part.lastModified))
        xml.element("ETag", "\"\(part.etag)\"")
        if let algorithm = upload.checksumAlgorithm, let value = part.checksum { xml.element(algorithm.elementName, value) }
        return xml.output(headers: upload.encryption.responseHeaders())
    }

    /// The bytes an `x-amz-copy-source-range` names (`bytes=first-last`, both given, within the source); the whole
    /// source without one; nil for an empty source copied whole.
    private func copyRange(_ header: String?, of source: S3Object) throws(AWSError) -> ClosedRange<Int64>? {
        guard let header else { return source.wholeRange }
        let size = source.size
        let malformed = S3Errors.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last "
            + "where first and last are the zero-based offsets of the first and last bytes to copy",
                                                 argument: ("x-amz-copy-source-range", header))
        guard header.hasPrefix("bytes=") else { throw malformed }
        let bounds = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, first <= last
        else { throw malformed }
        // A range starting past the source is S3's InvalidRequest; one that only ends past it, InvalidArgument.
        guard first < size else {
            throw S3Errors.invalidRequest("The specified copy range is invalid for the source object size")
        }
        guard last < size else {
            throw S3Errors.invalidArgument("Range specified is not valid for source object of size: \(size)",
                                           argument: ("x-amz-copy-source-range", header))
        }
        return first...last
    }
}
