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

    /// Parses the `Credential=` value: `AKID/date/region/service/aws4_request`.
    public init?(credential: String) {
        var text = credential
        guard let scope = text.withUTF8({ Self.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = scope
    }

    /// Finds the scope in an Authorization header or a presigned query. A header with a `Credential=` that does
    /// not parse has no scope: the query is not asked instead.
    public init?(authorization: String?, query: [String: String]) {
        if var authorization, let found = authorization.withUTF8({ bytes in
            Self.credentialRange(bytes).map { range in
                Self.parse(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range])))
            }
        }) {
            guard let scope = found else { return nil }
            self = scope
        } else if let credential = query["X-Amz-Credential"] {
            self.init(credential: credential)
        } else {
            return nil
        }
    }

    /// Splits `AKID/date/region/service/aws4_request` on its UTF-8 bytes, straight into the four fields: this runs
    /// on every request, so neither the credential nor a list of its parts is made as a value of its own, and
    /// `String.split` would walk grapheme clusters. (A field of up to 15 bytes is stored inline, so an SDK's date,
    /// region and service cost no allocation; a real 20-character access key still does.)
    private static func parse(_ bytes: UnsafeRawBufferPointer) -> CredentialScope? {
        var fields: (String, String, String, String) = ("", "", "", "")
        var count = 0
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            let part = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            switch count {
            case 0: fields.0 = String(decoding: part, as: UTF8.self)
            case 1: fields.1 = String(decoding: part, as: UTF8.self)
            case 2: fields.2 = String(decoding: part, as: UTF8.self)
            case 3: fields.3 = String(decoding: part, as: UTF8.self)
            case 4: guard part.elementsEqual("aws4_request".utf8) else { return nil }
            default: return nil
            }
            count += 1
            start = index + 1
        }
        guard count == 5, !fields.0.isEmpty else { return nil }
        return CredentialScope(accessKeyId: fields.0, date: fields.1, region: fields.2, service: fields.3)
    }

    private init(accessKeyId: String, date: String, region: String, service: String) {
        self.accessKeyId = accessKeyId
        self.date = date
        self.region = region
        self.service = service
    }

    /// Where the `Credential=` value sits in an Authorization header's bytes, found by scanning them: Foundation's
    /// substring search costs more than the whole echo handler.
    private static func credentialRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let marker: StaticString = "Credential="
        let markerCount = marker.utf8CodeUnitCount
        var index = 0
        while index + markerCount <= bytes.count {
            if bytes[index] == marker.utf8Start[0],
                UnsafeBufferPointer(start: marker.utf8Start, count: markerCount)
                    .elementsEqual(bytes[index..<(index + markerCount)])
            {
                let start = index + markerCount
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: " ") { end += 1 }
                return start..<end
            }
            index += 1
        }
        return nil
    }

    /// The access key of a legacy SigV2-style `Authorization: AWS AKID:signature` header.
    public static func legacyAccessKey(authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("AWS "), let colon = authorization.firstIndex(of: ":") else {
            return nil
        }
        return String(authorization[authorization.index(authorization.startIndex, offsetBy: 4)..<colon])
    }
}
