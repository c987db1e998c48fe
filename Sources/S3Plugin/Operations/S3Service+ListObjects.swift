import EmuPluginKit

extension S3Service {
    /// ListObjectsV2 (`list-type=2`) and the original ListObjects: keys in UTF-8 byte order, `prefix`,
    /// `delimiter` rolled up into CommonPrefixes (each counting once toward `max-keys`), pages by
    /// continuation token (V2) or marker (V1), and `encoding-type=url`.
    func listObjects(_ request: S3Request, bucket name: String, v2: Bool, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        _ = try requireBucket(name, context)
        let query = request.query
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let encodeKeys = try PercentEncoding.isRequested(in: query)
        let maxKeys = try PartsPage.count(query["max-keys"], "max-keys", default: 1000, cap: 1000)
        let marker: ListingMarker?
        if v2 {
            if let token = query["continuation-token"] {
                guard let decoded = ListingMarker(token: token) else {
                    throw S3Errors.invalidArgument("The continuation token provided is incorrect",
                                                   argumentName: "continuation-token")
                }
                marker = decoded
            } else {
                marker = query["start-after"].map { ListingMarker(value: $0, isCommonPrefix: false) }
            }
        } else {
            marker = query["marker"].map { value in
                ListingMarker(value: value, isCommonPrefix: delimiter.map { value.hasSuffix($0) } ?? false)
            }
        }
        let objects = store.read { state in state.objects[name].map { Array($0.values) } ?? [] }
        let page = ListingPage(objects.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) },
                               prefix: prefix, delimiter: delimiter, after: marker, maxKeys: maxKeys)

        func encoded(_ text: String) -> String { encodeKeys ? PercentEncoding.encodeForListing(text) : text }
        let fetchOwner = !v2 || query["fetch-owner"] == "true"
        let owner = Self.canonicalUserId(context.accountId)
        var xml = XMLWriter(root: "ListBucketResult")
        xml.element("Name", name)
        xml.element("Prefix", encoded(prefix))
        if v2 {
            // StartAfter is echoed only on a first page: with a continuation token S3 leaves it out.
            if query["continuation-token"] == nil { xml.element("StartAfter", query["start-after"].map(encoded)) }
            xml.element("ContinuationToken", query["continuation-token"])
            if page.isTruncated, let last = page.last { xml.element("NextContinuationToken", last.token) }
            xml.element("KeyCount", page.contents.count + page.commonPrefixes.count)
        } else {
            xml.element("Marker", encoded(query["marker"] ?? ""))
            if page.isTruncated, delimiter != nil, let last = page.last { xml.element("NextMarker", encoded(last.value)) }
        }
        xml.element("MaxKeys", maxKeys)
        xml.element("Delimiter", delimiter.map(encoded))
        xml.element("EncodingType", encodeKeys ? "url" : nil)
        xml.element("IsTruncated", page.isTruncated)
        for object in page.contents {
            xml.group("Contents") { xml in
                xml.element("Key", encoded(object.key))
                xml.listingSummary(of: object)
                xml.element("StorageClass", object.storageClass)
                if fetchOwner { xml.group("Owner") { xml in xml.element("ID", owner) } }
            }
        }
        for commonPrefix in page.commonPrefixes {
            xml.group("CommonPrefixes") { xml in xml.element("Prefix", encoded(commonPrefix)) }
        }
        return xml.output()
    }
}

extension XMLWriter {
    /// What the objects and the versions listings both say of an object, in the order both give it:
    /// LastModified, ETag, the checksum's algorithm and type, Size.
    mutating func listingSummary(of object: S3Object) {
        element("LastModified", HTTPDate.iso8601(object.lastModified))
        element("ETag", object.quotedETag)
        if let checksum = object.checksum {
            element("ChecksumAlgorithm", checksum.algorithm.rawValue)
            element("ChecksumType", checksum.type.rawValue)
        }
        element("Size", object.size)
    }
}
