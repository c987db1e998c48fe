/// An upload begun with CreateMultipartUpload: the object-to-be's headers, and the encryption every part is
/// sealed with (its data key is made once, here, as S3 does).
struct MultipartUpload: Codable, Sendable, Equatable {
    var uploadId: String
    var bucket: String
    var key: String
    var initiated: Int64
    /// Where the upload stands in the store's order of creation (the counter object versions use): uploads of one
    /// key begun in one millisecond list in the order they began, as S3 lists them by initiation time. nil in
    /// records kept before it was (it counts as the lowest).
    var sequence: Int64? = nil
    var initiatorArn: String
    var accountId: String
    var headers: ObjectHeaders
    var storageClass: String
    var encryption: ObjectEncryption
    /// The checksum CreateMultipartUpload asked for; every part must carry it. nil: S3's default, a CRC64NVME of
    /// the whole object, made from the parts' own.
    var checksumAlgorithm: ChecksumAlgorithm? = nil
    var checksumType: ChecksumType? = nil
    /// The object under the upload's key when the upload began (`S3Object.writeFingerprint`, "" for none): a conditional
    /// CompleteMultipartUpload conflicts with a write or delete made meanwhile. nil in records kept before it was.
    var objectAtStart: String? = nil

    /// `x-amz-checksum-algorithm` and `x-amz-checksum-type`, as CreateMultipartUpload answers them; none for an
    /// upload that asked for no algorithm.
    var checksumHeaders: [(String, String)] {
        guard let checksumAlgorithm, let checksumType else { return [] }
        return [("x-amz-checksum-algorithm", checksumAlgorithm.rawValue), ("x-amz-checksum-type", checksumType.rawValue)]
    }

    /// `<ChecksumAlgorithm>` and `<ChecksumType>`, as ListParts and ListMultipartUploads answer them; nothing for an
    /// upload that asked for no algorithm.
    func writeChecksumSettings(to xml: inout XMLWriter) {
        guard let checksumAlgorithm, let checksumType else { return }
        xml.element("ChecksumAlgorithm", checksumAlgorithm.rawValue)
        xml.element("ChecksumType", checksumType.rawValue)
    }

    /// The algorithm each part is checksummed with, for the object's checksum.
    var partAlgorithm: ChecksumAlgorithm { checksumAlgorithm ?? .crc64nvme }
}

/// One uploaded part, kept apart from its upload so that uploading a part writes one small record.
struct UploadedPart: Codable, Sendable, Equatable {
    var uploadId: String
    var partNumber: Int
    /// The part's MD5, hex, without quotes.
    var etag: String
    var lastModified: Int64
    var blob: BlobRef
    /// The part's checksum in its upload's `partAlgorithm`, base64; nil for parts stored before checksums were kept.
    var checksum: String? = nil

    var size: Int64 { blob.size }
}
