import EmuPluginKit

extension S3Service {
    /// GetObject and HeadObject: conditions, `Range` or `partNumber`, then (GET only) the data key from KMS or
    /// the host keyring and the decrypted bytes. HEAD never needs the key, as in S3.
    func getObject(_ request: S3Request, bucket name: String, key: String, headOnly: Bool,
                   _ context: RequestContext) throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let object = try readableVersion(request, bucket: bucket, key: key)
        let checksumMode = request.header("x-amz-checksum-mode")
        guard checksumMode == nil || checksumMode?.uppercased() == "ENABLED" else {
            throw S3Errors.invalidRequest("Value for x-amz-checksum-mode header is invalid.")
        }
        var headers: [(String, String)] = [
            ("Last-Modified", HTTPDate.rfc1123(object.lastModified)), ("ETag", object.quotedETag),
        ]
        switch try ReadConditions(request).evaluate(object, now: now) {
        case .proceed: break
        case .notModified: return OperationOutput(body: [], status: 304, headers: headers)
        }
        if !headOnly, StorageClass.archived.contains(object.storageClass) {
            throw S3Errors.invalidObjectState(storageClass: object.storageClass)
        }
        var range = object.wholeRange
        var status: UInt32 = 200
        var partNumber: Int?
        if let partText = request.query["partNumber"] {
            guard request.header("Range") == nil else {
                throw S3Errors.invalidRequest("Cannot specify both Range header and partNumber query parameter")
            }
            guard let part = Int(partText), (1...10000).contains(part) else {
                throw S3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                                               argument: ("partNumber", partText))
            }
            range = try partRange(object, part: part)
            partNumber = part
            status = 206
            // Only a multipart object has parts to count (S3 sends no PartsCount for a simple object's part 1).
            if let count = object.partsCount { headers.append(("x-amz-mp-parts-count", String(count))) }
        } else if let header = request.header("Range") {
            switch ByteRange.parse(header, size: object.size) {
            case .whole: break
            case .bytes(let bytes):
                range = bytes
                status = 206
            case .unsatisfiable: throw S3Errors.invalidRange(requested: header, objectSize: object.size)
            }
        }
        if status == 206, let range {
            headers.append(("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound)/\(object.size)"))
        }
        headers.append(("Accept-Ranges", "bytes"))
        headers += object.headers.responseHeaders(overrides: request.query)
        headers += object.encryption.responseHeaders()
        headers += Self.expirationHeader(object, in: bucket) + Self.versionHeader(object, in: bucket)
        if object.storageClass != "STANDARD" { headers.append(("x-amz-storage-class", object.storageClass)) }
        if checksumMode != nil { headers += checksumHeaders(object, range: range, part: partNumber) }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        if headOnly {
            headers.append(("Content-Length", String(length)))
            return OperationOutput(body: [], status: status, headers: headers)
        }
        guard let range else { return OperationOutput(body: [], status: status, headers: headers) }
        var dataKey = try keys.dataKey(of: object.encryption, arn: object.arn, region: bucket.region, context)
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        if length > Int64(BlobCipher.chunkSize) {
            // More than a chunk: the host pulls it piece by piece as the client reads, so memory stays flat.
            let source = ObjectBodySource(store: blobs, key: dataKey, blobs: object.blobs, range: range)
            return OperationOutput(streaming: source, status: status, headers: headers)
        }
        let body = try BodyOpener(store: blobs, key: dataKey).read(object.blobs, range: range)
        return OperationOutput(body: body, status: status, headers: headers)
    }

    /// The checksum a GET or HEAD with `x-amz-checksum-mode: ENABLED` reports: the object's when the whole body
    /// is asked for, a multipart object's part's when one part is, none for any other range.
    private func checksumHeaders(_ object: S3Object, range: ClosedRange<Int64>?, part: Int?) -> [(String, String)] {
        guard let checksum = object.checksum else { return [] }
        if let part, let values = object.partChecksums {
            guard part <= values.count else { return [] }
            return StoredChecksum(algorithm: checksum.algorithm, value: values[part - 1], type: checksum.type)
                .responseHeaders
        }
        return range == object.wholeRange ? checksum.responseHeaders : []
    }

    /// The bytes of part `part` of an object: a multipart object's part boundaries, or the whole of a simple
    /// object as its only part.
    private func partRange(_ object: S3Object, part: Int) throws(AWSError) -> ClosedRange<Int64>? {
        let sizes = object.partsCount == nil ? [object.size] : object.blobs.map(\.size)
        guard part <= sizes.count else {
            throw AWSError("InvalidPartNumber", "The requested partnumber is not satisfiable", status: 416,
                           fields: [AWSErrorField("PartNumberRequested", String(part)),
                                    AWSErrorField("ActualPartCount", String(sizes.count))])
        }
        let start = sizes.prefix(part - 1).reduce(0, +)
        let size = sizes[part - 1]
        return size > 0 ? start...(start + size - 1) : nil
    }

    /// DeleteObject: 204 whether or not the key exists, unless an `If-Match` ETag (S3's conditional delete) makes it
    /// fail rather than delete an object that changed (412) or is gone (404). In a versioned bucket it leaves a delete
    /// marker, or with `versionId` removes that version for good.
    func deleteObject(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let versionId = request.query["versionId"]
        if let versionId { try Self.checkVersionId(versionId, in: bucket) }
        let condition = request.header("If-Match").map { WriteConditions(ifMatch: $0, key: key) }
        let outcome = try removeObjects(
            bucket: name, [ObjectDeletion.Request(key: key, versionId: versionId, condition: condition)], context)[0].get()
        var headers: [(String, String)] = []
        if outcome.deleteMarker { headers.append(("x-amz-delete-marker", "true")) }
        if let version = outcome.markerVersionId ?? (bucket.versioning == nil ? nil : versionId) {
            headers.append(("x-amz-version-id", version))
        }
        return OperationOutput(body: [], status: 204, headers: headers)
    }

    /// Deletes keys or versions within the request's persistence, in one step, each only if its condition (when
    /// given) still holds against the version it names, or the current object: a version named is removed for good;
    /// a key without one is removed, or under versioning hidden by a new delete marker.
    /// - Returns: each entry's outcome or error, in order.
    func removeObjects(bucket name: String, _ entries: [ObjectDeletion.Request], _ context: RequestContext)
        throws(AWSError) -> [Result<ObjectDeletion.Outcome, AWSError>]
    {
        let now = self.now
        let (outcomes, retired) = try store.update {
            state throws(AWSError) -> ([Result<ObjectDeletion.Outcome, AWSError>], [String]) in
            let versioning = try state.versioning(of: name)
            var outcomes: [Result<ObjectDeletion.Outcome, AWSError>] = []
            var retired: [String] = []
            for entry in entries {
                do throws(AWSError) {
                    // The condition is judged against the version the entry names, or the current object.
                    let target: S3Object?
                    if let id = entry.versionId {
                        target = state.version(bucket: name, key: entry.key, id: id)
                    } else {
                        target = state.objects[name]?[entry.key]
                    }
                    try entry.condition?.verify(target?.isDeleteMarker == true ? nil : target)
                } catch {
                    outcomes.append(.failure(error))
                    continue
                }
                if let id = entry.versionId {
                    let (removed, blobs) = try state.deleteVersion(bucket: name, key: entry.key, id: id, context)
                    retired += blobs
                    let marker = removed?.isDeleteMarker == true
                    outcomes.append(.success(ObjectDeletion.Outcome(deleteMarker: marker,
                                                                    markerVersionId: marker ? id : nil)))
                } else {
                    let (marker, blobs) = try state.deleteLatest(bucket: name, key: entry.key, versioning: versioning,
                                                                 now: now, context)
                    retired += blobs
                    outcomes.append(.success(ObjectDeletion.Outcome(deleteMarker: marker != nil,
                                                                    markerVersionId: marker?.versionIdText)))
                }
            }
            return (outcomes, retired)
        }
        blobs.retire(retired)
        return outcomes
    }
}
