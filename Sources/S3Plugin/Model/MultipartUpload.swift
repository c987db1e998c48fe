/// An upload begun with CreateMultipartUpload: the object-to-be's headers, and the encryption every part is
/// sealed with (its data key is made once, here, as S3 does).
struct MultipartUpload: Codable, Sendable, Equatable {
    var uploadId: String
    var bucket: String
    var key: String
    var initiated: Int64
    var initiatorArn: String
    var accountId: String
    var headers: ObjectHeaders
    var storageClass: String
    var encryption: ObjectEncryption
}

/// One uploaded part, kept apart from its upload so that uploading a part writes one small record.
struct UploadedPart: Codable, Sendable, Equatable {
    var uploadId: String
    var partNumber: Int
    /// The part's MD5, hex, without quotes.
    var etag: String
    var lastModified: Int64
    var blob: BlobRef

    var size: Int64 { blob.size }
}
