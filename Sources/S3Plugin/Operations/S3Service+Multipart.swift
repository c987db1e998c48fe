import EmuCrypto
import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension S3Service {
    /// CreateMultipartUpload: fixes the object's headers and encryption, and makes its data key now (one
    /// GenerateDataKey per upload, as S3 does); every part is sealed under it.
    func createMultipartUpload(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        try requireKeyLength(key)
        let bucket = try requireBucket(name, context)
        try ObjectOwnership.checkObjectACL(request, accountId: bucket.accountId)
        var headers = try ObjectHeaders(request)
        headers.tags = try ObjectHeaders.tags(of: request)
        let storageClass = try StorageClass.of(request)
        let spec = try EncryptionRequest.resolve(request, bucket: bucket)
        let checksum = try MultipartChecksum.requested(request)
        let arn = "arn:aws:s3:::\(name)/\(key)"
        // The data key itself is not needed yet: each UploadPart unwraps it again.
        let (encryption, _) = try keys.newKey(spec, arn: arn, region: bucket.region, context)
        var upload = MultipartUpload(uploadId: Self.newUploadId(), bucket: name, key: key, initiated: now,
                                     initiatorArn: context.principalArn, accountId: context.accountId,
                                     headers: headers, storageClass: storageClass, encryption: encryption,
                                     checksumAlgorithm: checksum?.algorithm, checksumType: checksum?.type)
        try store.update { state throws(AWSError) in
            guard state.buckets[name] != nil else { throw S3Errors.noSuchBucket(name) }
            upload.objectAtStart = state.objects[name]?[key]?.writeFingerprint ?? ""
            upload.sequence = state.nextSequence()
            try S3Persistence.upload(context, upload.uploadId, upload)
            state.uploads[upload.uploadId] = upload
        }
        var xml = XMLWriter(root: "InitiateMultipartUploadResult")
        xml.element("Bucket", name)
        xml.element("Key", key)
        xml.element("UploadId", upload.uploadId)
        return xml.output(headers: encryption.responseHeaders(includeContext: true) + upload.checksumHeaders)
    }

    /// UploadPart: parts 1 to 10000; uploading a number again replaces that part.
    func uploadPart(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let partNumber = try requirePartNumber(request)
        let upload = try requireUpload(request, bucket: name, key: key)
        let checksum = try ChecksumRequest(request)
        try MultipartChecksum.requirePartChecksum(checksum, of: upload)
        var dataKey = try uploadKey(upload, region: bucket.region, context)
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        // The upload's algorithm (or S3's default, for the object's checksum), and the one the client sent.
        let sealed = try request.upload.seal(key: dataKey, store: blobs,
                                             checksums: [upload.partAlgorithm, checksum.algorithm])
        let part = UploadedPart(uploadId: upload.uploadId, partNumber: partNumber, etag: Hex.encode(sealed.md5),
                                lastModified: now, blob: sealed.blob, checksum: sealed.value(upload.partAlgorithm))
        do {
            try checksum.verify(sealed, of: request)
        } catch {
            blobs.discard(sealed.blob.id)
            throw error
        }
        try commitPart(part, context)
        var headers = [("ETag", "\"\(part.etag)\"")] + upload.encryption.responseHeaders()
        if checksum.isFromClient, let value = sealed.value(checksum.algorithm) {
            headers.append((checksum.algorithm.headerName, value))
        }
        return OperationOutput(body: [], headers: headers)
    }

    /// The `partNumber` of UploadPart and UploadPartCopy, 1 to 10,000.
    func requirePartNumber(_ request: S3Request) throws(AWSError) -> Int {
        guard let partText = request.query["partNumber"], let partNumber = Int(partText),
            (1...10000).contains(partNumber)
        else {
            throw S3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                                           argument: ("partNumber", request.query["partNumber"] ?? ""))
        }
        return partNumber
    }

    /// Stores a part in place of any earlier one with its number, within the request's persistence; its blob is
    /// discarded if the upload went away meanwhile.
    func commitPart(_ part: UploadedPart, _ context: RequestContext) throws(AWSError) {
        do {
            let replaced = try store.update { state throws(AWSError) -> String? in
                guard state.uploads[part.uploadId] != nil else { throw S3Errors.noSuchUpload(part.uploadId) }
                try S3Persistence.part(context, uploadId: part.uploadId, number: part.partNumber, part)
                let previous = state.parts[part.uploadId]?[part.partNumber]
                state.parts[part.uploadId, default: [:]][part.partNumber] = part
                return previous?.blob.id
            }
            blobs.retire(replaced.map { [$0] } ?? [])
        } catch {
            blobs.discard(part.blob.id)
            throw error
        }
    }

    /// CompleteMultipartUpload: the listed parts, in ascending order, each with its ETag, all but the last at
    /// least 5 MiB, become the object; its ETag is the MD5 of the parts' MD5s, then `-<number of parts>`.
    /// The parts' blobs become the object's body as they are; parts not listed are retired.
    func completeMultipartUpload(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let upload = try requireUpload(request, bucket: name, key: key)
        let conditions = try WriteConditions(request)
        let document = try XMLTag.parse(request.body)
        guard document.name == "CompleteMultipartUpload" else { throw S3Errors.malformedXML() }
        var requested: [(number: Int, etag: String, checksum: String?)] = []
        for entry in document.children("Part") {
            guard let number = entry.value("PartNumber").flatMap({ Int($0) }), let etag = entry.value("ETag") else {
                throw S3Errors.malformedXML()
            }
            requested.append((number, etag, try MultipartChecksum.listedChecksum(entry, part: number, etag: etag,
                                                                                  of: upload)))
        }
        guard !requested.isEmpty else {
            throw S3Errors.invalidRequest("You must specify at least one part")
        }
        for (previous, next) in zip(requested, requested.dropFirst()) where next.number <= previous.number {
            throw S3Errors.invalidPartOrder(uploadId: upload.uploadId)
        }
        // With additional checksums the parts are numbered from 1 without gaps.
        if upload.checksumAlgorithm != nil, requested.enumerated().contains(where: { $0.element.number != $0.offset + 1 }) {
            throw S3Errors.invalidPartOrder(uploadId: upload.uploadId)
        }
        let wholeChecksum = try MultipartChecksum.WholeObjectClaim(request)
        let now = self.now
        let (object, retired) = try store.update { state throws(AWSError) -> (S3Object, [String]) in
            let versioning = try state.versioning(of: name)
            guard state.uploads[upload.uploadId] != nil else { throw S3Errors.noSuchUpload(upload.uploadId) }
            let uploaded = state.parts[upload.uploadId] ?? [:]
            var chosen: [UploadedPart] = []
            for entry in requested {
                guard let part = uploaded[entry.number], ETagMatch.matches(entry.etag, part.etag),
                    entry.checksum == nil || entry.checksum == part.checksum
                else {
                    throw S3Errors.invalidPart(uploadId: upload.uploadId, partNumber: entry.number, etag: entry.etag)
                }
                chosen.append(part)
            }
            for part in chosen.dropLast() where part.size < Self.minimumPartSize {
                throw S3Errors.entityTooSmall(proposedSize: part.size, minimum: Self.minimumPartSize,
                                              partNumber: part.partNumber, etag: part.etag)
            }
            let existing = state.objects[name]?[key]
            // A conditional completion conflicts with a write or delete of the key since the upload began: S3
            // answers 409 rather than judge the condition against an object the upload never saw.
            if let condition = conditions.ifMatch != nil ? "If-Match" : conditions.ifNoneMatch != nil ? "If-None-Match" : nil,
                let atStart = upload.objectAtStart, atStart != (existing?.writeFingerprint ?? "")
            {
                throw AWSError("ConditionalRequestConflict", "The conditional request cannot succeed due to a "
                    + "conflicting operation against this resource.", status: 409,
                               fields: [AWSErrorField("Condition", condition), AWSErrorField("Key", key)])
            }
            try conditions.verify(existing)
            var digests: [UInt8] = []
            for part in chosen { digests += Hex.decode(part.etag) ?? [] }
            let checksum = MultipartChecksum.objectChecksum(of: chosen, upload: upload)
            try wholeChecksum?.verify(checksum, parts: chosen.count, upload: upload)
            let size = chosen.reduce(0) { $0 + $1.size }
            // x-amz-mp-object-size: the size the caller expects the object to have.
            if let claimed = request.header("x-amz-mp-object-size"), Int64(claimed.trimmingSpaces()) != size {
                throw S3Errors.invalidRequest("The provided 'x-amz-mp-object-size' header value \(claimed) does not "
                    + "match what was computed: \(size)")
            }
            let object = S3Object(bucket: name, key: key, size: size,
                                  etag: "\(Hex.encode(MD5.digest(digests)))-\(chosen.count)", lastModified: now,
                                  headers: upload.headers, storageClass: upload.storageClass,
                                  blobs: chosen.map(\.blob), partsCount: chosen.count, encryption: upload.encryption,
                                  checksum: checksum,
                                  partChecksums: upload.checksumAlgorithm == nil || checksum == nil
                                      ? nil : chosen.compactMap(\.checksum))
            let kept = Set(chosen.map(\.partNumber))
            var retired: [String] = []
            for part in uploaded.values {
                try S3Persistence.part(context, uploadId: upload.uploadId, number: part.partNumber, nil)
                if !kept.contains(part.partNumber) { retired.append(part.blob.id) }
            }
            try S3Persistence.upload(context, upload.uploadId, nil)
            let (stored, replaced) = try state.putLatest(object, versioning: versioning, context)
            state.parts[upload.uploadId] = nil
            state.uploads[upload.uploadId] = nil
            return (stored, retired + replaced)
        }
        blobs.retire(retired)
        var xml = XMLWriter(root: "CompleteMultipartUploadResult")
        let host = request.host.isEmpty ? "s3.amazonaws.com" : request.host
        xml.element("Location", "http://\(host)/\(name)/\(PercentEncoding.encodeForListing(key))")
        xml.element("Bucket", name)
        xml.element("Key", key)
        xml.element("ETag", object.quotedETag)
        object.checksum?.write(to: &xml)
        return xml.output(headers: object.encryption.responseHeaders() + Self.expirationHeader(object, in: bucket)
            + Self.versionHeader(object))
    }

    /// AbortMultipartUpload: the upload and its parts are gone; NoSuchUpload if it was not there.
    func abortMultipartUpload(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        _ = try requireBucket(name, context)
        let upload = try requireUpload(request, bucket: name, key: key)
        let retired = try store.update { state throws(AWSError) -> [String] in
            guard state.uploads[upload.uploadId] != nil else { throw S3Errors.noSuchUpload(upload.uploadId) }
            return try state.removeUpload(upload.uploadId, context)
        }
        blobs.retire(retired)
        return OperationOutput(body: [], status: 204)
    }

    /// The upload a request's `uploadId` names, which must be for this bucket and key.
    func requireUpload(_ request: S3Request, bucket: String, key: String) throws(AWSError) -> MultipartUpload {
        guard let id = request.query["uploadId"], let upload = store.read({ $0.uploads[id] }),
            upload.bucket == bucket, upload.key == key
        else { throw S3Errors.noSuchUpload(request.query["uploadId"] ?? "") }
        return upload
    }

    /// The upload's data key: from KMS (one Decrypt per part, as S3 calls it) or the host keyring. An upload
    /// under an unvalidated KMS key seals its parts under a throw-away key: they can never be read.
    func uploadKey(_ upload: MultipartUpload, region: String, _ context: RequestContext) throws(AWSError)
        -> [UInt8]
    {
        if upload.encryption.wrappedKey == nil, upload.encryption.usesKMS { return SecureRandom.bytes(32) }
        return try keys.dataKey(of: upload.encryption, arn: "arn:aws:s3:::\(upload.bucket)/\(upload.key)",
                                region: region, context)
    }

    /// An upload id as S3 makes them: long, URL-safe and unguessable.
    static func newUploadId() -> String {
        Base64.encode(SecureRandom.bytes(48)).replacing("+", with: "-")
            .replacing("/", with: "_")
    }
}
