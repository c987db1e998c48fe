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

    init(_ request: S3Request) {
        ifNoneMatch = request.header("If-None-Match")
        ifMatch = request.header("If-Match")
        key = request.key ?? ""
    }

    /// Only `If-Match`: a conditional delete (DeleteObject's header, DeleteObjects' ETag per object).
    init(ifMatch: String, key: String) {
        self.ifMatch = ifMatch
        self.key = key
    }

    func verify(_ existing: S3Object?) throws(AWSError) {
        if let ifNoneMatch {
            guard ifNoneMatch.trimmingSpaces() == "*" else {
                throw S3Errors.notImplemented("If-None-Match with a value other than * on a write")
            }
            if existing != nil { throw S3Errors.preconditionFailed("If-None-Match") }
        }
        if let ifMatch {
            guard let existing else { throw S3Errors.noSuchKey(key) }
            if !ETagMatch.matches(ifMatch, existing.etag) { throw S3Errors.preconditionFailed("If-Match") }
        }
    }
}
