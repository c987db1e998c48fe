/// AWS Signature Version 4: the canonical request, the string to sign and the signature, as AWS documents
/// them. The hash and HMAC come from the caller (EmuCrypto's OpenSSL ones in the host and in KMS), so the
/// algorithm is written once for both signing (XKS proxy calls) and verifying (SIGV4_VERIFY).
public struct SigV4: Sendable {
    public typealias Hash = @Sendable ([UInt8]) -> [UInt8]
    public typealias HMAC = @Sendable (_ key: [UInt8], _ data: [UInt8]) -> [UInt8]

    public var hash: Hash
    public var hmac: HMAC

    public init(hash: @escaping Hash, hmac: @escaping HMAC) {
        self.hash = hash
        self.hmac = hmac
    }

    /// One request to sign or check.
    public struct Request {
        public var method: String
        /// The path, percent-encoded as sent.
        public var path: String
        /// The raw query string without '?'.
        public var query: String
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// S3 encodes path segments once; every other service twice.
        public var singleEncodePath: Bool
        /// The payload hash to sign, in place of the x-amz-content-sha256 header or the body's hash: a presigned
        /// S3 URL signs `UNSIGNED-PAYLOAD`, or a hash given in its query, since its body is not known when it is made.
        public var payloadHash: String?

        public init(method: String, path: String, query: String = "", headers: [(String, String)], body: [UInt8],
                    singleEncodePath: Bool = false)
        {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
            self.singleEncodePath = singleEncodePath
        }
    }

    /// RFC 3986 encoding with AWS's unreserved set.
    public static func uriEncode(_ text: String, encodeSlash: Bool = true) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                out.append("/")
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }

    private static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let h = iterator.next(), let l = iterator.next(),
                let value = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The headers that are signed: the names listed, in the request's values, canonicalised.
    public func canonicalRequest(_ request: Request, signedHeaders: [String]) -> String {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            let decoded = Self.percentDecode(segment)
            let once = Self.uriEncode(decoded)
            return request.singleEncodePath ? once : Self.uriEncode(once)
        }
        var path = segments.joined(separator: "/")
        if path.isEmpty { path = "/" }
        var pairs: [(String, String)] = []
        for pair in request.query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.uriEncode(Self.percentDecode(parts[0]))
            let value = parts.count > 1 ? Self.uriEncode(Self.percentDecode(parts[1])) : ""
            pairs.append((key, value))
        }
        pairs.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let query = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        var values: [String: [String]] = [:]
        for (name, value) in request.headers {
            let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            values[name.lowercased(), default: []].append(collapsed)
        }
        let names = signedHeaders.map { $0.lowercased() }.sorted()
        let canonicalHeaders = names.map { "\($0):\(values[$0]?.joined(separator: ",") ?? "")\n" }.joined()
        let payloadHash = request.payloadHash
            ?? request.headers.first { $0.0.lowercased() == "x-amz-content-sha256" }?.1 ?? Hex.encode(hash(request.body))
        return [request.method, path, query, canonicalHeaders, names.joined(separator: ";"), payloadHash]
            .joined(separator: "\n")
    }

    /// The hex signature for a request, as the Authorization header carries it.
    public func signature(_ request: Request, signedHeaders: [String], secretKey: String, amzDate: String,
                          region: String, service: String) -> String
    {
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let canonical = canonicalRequest(request, signedHeaders: signedHeaders)
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Hex.encode(hash(Array(canonical.utf8))))"
        var key = hmac(Array("AWS4\(secretKey)".utf8), Array(date.utf8))
        key = hmac(key, Array(region.utf8))
        key = hmac(key, Array(service.utf8))
        key = hmac(key, Array("aws4_request".utf8))
        return Hex.encode(hmac(key, Array(stringToSign.utf8)))
    }

    /// Signs a request: returns the headers to add (X-Amz-Date, X-Amz-Content-Sha256, Authorization).
    public func sign(_ request: Request, accessKeyId: String, secretKey: String, region: String, service: String,
                     amzDate: String) -> [(String, String)]
    {
        var signed = request
        let payloadHash = Hex.encode(hash(request.body))
        signed.headers += [("X-Amz-Date", amzDate), ("X-Amz-Content-Sha256", payloadHash)]
        let names = signed.headers.map { $0.0.lowercased() }
        let signature = self.signature(signed, signedHeaders: names, secretKey: secretKey, amzDate: amzDate,
                                       region: region, service: service)
        let date = String(amzDate.prefix(8))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(date)/\(region)/\(service)/aws4_request, "
            + "SignedHeaders=\(names.sorted().joined(separator: ";")), Signature=\(signature)"
        return [("X-Amz-Date", amzDate), ("X-Amz-Content-Sha256", payloadHash), ("Authorization", authorization)]
    }
}
