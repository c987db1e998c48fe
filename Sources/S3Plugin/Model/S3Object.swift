import EmuCrypto
import EmuPluginKit

/// One stored object: what HEAD answers, and where its encrypted body lies.
struct S3Object: Codable, Sendable, Equatable {
    var bucket: String
    var key: String
    /// Plaintext size in bytes.
    var size: Int64
    /// The ETag without quotes: the body's MD5 (an opaque value under SSE-KMS, see `ObjectEncryption.etag`), or for
    /// a multipart object `<md5 of the parts' md5s>-<n>`.
    var etag: String
    /// Milliseconds since 1970 on the host clock.
    var lastModified: Int64
    var headers: ObjectHeaders
    var storageClass: String
    /// The body, in order: one blob for a simple upload, one per part for a multipart upload (the parts are kept
    /// as they were sealed, so completing an upload copies nothing).
    var blobs: [BlobRef]
    /// The number of parts of a multipart object, nil for a simple one.
    var partsCount: Int?
    var encryption: ObjectEncryption
    /// The additional checksum; nil for objects stored before checksums were kept, and for a multipart object
    /// completed from a part stored before then.
    var checksum: StoredChecksum? = nil
    /// A multipart object's parts' checksums (base64, in the object checksum's algorithm), for a GET of one part.
    var partChecksums: [String]? = nil
    /// The version id S3 gave this version; nil for the null version (every object of a bucket whose versioning was
    /// never enabled, and what is written while it is suspended).
    var versionId: String? = nil
    /// true for a delete marker: a version with no body that hides the versions before it.
    var deleteMarker: Bool? = nil
    /// When the store took this version, among all its writes: a key's versions are newest first by it, also after a
    /// restart, when each comes back from a record of its own. nil for objects stored before versions were kept,
    /// which are older than any.
    var sequence: Int64? = nil

    /// The version id as S3 writes it: "null" for the null version.
    var versionIdText: String { versionId ?? "null" }
    var isDeleteMarker: Bool { deleteMarker == true }

    var arn: String { "arn:aws:s3:::\(bucket)/\(key)" }
    var quotedETag: String { "\"\(etag)\"" }
    /// Tells one write of the key from another (the same bytes written twice included): its ETag, time and blob.
    var writeFingerprint: String { "\(etag)/\(lastModified)/\(blobs.first?.id ?? "")" }
    /// Every byte of the body; nil for an empty one.
    var wholeRange: ClosedRange<Int64>? { size > 0 ? 0...(size - 1) : nil }
}

extension S3Object {
    /// A delete marker: what DeleteObject leaves as a key's latest version in a versioned bucket.
    /// (Its version id is given as it is stored, by `S3Store.State.putLatest`.)
    static func deleteMarker(bucket: String, key: String, lastModified: Int64) -> S3Object {
        S3Object(bucket: bucket, key: key, size: 0, etag: "", lastModified: lastModified,
                 headers: ObjectHeaders(metadata: [:]), storageClass: "STANDARD", blobs: [], partsCount: nil,
                 encryption: ObjectEncryption(algorithm: .aes256, bucketKeyEnabled: false), deleteMarker: true)
    }

    /// The characters of S3's version ids (32 of them, e.g. `.1HsQR7cm1P5ThXEsAZs83vpc4nayMJa`).
    private static let versionIdAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._".utf8)

    /// A new version id of S3's form, unguessable and never "null".
    static func newVersionId() -> String {
        String(decoding: SecureRandom.publicBytes(32).map { versionIdAlphabet[Int($0) % versionIdAlphabet.count] },
               as: UTF8.self)
    }

    /// Whether `id` has the form of an S3 version id. S3 refuses ids of another form as invalid, not as missing.
    static func isWellFormedVersionId(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy(versionIdAlphabet.contains)
    }
}

/// One sealed body in the blob store, and its plaintext size.
struct BlobRef: Codable, Sendable, Equatable {
    var id: String
    var size: Int64
}

/// The representation headers and user metadata an object was stored with, answered back on GET and HEAD.
struct ObjectHeaders: Codable, Sendable, Equatable {
    var contentType: String?
    var cacheControl: String?
    var contentDisposition: String?
    var contentEncoding: String?
    var contentLanguage: String?
    var expires: String?
    var websiteRedirectLocation: String?
    /// `x-amz-meta-*` without the prefix, names lower-cased as S3 stores them.
    var metadata: [String: String]
    /// The object's tags (`x-amz-tagging`, PutObjectTagging); nil when it has none.
    var tags: [S3Tag]? = nil
}
