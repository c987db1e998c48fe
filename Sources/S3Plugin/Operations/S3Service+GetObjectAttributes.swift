import EmuPluginKit

extension S3Service {
    /// The attributes GetObjectAttributes may ask for, in the order the response gives them.
    private static let objectAttributes = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]

    /// GetObjectAttributes (`GET /key?attributes`): what HEAD and ListParts would tell, for the attributes that
    /// `x-amz-object-attributes` names. A multipart object's parts are listed (by `x-amz-max-parts`, after
    /// `x-amz-part-number-marker`) only when it has additional checksums, as S3 lists them; its part count always.
    func getObjectAttributes(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        _ = try requireBucket(name, context)
        let asked = Set((request.header("x-amz-object-attributes") ?? "").split(separator: ",")
            .map { $0.trimmingSpaces() }.filter { !$0.isEmpty })
        guard !asked.isEmpty else {
            throw S3Errors.invalidRequest(
                "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
        }
        guard asked.isSubset(of: Self.objectAttributes) else {
            throw S3Errors.invalidArgument("Invalid attribute name specified.")
        }
        let maxParts = try headerCount(request, "x-amz-max-parts", default: 1000, cap: 1000)
        let marker = try headerCount(request, "x-amz-part-number-marker", default: 0, cap: 10000)
        guard let object = store.read({ $0.objects[name]?[key] }) else { throw S3Errors.noSuchKey() }
        var xml = XMLWriter(root: "GetObjectAttributesResponse")
        for attribute in Self.objectAttributes where asked.contains(attribute) {
            switch attribute {
            case "ETag": xml.element("ETag", object.etag)
            case "Checksum":
                if let checksum = object.checksum { xml.group("Checksum") { checksum.write(to: &$0) } }
            case "ObjectParts":
                if let count = object.partsCount { writeParts(of: object, count: count, max: maxParts, after: marker, &xml) }
            case "StorageClass": xml.element("StorageClass", object.storageClass)
            default: xml.element("ObjectSize", object.size)
            }
        }
        return xml.output(headers: [("Last-Modified", HTTPDate.rfc1123(object.lastModified))])
    }

    private func writeParts(of object: S3Object, count: Int, max maxParts: Int, after marker: Int,
                            _ xml: inout XMLWriter)
    {
        xml.group("ObjectParts") { xml in
            xml.element("PartsCount", count)
            guard let checksum = object.checksum, let values = object.partChecksums, values.count == count else { return }
            let numbers = marker < count ? Array((marker + 1)...count) : []
            let page = numbers.prefix(maxParts)
            xml.element("PartNumberMarker", marker)
            if let last = page.last { xml.element("NextPartNumberMarker", last) }
            xml.element("MaxParts", maxParts)
            xml.element("IsTruncated", numbers.count > page.count)
            for number in page {
                xml.group("Part") { xml in
                    xml.element("PartNumber", number)
                    xml.element("Size", object.blobs[number - 1].size)
                    xml.element(checksum.algorithm.elementName, values[number - 1])
                }
            }
        }
    }

    /// A non-negative count from a header (`x-amz-max-parts`, `x-amz-part-number-marker`), at most `cap`.
    private func headerCount(_ request: S3Request, _ name: String, default value: Int, cap: Int) throws(AWSError)
        -> Int
    {
        guard let text = request.header(name) else { return value }
        guard let number = Int(text.trimmingSpaces()), number >= 0 else {
            throw S3Errors.invalidArgument("Provided \(name) not an integer or within integer range")
        }
        return min(number, cap)
    }
}
