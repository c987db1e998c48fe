import EmuPluginKit

extension S3Service {
    /// DeleteObjects: the `<Delete>` batch of up to 1000 keys; every key is reported deleted (S3 does so for keys
    /// that did not exist too), and `<Quiet>true</Quiet>` reports only errors. Buckets here are never versioned, so
    /// an entry naming a version other than "null" is NoSuchVersion and removes nothing, as on AWS.
    func deleteObjects(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        // "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for all Multi-Object Delete requests."
        try ChecksumRequest.requireDocumentDigest(request, namingChecksums: false)
        let document = try XMLTag.parse(request.body)
        guard document.name == "Delete" else { throw S3Errors.malformedXML() }
        let quiet = document.value("Quiet")?.lowercased() == "true"
        let entries = document.children("Object")
        guard !entries.isEmpty, entries.count <= 1000 else { throw S3Errors.malformedXML() }
        var keys: [(key: String, versionId: String?)] = []
        // An object's ETag element makes its deletion conditional, as If-Match does for DeleteObject.
        var conditions: [String: WriteConditions] = [:]
        for entry in entries {
            // Keys keep their whitespace: only the element's own text counts.
            guard let key = entry.child("Key")?.text else { throw S3Errors.malformedXML() }
            keys.append((key, entry.value("VersionId")))
            if let etag = entry.value("ETag") { conditions[key] = WriteConditions(ifMatch: etag, key: key) }
        }
        var deletable: [String] = []
        var errors: [(key: String, versionId: String?, code: String, message: String)] = []
        // The entries refused before anything is removed, by position in the batch.
        var invalid = Set<Int>()
        for (index, entry) in keys.enumerated() {
            if entry.key.isEmpty {
                errors.append((entry.key, entry.versionId, "InvalidArgument", "Invalid key"))
            } else if entry.key.utf8.count > Self.maximumKeyBytes {
                errors.append((entry.key, entry.versionId, "KeyTooLongError", "Your key is too long"))
            } else if let version = entry.versionId, !version.isEmpty, version != "null" {
                errors.append((entry.key, entry.versionId, "NoSuchVersion", "The specified version does not exist."))
            } else {
                deletable.append(entry.key)
                continue
            }
            invalid.insert(index)
        }
        let (retired, refused) = try removeObjects(bucket: name, keys: deletable, conditions: conditions, context)
        blobs.retire(retired)
        for (index, entry) in keys.enumerated() where !invalid.contains(index) {
            if let error = refused[entry.key] { errors.append((entry.key, entry.versionId, error.code, error.message)) }
        }
        var xml = XMLWriter(root: "DeleteResult")
        if !quiet {
            for (index, entry) in keys.enumerated() where !invalid.contains(index) && refused[entry.key] == nil {
                xml.group("Deleted") { xml in
                    xml.element("Key", entry.key)
                    xml.element("VersionId", entry.versionId)
                }
            }
        }
        for error in errors {
            xml.group("Error") { xml in
                xml.element("Key", error.key)
                xml.element("VersionId", error.versionId)
                xml.element("Code", error.code)
                xml.element("Message", error.message)
            }
        }
        return xml.output()
    }
}
