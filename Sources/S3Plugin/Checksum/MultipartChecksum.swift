import EmuPluginKit

/// S3's additional checksums in a multipart upload: what CreateMultipartUpload may ask for, what each part must
/// carry, what CompleteMultipartUpload lists and claims, and the object's checksum made from the parts'.
enum MultipartChecksum {
    /// The algorithm and type CreateMultipartUpload asks for (`x-amz-checksum-algorithm`, `x-amz-checksum-type`);
    /// nil when it asks for none, which leaves S3's default.
    static func requested(_ request: S3Request) throws(AWSError) -> (algorithm: ChecksumAlgorithm, type: ChecksumType)? {
        let named = try ChecksumType.named(in: request)
        guard let algorithm = try ChecksumAlgorithm.named(in: request) else {
            guard named == nil else {
                throw S3Errors.invalidRequest(
                    "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
            }
            return nil
        }
        let type = named ?? algorithm.defaultMultipartType
        // A full-object checksum is made by combining CRCs; CRC64NVME exists only as one.
        if (type == .fullObject && !algorithm.isCRC) || (type == .composite && algorithm == .crc64nvme) {
            throw S3Errors.invalidRequest("The \(type.rawValue) checksum type cannot be used with the "
                + "\(algorithm.rawValue.lowercased()) checksum algorithm.")
        }
        return (algorithm, type)
    }

    /// UploadPart into an upload that asked for an algorithm must carry a checksum of it.
    static func requirePartChecksum(_ checksum: ChecksumRequest, of upload: MultipartUpload) throws(AWSError) {
        guard let expected = upload.checksumAlgorithm, !(checksum.isFromClient && checksum.algorithm == expected) else {
            return
        }
        let actual = checksum.isFromClient ? checksum.algorithm.rawValue.lowercased() : "null"
        throw S3Errors.invalidRequest("Checksum Type mismatch occurred, expected checksum Type: "
            + "\(expected.rawValue.lowercased()), actual checksum Type: \(actual)")
    }

    /// The checksum a CompleteMultipartUpload `<Part>` lists in its upload's algorithm (nil for an upload without
    /// one, whose parts list none).
    /// - Throws: InvalidArgument for a malformed value or two of them; InvalidRequest when the upload's algorithm
    ///   is missing; BadDigest for a value of another algorithm; InvalidPart for a checksum listed in an upload
    ///   created without an algorithm, as S3 answers it.
    static func listedChecksum(_ entry: XMLTag, part: Int, etag: String, of upload: MultipartUpload) throws(AWSError)
        -> String?
    {
        let listed = ChecksumAlgorithm.allCases.compactMap { algorithm in
            entry.value(algorithm.elementName).map { (algorithm: algorithm, value: $0.trimmingSpaces()) }
        }
        let malformed = S3Errors.invalidArgument("Invalid Base64 or multiple checksums present in request")
        guard listed.count <= 1 else { throw malformed }
        if let entry = listed.first, (try? ChecksumRequest.digest(entry.value, entry.algorithm)) == nil { throw malformed }
        guard let expected = upload.checksumAlgorithm else {
            if listed.isEmpty { return nil }
            throw S3Errors.invalidPart(uploadId: upload.uploadId, partNumber: part, etag: etag)
        }
        guard let entry = listed.first else {
            throw S3Errors.invalidRequest("The upload was created using a \(expected.rawValue.lowercased()) checksum. "
                + "The complete request must include the checksum for each part. It was missing for part \(part) "
                + "in the request.")
        }
        guard entry.algorithm == expected else {
            throw S3Errors.badDigest("The \(entry.algorithm.rawValue.lowercased()) you specified for part \(part) "
                + "did not match what we received.")
        }
        return entry.value
    }

    /// The object's checksum from its parts': COMPOSITE is the checksum of the parts' digests one after another,
    /// then `-<parts>`; FULL_OBJECT combines the parts' CRCs into the whole body's. Without an algorithm it is
    /// S3's default, a full-object CRC64NVME. nil when a part has none (stored before checksums were kept).
    static func objectChecksum(of parts: [UploadedPart], upload: MultipartUpload) -> StoredChecksum? {
        let algorithm = upload.partAlgorithm
        var digests: [[UInt8]] = []
        for part in parts {
            guard let value = part.checksum, let digest = Base64.decode(value) else { return nil }
            digests.append(digest)
        }
        switch upload.checksumType ?? .fullObject {
        case .composite:
            guard let digest = ChecksumHasher.value(of: Array(digests.joined())[...], algorithm) else { return nil }
            return StoredChecksum(algorithm: algorithm, value: "\(Base64.encode(digest))-\(parts.count)",
                                  type: .composite)
        case .fullObject:
            let sized = zip(digests, parts).map { (digest: $0, size: $1.size) }
            guard let digest = CRCCombination.combine(algorithm, sized) else { return nil }
            return StoredChecksum(algorithm: algorithm, value: Base64.encode(digest), type: .fullObject)
        }
    }

    /// The whole-object checksum a CompleteMultipartUpload may claim (`x-amz-checksum-<algorithm>`, a composite
    /// one with or without `-<parts>`, and `x-amz-checksum-type`), checked against the one the parts make.
    struct WholeObjectClaim {
        let algorithm: ChecksumAlgorithm?
        let digest: [UInt8]
        let parts: Int?
        let type: ChecksumType?

        /// nil when the request claims nothing.
        init?(_ request: S3Request) throws(AWSError) {
            let claimed = ChecksumAlgorithm.sent(in: request)
            let named = try ChecksumType.named(in: request)
            guard !claimed.isEmpty || named != nil else { return nil }
            guard claimed.count <= 1 else { throw ChecksumRequest.multipleChecksums() }
            type = named
            algorithm = claimed.first?.algorithm
            guard let algorithm else {
                digest = []
                parts = nil
                return
            }
            var text = claimed[0].value.trimmingSpaces()[...]
            var count: Int?
            if let dash = text.lastIndex(of: "-") {
                guard let number = Int(text[text.index(after: dash)...]), number > 0 else {
                    throw S3Errors.invalidRequest("Value for \(algorithm.headerName) header is invalid.")
                }
                count = number
                text = text[..<dash]
            }
            digest = try ChecksumRequest.digest(String(text), algorithm)
            parts = count
        }

        /// - Throws: InvalidRequest when the claimed type is not the one the upload was created with (an upload
        ///   without an algorithm has none, "null"); BadDigest when the claim is not the checksum the parts make.
        func verify(_ checksum: StoredChecksum?, parts count: Int, upload: MultipartUpload) throws(AWSError) {
            if let type, type != upload.checksumType {
                throw S3Errors.invalidRequest("The upload was created using the \(upload.checksumType?.rawValue ?? "null") "
                    + "checksum mode. The complete request must use the same checksum mode.")
            }
            guard let algorithm else { return }
            let mismatch = ChecksumRequest.badDigest(algorithm, lowercased: true)
            // `-<parts>` belongs to a composite checksum only, and must count the parts.
            guard let checksum, checksum.algorithm == algorithm,
                parts == nil || (checksum.type == .composite && parts == count)
            else { throw mismatch }
            guard Base64.decode(checksum.digestValue) == digest else { throw mismatch }
        }
    }
}
