import EmuPluginKit

/// The conditional headers of GET and HEAD, evaluated in the order RFC 7232 and S3 give them.
struct ReadConditions {
    enum Outcome {
        case proceed
        case notModified
    }

    var ifMatch: String?
    var ifNoneMatch: String?
    var ifModifiedSince: Int64?
    var ifUnmodifiedSince: Int64?

    init(_ request: S3Request) {
        ifMatch = request.header("If-Match")
        ifNoneMatch = request.header("If-None-Match")
        ifModifiedSince = request.header("If-Modified-Since").flatMap(HTTPDate.parseRFC1123)
        ifUnmodifiedSince = request.header("If-Unmodified-Since").flatMap(HTTPDate.parseRFC1123)
    }

    /// - Parameter now: the host clock in milliseconds: an If-Modified-Since later than it is ignored, as RFC 7232
    ///   says and S3 does.
    /// - Throws: PreconditionFailed (412) when If-Match or If-Unmodified-Since fails, naming it.
    func evaluate(_ object: S3Object, now: Int64) throws(AWSError) -> Outcome {
        let modifiedSecond = object.lastModified / 1000
        if let ifMatch {
            if !ETagMatch.matches(ifMatch, object.etag) { throw S3Errors.preconditionFailed("If-Match") }
        } else if let ifUnmodifiedSince, modifiedSecond > ifUnmodifiedSince / 1000 {
            throw S3Errors.preconditionFailed("If-Unmodified-Since")
        }
        if let ifNoneMatch {
            if ETagMatch.matches(ifNoneMatch, object.etag) { return .notModified }
        } else if let ifModifiedSince, ifModifiedSince <= now, modifiedSecond <= ifModifiedSince / 1000 {
            return .notModified
        }
        return .proceed
    }
}
