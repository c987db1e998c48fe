import EmuPluginKit

extension S3Service {
    /// ListObjectVersions (`GET /bucket?versions`): every version and delete marker, by key in UTF-8 byte order and
    /// newest first within a key, with S3's paging: `key-marker` resumes after a key, `version-id-marker` after that
    /// version of it. On a bucket whose versioning was never enabled each object is its one version, `null`.
    ///
    /// Clients call this even on unversioned buckets: boto3's `bucket.object_versions.delete()` and Terraform's
    /// `force_destroy` empty a bucket through it before deleting it.
    func listObjectVersions(_ request: S3Request, bucket name: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let query = request.query
        // S3 judges max-keys first, then the version marker, then the encoding.
        let maxKeys = try Self.versionListingMaxKeys(query["max-keys"])
        // An empty key-marker is a key-marker still, one that everything sorts after.
        let keyMarker = query["key-marker"]
        let versionMarker = query["version-id-marker"]
        if let versionMarker {
            guard keyMarker != nil else {
                throw S3Errors.invalidArgument("A version-id marker cannot be specified without a key marker.",
                                               argument: ("version-id-marker", versionMarker))
            }
            guard !versionMarker.isEmpty else {
                throw S3Errors.invalidArgument("A version-id marker cannot be empty.",
                                               argument: ("version-id-marker", versionMarker))
            }
            guard bucket.versioning != nil || versionMarker == "null" else {
                throw S3Errors.invalidArgument("Invalid version id specified",
                                               argument: ("version-id-marker", versionMarker))
            }
        }
        let encodeKeys = try PercentEncoding.isRequested(in: query)
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        // A key marker ending in the delimiter stands for a common prefix, unless a version marker names one of its
        // versions (a key such as "folder/" listed as a version of its own).
        let marker = keyMarker.flatMap { $0.isEmpty ? nil : $0 }.map { value in
            ListingMarker(value: value,
                          isCommonPrefix: versionMarker == nil && (delimiter.map { value.hasSuffix($0) } ?? false))
        }
        let (versions, latest) = store.read { state in
            let keys = Set((state.objects[name] ?? [:]).keys).union((state.history[name] ?? [:]).keys)
            var versions: [S3Object] = []
            var latest: [String: String] = [:]
            for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                let all = state.versions(bucket: name, key: key)
                latest[key] = all.first?.versionIdText
                versions += all
            }
            return (versions, latest)
        }
        // With a version marker the listing resumes inside the marker's key, after that version. When the key no
        // longer has it (a client that deletes each page before asking for the next, as boto3's
        // `object_versions.delete()` does), the key is listed again from its newest version: listing a version twice
        // costs such a client nothing, skipping one would leave it behind.
        var listed = versions[...]
        let resumeInMarkerKey = marker != nil && versionMarker != nil
        if let marker, let versionMarker {
            let start = listed.firstIndex { !$0.key.utf8.lexicographicallyPrecedes(marker.value.utf8) } ?? listed.endIndex
            let ofKey = listed[start...].prefix { $0.key == marker.value }
            if let at = ofKey.firstIndex(where: { $0.versionIdText == versionMarker }) { listed = listed[(at + 1)...] }
        }
        let page = ListingPage(Array(listed), prefix: prefix, delimiter: delimiter, after: marker, maxKeys: maxKeys,
                               keepingMarkerKey: resumeInMarkerKey)

        func encoded(_ text: String) -> String { encodeKeys ? PercentEncoding.encodeForListing(text) : text }
        let owner = Self.canonicalUserId(context.accountId)
        var xml = XMLWriter(root: "ListVersionsResult")
        xml.element("Name", name)
        xml.element("Prefix", encoded(prefix))
        xml.element("KeyMarker", encoded(keyMarker ?? ""))
        xml.element("VersionIdMarker", versionMarker ?? "")
        if page.isTruncated, let last = page.last {
            xml.element("NextKeyMarker", encoded(last.value))
            // A rolled-up prefix has no version of its own to resume after.
            if !last.isCommonPrefix { xml.element("NextVersionIdMarker", page.contents.last?.versionIdText) }
        }
        xml.element("MaxKeys", maxKeys)
        // An empty delimiter groups nothing but is echoed, as S3 echoes it.
        xml.element("Delimiter", query["delimiter"].map(encoded))
        xml.element("EncodingType", encodeKeys ? "url" : nil)
        xml.element("IsTruncated", page.isTruncated)
        for object in page.contents {
            let isLatest = latest[object.key] == object.versionIdText
            if object.isDeleteMarker {
                xml.group("DeleteMarker") { xml in
                    xml.element("Key", encoded(object.key))
                    xml.element("VersionId", object.versionIdText)
                    xml.element("IsLatest", isLatest)
                    xml.element("LastModified", HTTPDate.iso8601(object.lastModified))
                    xml.group("Owner") { xml in xml.element("ID", owner) }
                }
                continue
            }
            xml.group("Version") { xml in
                xml.element("Key", encoded(object.key))
                xml.element("VersionId", object.versionIdText)
                xml.element("IsLatest", isLatest)
                xml.listingSummary(of: object)
                // Owner before StorageClass: the order of S3's versions listing, not of its objects listing.
                xml.group("Owner") { xml in xml.element("ID", owner) }
                xml.element("StorageClass", object.storageClass)
            }
        }
        for commonPrefix in page.commonPrefixes {
            xml.group("CommonPrefixes") { xml in xml.element("Prefix", encoded(commonPrefix)) }
        }
        return xml.output()
    }

    /// ListObjectVersions' `max-keys`: 1000 when absent or empty, at most 1000, and refused as S3 refuses it when
    /// negative or not a 32-bit integer.
    static func versionListingMaxKeys(_ text: String?) throws(AWSError) -> Int {
        guard let text, !text.isEmpty else { return 1000 }
        guard let number = Int32(text) else {
            throw S3Errors.invalidArgument("Provided max-keys not an integer or within integer range",
                                           argument: ("max-keys", text))
        }
        guard number >= 0 else { throw S3Errors.invalidArgument("max-keys cannot be negative", argumentName: "max-keys") }
        return min(Int(number), 1000)
    }
}
