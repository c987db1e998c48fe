import EmuPluginKit

extension S3Service {
    /// The attributes GetObjectAttributes may ask for, in the order the response gives them.
    private enum ObjectAttribute: String, CaseIterable {
        case etag = "ETag", checksum = "Checksum", objectParts = "ObjectParts", storageClass = "StorageClass"
        case objectSize = "ObjectSize"
    }

    /// GetObjectAttributes (`GET /key?attributes`): what HEAD and ListParts would tell, for the attributes that
    /// `x-amz-object-attributes` names. A multipart object's parts are listed (by `x-amz-max-parts`, after
    /// `x-amz-part-number-marker`) only when it has additional checksums, as S3 lists them; its part count always.
    func getObjectAttributes(_ request: S3Request, bucket name: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        let names = (request.header("x-amz-object-attributes") ?? "").split(separator: ",")
            .map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !names.isEmpty else {
            throw S3Errors.invalidRequest(
                "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
        }
        let asked = Set(names.compactMap(ObjectAttribute.init(rawValue:)))
        guard asked.count == Set(names).count else { throw S3Errors.invalidArgument("Invalid attribute name specified.") }
        let maxParts = try PartsPage.count(request.header("x-amz-max-parts"), "x-amz-max-parts", default: 1000,
                                           cap: 1000)
        let marker = try PartsPage.count(request.header("x-amz-part-number-marker"), "x-amz-part-number-marker",
                                         default: 0)
        let object = try readableVersion(request, bucket: bucket, key: key)
        var xml = XMLWriter(root: "GetObjectAttributesResponse")
        for attribute in ObjectAttribute.allCases where asked.contains(attribute) {
            switch attribute {
            case .etag: xml.element("ETag", object.etag)
            case .checksum:
                // The value alone: a composite checksum's "-<parts>" suffix, which GET and HEAD show, is left out
                // here, as S3 leaves it out.
                if var checksum = object.checksum {
                    checksum.value = checksum.digestValue
                    xml.group("Checksum") { checksum.write(to: &$0) }
                }
            case .objectParts:
                if let count = object.partsCount { writeParts(of: object, count: count, max: maxParts, after: marker, &xml) }
            case .storageClass: xml.element("StorageClass", object.storageClass)
            case .objectSize: xml.element("ObjectSize", object.size)
            }
        }
        return xml.output(headers: [("Last-Modified", HTTPDate.rfc1123(object.lastModified))]
            + Self.versionHeader(object, in: bucket))
    }

    private func writeParts(of object: S3Object, count: Int, max maxParts: Int, after marker: Int,
                            _ xml: inout XMLWriter)
    {
        xml.group("ObjectParts") { xml in
            xml.element("PartsCount", count)
            guard let checksum = object.checksum, let values = object.partChecksums, values.count == count else { return }
            let numbers = marker < count ? Array((marker + 1)...count) : []
            let page = numbers.prefix(maxParts)
            PartsPage.writeHeader(marker: marker, last: page.last, maxParts: maxParts,
                                  truncated: numbers.count > page.count, to: &xml)
            for number in page {
                xml.group("Part") { xml in
                    xml.element("PartNumber", number)
                    xml.element("Size", object.blobs[number - 1].size)
                    xml.element(checksum.algorithm.elementName, values[number - 1])
                }
            }
        }
    }
}
