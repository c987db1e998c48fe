import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// S3's conditional writes: `If-None-Match: *` (only if absent) and `If-Match: <etag>` (only if unchanged).
struct WriteConditions {
    var ifNoneMatch: String?
    var ifMatch: String?
    /// The object key the conditions are about, which NoSuchKey names.
    var key: String
    /// A write (PutObject, CopyObject, CompleteMultipartUpload), which refuses `If-Match: *`; a delete takes it.
    var isWrite = true

    init(_ request: S3Request) {
        ifNoneMatch = request.header("If-None-Match")
        ifMatch = request.header("If-Match")
        key = request.key ?? ""
    }

    /// Only `If-Match`: a conditional delete (DeleteObject's header, DeleteObjects' ETag per object).
    init(ifMatch: String, key: String) {
        self.ifMatch = ifMatch
        self.key = key
        isWrite = false
    }

    /// - Throws: S3's 501 NotImplemented, naming the header, for what a write does not take: both headers,
    ///   `If-Match: *`, or `If-None-Match` with anything but `*`; PreconditionFailed (412) or NoSuchKey when a
    ///   condition does not hold.
    func verify(_ existing: S3Object?) throws(AWSError) {
        if ifMatch != nil, ifNoneMatch != nil {
            throw Self.unsupported("Multiple conditional request headers present in the request",
                                   header: "If-Match,If-None-Match")
        }
        if isWrite, ifMatch?.trimmingSpaces() == "*" {
            throw Self.unsupported("We don't accept the provided value of If-Match header for this API",
                                   header: "If-Match")
        }
        if let ifNoneMatch {
            guard ifNoneMatch.trimmingSpaces() == "*" else {
                throw Self.unsupported("A header you provided implies functionality that is not implemented",
                                       header: "If-None-Match")
            }
            if existing != nil { throw S3Errors.preconditionFailed("If-None-Match") }
        }
        if let ifMatch {
            guard let existing else { throw S3Errors.noSuchKey(key) }
            if !ETagMatch.matches(ifMatch, existing.etag) { throw S3Errors.preconditionFailed("If-Match") }
        }
    }

    private static func unsupported(_ message: String, header: String) -> AWSError {
        AWSError("NotImplemented", message, status: 501, fields: [AWSErrorField("Header", header)])
    }
}
