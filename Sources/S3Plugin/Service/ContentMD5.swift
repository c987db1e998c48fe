import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `Content-MD5` header S3 checks against the body it received.
enum ContentMD5 {
    /// - Returns: whether the request carried the header.
    /// - Throws: InvalidDigest for a header that is not a base64 MD5; BadDigest when it does not match.
    @discardableResult
    static func check(_ request: S3Request, bodyMD5: [UInt8]? = nil) throws(AWSError) -> Bool {
        guard let header = request.header("Content-MD5") else { return false }
        guard let expected = Base64.decode(header.trimmingSpaces()), expected.count == 16 else {
            throw S3Errors.invalidDigest(header)
        }
        let calculated = bodyMD5 ?? MD5.digest(request.body)
        if expected != calculated { throw S3Errors.contentMD5Mismatch(expected: header, calculated: calculated) }
        return true
    }
}
