import EmuPluginKit

extension S3Service {
    /// ListParts: the parts uploaded so far, by number, in pages (`max-parts`, `part-number-marker`).
    func listParts(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        _ = try requireBucket(name, context)
        let upload = try requireUpload(request, bucket: name, key: key)
        let maxParts = try PartsPage.count(request.query["max-parts"], "max-parts", default: 1000, cap: 1000)
        let marker = try PartsPage.count(request.query["part-number-marker"], "part-number-marker", default: 0)
        let parts = store.read { $0.parts[upload.uploadId].map { Array($0.values) } ?? [] }
            .filter { $0.partNumber > marker }.sorted { $0.partNumber < $1.partNumber }
        let page = parts.prefix(maxParts)
        let truncated = parts.count > page.count
        let owner = Self.canonicalUserId(upload.accountId)
        var xml = XMLWriter(root: "ListPartsResult")
        xml.element("Bucket", name)
        xml.element("Key", key)
        xml.element("UploadId", upload.uploadId)
        PartsPage.writeHeader(marker: marker, last: page.last?.partNumber, maxParts: maxParts, truncated: truncated,
                              to: &xml)
        for part in page {
            xml.group("Part") { xml in
                xml.element("PartNumber", part.partNumber)
                xml.element("LastModified", HTTPDate.iso8601(part.lastModified))
                xml.element("ETag", "\"\(part.etag)\"")
                xml.element("Size", part.size)
                if let algorithm = upload.checksumAlgorithm, let value = part.checksum {
                    xml.element(algorithm.elementName, value)
                }
            }
        }
        xml.group("Initiator") { xml in
            xml.element("ID", upload.initiatorArn.isEmpty ? owner : upload.initiatorArn)
        }
        xml.group("Owner") { xml in xml.element("ID", owner) }
        xml.element("StorageClass", upload.storageClass)
        upload.writeChecksumSettings(to: &xml)
        return xml.output()
    }

    /// ListMultipartUploads: the bucket's unfinished uploads by key, then by start time, with `prefix`,
    /// `key-marker` / `upload-id-marker` and `max-uploads`; a `delimiter` rolls the keys that contain it after the
    /// prefix up into CommonPrefixes, each counted once toward `max-uploads`, as ListObjects does.
    func listMultipartUploads(_ request: S3Request, bucket name: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        _ = try requireBucket(name, context)
        let delimiter = request.query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let prefix = request.query["prefix"] ?? ""
        let maxUploads = try PartsPage.count(request.query["max-uploads"], "max-uploads", default: 1000, cap: 1000)
        let keyMarker = request.query["key-marker"] ?? ""
        // An upload-id-marker counts only beside a key-marker (S3 echoes it as empty otherwise).
        let idMarker = keyMarker.isEmpty ? nil : request.query["upload-id-marker"].flatMap { $0.isEmpty ? nil : $0 }
        let encodeKeys = try PercentEncoding.isRequested(in: request.query)
        func encoded(_ text: String) -> String { encodeKeys ? PercentEncoding.encodeForListing(text) : text }
        let uploads = store.read { state in state.uploads.values.filter { $0.bucket == name } }
            .filter { $0.key.utf8.starts(with: prefix.utf8) }
            .sorted {
                ($0.key, $0.initiated, $0.sequence ?? 0, $0.uploadId) < ($1.key, $1.initiated, $1.sequence ?? 0, $1.uploadId)
            }
        var remaining = uploads[...]
        // A key marker that is a common prefix (the last entry of a previous page) covers every key under it.
        let marker = keyMarker.isEmpty ? nil
            : ListingMarker(value: keyMarker, isCommonPrefix: delimiter.map(keyMarker.hasSuffix) ?? false)
        if let marker {
            if let idMarker, let index = uploads.firstIndex(where: { $0.key == keyMarker && $0.uploadId == idMarker }) {
                remaining = uploads[(index + 1)...]
            } else if let idMarker, uploads.contains(where: { $0.uploadId == idMarker }) {
                // Another key's upload is refused as S3 refuses it; one that is gone (aborted by a cleanup loop
                // while it pages) lets the listing go on after the key.
                throw S3Errors.invalidArgument("Invalid uploadId marker", argument: ("upload-id-marker", idMarker))
            } else {
                remaining = uploads.drop { marker.covers($0.key) }
            }
        }
        var entries: [(upload: MultipartUpload?, commonPrefix: String?)] = []
        var truncated = false
        let delimiterBytes = delimiter.map { Array($0.utf8) }
        for upload in remaining {
            let rolledUp = delimiterBytes.flatMap {
                ListingPage.commonPrefix(of: Array(upload.key.utf8), prefixLength: prefix.utf8.count, delimiter: $0)
            }
            if let rolledUp, entries.last?.commonPrefix == rolledUp { continue }
            // As ListObjects: a common prefix at or before the key-marker (a key inside it) was listed already.
            if let rolledUp, let marker, marker.covers(rolledUp) { continue }
            guard entries.count < maxUploads else {
                // As ListObjects answers MaxKeys=0: an empty page, not truncated (there is no marker to go on from).
                truncated = maxUploads > 0
                break
            }
            entries.append(rolledUp.map { (nil, $0) } ?? (upload, nil))
        }
        var xml = XMLWriter(root: "ListMultipartUploadsResult")
        xml.element("Bucket", name)
        xml.element("KeyMarker", encoded(keyMarker))
        xml.element("UploadIdMarker", idMarker ?? "")
        // Always there, as S3 answers them: the last entry's key and upload id, empty when there is none.
        xml.element("NextKeyMarker", encoded(entries.last.map { $0.upload?.key ?? $0.commonPrefix ?? "" } ?? ""))
        xml.element("NextUploadIdMarker", entries.last?.upload?.uploadId ?? "")
        if let delimiter { xml.element("Delimiter", encoded(delimiter)) }
        if request.query["prefix"] != nil { xml.element("Prefix", encoded(prefix)) }
        if encodeKeys { xml.element("EncodingType", "url") }
        xml.element("MaxUploads", maxUploads)
        xml.element("IsTruncated", truncated)
        for upload in entries.compactMap(\.upload) {
            let owner = Self.canonicalUserId(upload.accountId)
            xml.group("Upload") { xml in
                xml.element("Key", encoded(upload.key))
                xml.element("UploadId", upload.uploadId)
                xml.group("Initiator") { xml in
                    xml.element("ID", upload.initiatorArn.isEmpty ? owner : upload.initiatorArn)
                }
                xml.group("Owner") { xml in xml.element("ID", owner) }
                xml.element("StorageClass", upload.storageClass)
                xml.element("Initiated", HTTPDate.iso8601(upload.initiated))
                upload.writeChecksumSettings(to: &xml)
            }
        }
        for commonPrefix in entries.compactMap(\.commonPrefix) {
            xml.group("CommonPrefixes") { xml in xml.element("Prefix", encoded(commonPrefix)) }
        }
        return xml.output()
    }
}
