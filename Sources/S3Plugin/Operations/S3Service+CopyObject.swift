import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension S3Service {
    /// CopyObject (`x-amz-copy-source`): decrypts the source chunk by chunk and seals it again under a new data
    /// key chosen by the copy request's SSE headers or the destination bucket's default, as S3 does (a copy never
    /// inherits its source's encryption). Memory stays at one chunk, whatever the object's size.
    func copyObject(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        try requireKeyLength(key)
        let bucket = try requireBucket(name, context)
        try ObjectOwnership.checkObjectACL(request, accountId: bucket.accountId)
        let (original, sourceBucket, namedVersion) = try copySourceObject(request, context)
        let directiveHeader = request.header("x-amz-metadata-directive")
        let directive = directiveHeader?.uppercased() ?? "COPY"
        guard directive == "COPY" || directive == "REPLACE" else {
            throw S3Errors.invalidArgument("Unknown metadata directive.",
                                           argument: ("x-amz-metadata-directive", directiveHeader ?? ""))
        }
        // Tags follow their own directive: the source's unless REPLACE asks for the request's `x-amz-tagging`.
        let taggingHeader = request.header("x-amz-tagging-directive")
        let taggingDirective = taggingHeader?.uppercased() ?? "COPY"
        guard taggingDirective == "COPY" || taggingDirective == "REPLACE" else {
            throw S3Errors.invalidArgument("Unknown tagging directive.",
                                           argument: ("x-amz-tagging-directive", taggingHeader ?? ""))
        }
        var headers = directive == "REPLACE" ? try ObjectHeaders(request) : original.headers
        headers.tags = taggingDirective == "COPY" ? original.headers.tags : try ObjectHeaders.tags(of: request)
        let storageClass = try StorageClass.of(request)
        let spec = try EncryptionRequest.resolve(request, bucket: bucket)
        let requestedAlgorithm = try ChecksumAlgorithm.named(in: request)
        // A copy onto itself must change something. Asking for a checksum counts, and so does an encryption the
        // object does not have (an SSE-KMS object copied without SSE headers into an SSE-S3 bucket), as AWS
        // answered recorded requests.
        // (Copying a named version onto its key is how an older version is restored, and is allowed.)
        if original.bucket == name, original.key == key, !namedVersion, directive == "COPY",
            request.header("x-amz-storage-class") == nil, request.header("x-amz-server-side-encryption") == nil,
            request.header("x-amz-website-redirect-location") == nil,
            requestedAlgorithm == nil, spec.algorithm == original.encryption.algorithm
        {
            throw S3Errors.invalidRequest("This copy request is illegal because it is trying to copy an object to "
                + "itself without changing the object's metadata, storage class, website redirect location or "
                + "encryption attributes.")
        }
        // The copy keeps its source's checksum algorithm unless the request names another; the value is computed
        // again over the copied bytes, so it is always the copy's own.
        let algorithm = requestedAlgorithm ?? original.checksum?.algorithm ?? .crc64nvme
        // If-None-Match / If-Match name the destination (CopyObject's conditional writes), checked before the copy
        // and again under the lock as it is stored.
        let check = try WriteConditions(request)
        try check.verify(store.read { $0.objects[name]?[key] })

        let arn = "arn:aws:s3:::\(name)/\(key)"
        let (encryption, generatedKey) = try keys.newKey(spec, arn: arn, region: bucket.region, context)
        var dataKey = generatedKey
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        let sealed = try reseal(original, from: sourceBucket,
                                range: original.wholeRange, under: dataKey, checksum: algorithm, context)
        let checksum = StoredChecksum(algorithm: algorithm, value: sealed.value(algorithm) ?? "", type: .fullObject)
        let object = S3Object(bucket: name, key: key, size: original.size, etag: encryption.etag(dataMD5: sealed.md5),
                              lastModified: now, headers: headers, storageClass: storageClass, blobs: [sealed.blob],
                              partsCount: nil, encryption: encryption, checksum: checksum)
        let committed: S3Object
        do {
            let (stored, retired) = try commitObject(object, context) { existing throws(AWSError) in
                try check.verify(existing)
            }
            blobs.retire(retired)
            committed = stored
        } catch {
            blobs.discard(sealed.blob.id)
            throw error
        }
        var xml = XMLWriter(root: "CopyObjectResult")
        xml.element("LastModified", HTTPDate.iso8601(object.lastModified))
        xml.element("ETag", object.quotedETag)
        checksum.write(to: &xml)
        // The source's version, whenever its bucket is versioned (named in the request or not).
        let sourceVersion = sourceBucket.versioning == nil ? [] : [("x-amz-copy-source-version-id", original.versionIdText)]
        return xml.output(headers: encryption.responseHeaders(includeContext: true) + Self.expirationHeader(object, in: bucket)
            + Self.versionHeader(committed) + sourceVersion)
    }

    /// The object `x-amz-copy-source` names, for CopyObject and UploadPartCopy: it exists, in a bucket of the
    /// caller's, at its current version or the one `?versionId=` names (not a delete marker), its
    /// `x-amz-copy-source-if-*` conditions hold, and it is not archived.
    /// - Returns: also whether a version was named.
    func copySourceObject(_ request: S3Request, _ context: RequestContext) throws(AWSError)
        -> (object: S3Object, bucket: Bucket, namedVersion: Bool)
    {
        let source = try copySource(request.header("x-amz-copy-source") ?? "")
        let sourceBucket = try requireBucket(source.bucket, context)
        let original: S3Object
        if let version = source.versionId {
            guard !version.isEmpty else {
                throw S3Errors.invalidArgument("Version id cannot be the empty string", argumentName: "x-amz-copy-source")
            }
            if sourceBucket.versioning != nil, version != "null", !S3Object.isWellFormedVersionId(version) {
                throw S3Errors.invalidRequest("Invalid Request")
            }
            guard let found = store.read({ $0.version(bucket: source.bucket, key: source.key, id: version) }) else {
                throw S3Errors.noSuchVersion(key: source.key, versionId: version)
            }
            guard !found.isDeleteMarker else {
                throw S3Errors.invalidRequest("The source of a copy request may not specifically refer to a delete "
                    + "marker by version id.")
            }
            original = found
        } else {
            original = try currentObject(bucket: source.bucket, key: source.key, missingKey: source.key)
        }
        try checkCopySourceConditions(request, original)
        if StorageClass.archived.contains(original.storageClass) {
            throw S3Errors.invalidObjectState(storageClass: original.storageClass)
        }
        return (original, sourceBucket, source.versionId != nil)
    }

    /// Decrypts `range` of `original` piece by piece and seals it under `dataKey` as a new blob (none for a nil
    /// range: an empty body), so memory stays at one chunk whatever the size, computing the `checksum` of the
    /// copied bytes on the way. The new blob is abandoned on failure.
    func reseal(_ original: S3Object, from sourceBucket: Bucket, range: ClosedRange<Int64>?, under dataKey: [UInt8],
                checksum: ChecksumAlgorithm, _ context: RequestContext) throws(AWSError) -> SealedBody
    {
        var sourceKey = try keys.dataKey(of: original.encryption, arn: original.arn, region: sourceBucket.region,
                                         context)
        defer { for index in sourceKey.indices { sourceKey[index] = 0 } }
        let sealer = try BodySealer(size: range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0, key: dataKey,
                                    store: blobs, checksums: [checksum])
        do {
            if let range {
                try BodyOpener(store: blobs, key: sourceKey).forEachPiece(of: original.blobs, range: range)
                { piece throws(AWSError) in try sealer.append(piece) }
            }
            return try sealer.finish()
        } catch {
            sealer.abandon()
            throw error
        }
    }

    /// Parses `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded.
    private func copySource(_ header: String) throws(AWSError) -> (bucket: String, key: String, versionId: String?) {
        var text = Substring(header)
        var versionId: String?
        if let mark = text.firstRange(of: "?versionId=") {
            versionId = PercentEncoding.decode(String(text[mark.upperBound...]))
            text = text[..<mark.lowerBound]
        }
        let decoded = PercentEncoding.decode(String(text))
        var path = Substring(decoded)
        if path.hasPrefix("/") { path = path.dropFirst() }
        if path.hasPrefix("arn:") { throw S3Errors.notImplemented("copying from an access point ARN") }
        guard let slash = path.firstIndex(of: "/"), !path[..<slash].isEmpty,
            !path[path.index(after: slash)...].isEmpty
        else {
            throw S3Errors.invalidArgument("Invalid copy source object key", argument: ("x-amz-copy-source", header))
        }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]), versionId)
    }

    /// The `x-amz-copy-source-if-*` conditions; every failure is 412 naming the header, as S3 answers them. An
    /// if-modified-since later than now is ignored, as S3 ignores it.
    private func checkCopySourceConditions(_ request: S3Request, _ source: S3Object) throws(AWSError) {
        let modified = source.lastModified / 1000
        if let ifMatch = request.header("x-amz-copy-source-if-match"), !ETagMatch.matches(ifMatch, source.etag) {
            throw S3Errors.preconditionFailed("x-amz-copy-source-If-Match")
        }
        if let ifNoneMatch = request.header("x-amz-copy-source-if-none-match"),
            ETagMatch.matches(ifNoneMatch, source.etag)
        {
            throw S3Errors.preconditionFailed("x-amz-copy-source-If-None-Match")
        }
        if let since = request.header("x-amz-copy-source-if-unmodified-since").flatMap(HTTPDate.parseRFC1123),
            modified > since / 1000
        {
            throw S3Errors.preconditionFailed("x-amz-copy-source-If-Unmodified-Since")
        }
        if let since = request.header("x-amz-copy-source-if-modified-since").flatMap(HTTPDate.parseRFC1123),
            since <= now, modified <= since / 1000
        {
            throw S3Errors.preconditionFailed("x-amz-copy-source-If-Modified-Since")
        }
    }
}
