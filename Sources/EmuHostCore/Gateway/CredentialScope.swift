#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of a SigV4 credential that route a request: who signed it, for which region and service.
///
/// Read from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kms/aws4_request, …` or a
/// presigned URL's `X-Amz-Credential`. The signature itself is not checked here (see SIGV4_VERIFY).
public struct CredentialScope: Sendable, Equatable {
    public var accessKeyId: String
    public var date: String
    public var region: String
    public var service: String

    /// Parses the `Credential=` value: `AKID/date/region/service/aws4_request`. Split on UTF-8 bytes: this runs
    /// on every request, and `String.split` walks grapheme clusters.
    public init?(credential: String) {
        var text = credential
        let parts = text.withUTF8 { bytes -> [String]? in
            var parts: [String] = []
            parts.reserveCapacity(5)
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
                guard parts.count < 5 else { return nil }
                parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                start = index + 1
            }
            return parts
        }
        guard let parts, parts.count == 5, !parts[0].isEmpty, parts[4] == "aws4_request" else { return nil }
        accessKeyId = parts[0]
        date = parts[1]
        region = parts[2]
        service = parts[3]
    }

    /// Finds the scope in an Authorization header or a presigned query.
    public init?(authorization: String?, query: [String: String]) {
        if let authorization, let credential = Self.credentialField(authorization) {
            self.init(credential: credential)
        } else if let credential = query["X-Amz-Credential"] {
            self.init(credential: credential)
        } else {
            return nil
        }
    }

    /// The `Credential=` value of an Authorization header, found by scanning bytes: this runs on every request,
    /// and Foundation's substring search costs more than the whole echo handler.
    static func credentialField(_ authorization: String) -> String? {
        let marker = Array("Credential=".utf8)
        var copy = authorization
        return copy.withUTF8 { bytes -> String? in
            var index = 0
            while index + marker.count <= bytes.count {
                if bytes[index] == marker[0], bytes[index..<(index + marker.count)].elementsEqual(marker) {
                    let start = index + marker.count
                    var end = start
                    while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: " ") { end += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                }
                index += 1
            }
            return nil
        }
    }

    /// The access key of a legacy SigV2-style `Authorization: AWS AKID:signature` header.
    public static func legacyAccessKey(authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("AWS "), let colon = authorization.firstIndex(of: ":") else {
            return nil
        }
        return String(authorization[authorization.index(authorization.startIndex, offsetBy: 4)..<colon])
    }
}
