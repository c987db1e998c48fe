import EmuPluginKit

/// Percent-encoding as S3 reads request paths (decoding is EmuPluginKit's `FormDecoding`, which the host's router
/// uses too) and writes `encoding-type=url` listings.
enum PercentEncoding {
    /// A path segment or header value: `%XX` escapes decoded, `+` kept (it is a space only in query strings).
    static func decode(_ text: String) -> String {
        FormDecoding.percentDecoded(Substring(text), plusIsSpace: false)
    }

    /// A listing's `encoding-type`, which S3 takes only as `url`: whether its keys are to be written in
    /// `encodeForListing`'s form.
    /// - Throws: InvalidArgument for any other value.
    static func isRequested(in query: [String: String]) throws(AWSError) -> Bool {
        switch query["encoding-type"] {
        case nil: return false
        case "url"?: return true
        case let other?:
            throw S3Errors.invalidArgument("Invalid Encoding Method specified in Request",
                                           argument: ("encoding-type", other))
        }
    }

    /// S3's `encoding-type=url` form: unreserved characters and `/` as they are, a space as `+`, every other byte
    /// as `%XX`. botocore undoes it with `unquote_plus`, so a literal `+` must be escaped.
    static func encodeForListing(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
