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

    /// The conditions of a write (PutObject, CopyObject, CompleteMultipartUpload), checked for what a write does
    /// not take before anything else is looked at.
    /// - Throws: S3's 501 NotImplemented, naming the header: both headers, `If-Match: *` (a delete takes it), or
    ///   `If-None-Match` with anything but `*`.
    init(_ request: S3Request) throws(AWSError) {
        ifNoneMatch = request.header("If-None-Match")
        ifMatch = request.header("If-Match")
        key = request.key ?? ""
        if ifMatch != nil, ifNoneMatch != nil {
            throw S3Errors.notImplemented(message: "Multiple conditional request headers present in the request",
                                          header: "If-Match,If-None-Match")
        }
        if ifMatch?.trimmingSpaces() == "*" {
            throw S3Errors.notImplemented(message: "We don't accept the provided value of If-Match header for this API",
                                          header: "If-Match")
        }
        if let ifNoneMatch, ifNoneMatch.trimmingSpaces() != "*" {
            throw S3Errors.notImplemented(message: "A header you provided implies functionality that is not "
                + "implemented", header: "If-None-Match")
        }
    }

    /// Only `If-Match`: a conditional delete (DeleteObject's header, DeleteObjects' ETag per object).
    init(ifMatch: String, key: String) {
        self.ifMatch = ifMatch
        self.key = key
    }

    /// - Throws: PreconditionFailed (412) or NoSuchKey when a condition does not hold.
    func verify(_ existing: S3Object?) throws(AWSError) {
        if ifNoneMatch != nil, existing != nil { throw S3Errors.preconditionFailed("If-None-Match") }
        if let ifMatch {
            guard let existing else { throw S3Errors.noSuchKey(key) }
            if !ETagMatch.matches(ifMatch, existing.etag) { throw S3Errors.preconditionFailed("If-Match") }
        }
    }
}
