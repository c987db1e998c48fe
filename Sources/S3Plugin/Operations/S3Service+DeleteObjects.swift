import EmuPluginKit

extension S3Service {
    /// DeleteObjects: the `<Delete>` batch of up to 1000 keys; every key is reported deleted (S3 does so for keys
    /// that did not exist too), and `<Quiet>true</Quiet>` reports only errors. An entry's VersionId removes that
    /// version; on a bucket whose versioning was never enabled only "null" exists, and there, as for an id not of S3's
    /// form anywhere, another id is NoSuchVersion and removes nothing, as on AWS.
    func deleteObjects(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        let bucket = try requireBucket(name, context)
        // "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for all Multi-Object Delete requests."
        try ChecksumRequest.requireDocumentDigest(request, namingChecksums: false)
        let document = try XMLTag.parse(request.body)
        guard document.name == "Delete" else { throw S3Errors.malformedXML() }
        let quiet = document.value("Quiet")?.lowercased() == "true"
        let entries = document.children("Object")
        guard !entries.isEmpty, entries.count <= 1000 else { throw S3Errors.malformedXML() }
        var keys: [ObjectDeletion.Request] = []
        // The same key and version twice is deleted (and reported) once, as S3 does.
        var named = Set<String>()
        for entry in entries {
            // Keys keep their whitespace: only the element's own text counts.
            guard let key = entry.child("Key")?.text else { throw S3Errors.malformedXML() }
            let versionId = entry.value("VersionId").flatMap { $0.isEmpty ? nil : $0 }
            guard named.insert(key + "\u{0}" + (versionId ?? "\u{0}")).inserted else { continue }
            // An object's ETag element makes its deletion conditional, as If-Match does for DeleteObject.
            keys.append(ObjectDeletion.Request(key: key, versionId: versionId,
                                               condition: entry.value("ETag").map { WriteConditions(ifMatch: $0, key: key) }))
        }
        // Each entry's outcome or error, by position: entries refused here are not passed on to be removed.
        var results = [Result<ObjectDeletion.Outcome, AWSError>?](repeating: nil, count: keys.count)
        var deletable: [Int] = []
        for (index, entry) in keys.enumerated() {
            if entry.key.isEmpty {
                results[index] = .failure(AWSError("InvalidArgument", "Invalid key"))
            } else if entry.key.utf8.count > Self.maximumKeyBytes {
                results[index] = .failure(AWSError("KeyTooLongError", "Your key is too long"))
            } else if let version = entry.versionId, (try? Self.checkVersionId(version, in: bucket)) == nil {
                // What DeleteObject refuses as an invalid version id, an entry reports as a version that is not there.
                results[index] = .failure(AWSError("NoSuchVersion", "The specified version does not exist."))
            } else {
                deletable.append(index)
            }
        }
        let outcomes = try removeObjects(bucket: name, deletable.map { keys[$0] }, context)
        for (index, outcome) in zip(deletable, outcomes) { results[index] = outcome }
        var xml = XMLWriter(root: "DeleteResult")
        if !quiet {
            for (entry, result) in zip(keys, results) {
                guard case .success(let outcome)? = result else { continue }
                xml.group("Deleted") { xml in
                    xml.element("Key", entry.key)
                    xml.element("VersionId", entry.versionId)
                    if outcome.deleteMarker {
                        xml.element("DeleteMarker", true)
                        xml.element("DeleteMarkerVersionId", outcome.markerVersionId)
                    }
                }
            }
        }
        for (entry, result) in zip(keys, results) {
            guard case .failure(let error)? = result else { continue }
            xml.group("Error") { xml in
                xml.element("Key", entry.key)
                xml.element("VersionId", entry.versionId)
                xml.element("Code", error.code)
                xml.element("Message", error.message)
            }
        }
        return xml.output()
    }
}
