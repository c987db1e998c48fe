import EmuCrypto
import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PluginABI

/// SIGV4_VERIFY=1: checks every request's AWS Signature Version 4 the way AWS's front ends do, so a client
/// with the wrong secret, no signature or a stale clock fails here as it would against AWS.
///
/// Secrets come from the principals file and STS credentials; any other access key's secret is `test`, the
/// value every emulator user already configures.
struct SignatureVerifier: Sendable {
    let identities: IdentityRegistry
    /// AWS accepts requests signed up to 15 minutes away from its clock.
    static let allowedSkew: TimeInterval = 15 * 60

    static let sigV4 = SigV4(hash: OpenSSLDigest.sha256, hmac: OpenSSLHMAC.sha256)

    /// S3 refuses a presigned URL that is to stay valid for longer than a week.
    static let longestPresignedSeconds = 604_800

    typealias Failure = (code: String, message: String, status: UInt32)

    /// An error in the shape each protocol's AWS front end uses, or nil when the signature is good.
    ///
    /// `hostClockSeconds` is the host clock (POST /_emu/clock moves it forward), which decides when a presigned URL
    /// expires, so that a test can see one expire without waiting. The 15 minutes of skew allowed to a signature
    /// are measured on `now`, the real clock, which the client's own clock follows.
    /// `query` is the request's query string decoded (first value of each name), as the router already has it.
    func check(_ request: HTTPRequestData, query: [String: String], protocolKind: emu_protocol, now: Date = Date(),
               hostClockSeconds: TimeInterval? = nil) -> Failure?
    {
        let authorization = request.header("Authorization")
        if protocolKind == EMU_PROTOCOL_REST {
            // A browser's CORS preflight carries no credentials (not even those of the presigned URL it precedes),
            // and S3 answers it anonymously.
            if request.method == "OPTIONS", request.header("Origin") != nil { return nil }
            let presigned = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"].contains { query[$0] != nil }
            let presignedV2 = query["AWSAccessKeyId"] != nil || query["Signature"] != nil
            // A client that adds its own Authorization header to a presigned URL is a common bug S3 reports.
            if presigned || presignedV2, authorization != nil {
                return ("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                    + "Signature query string parameter or the Authorization header should be specified", 400)
            }
            if presigned {
                return checkPresigned(request, query: query, now: now.timeIntervalSince1970,
                                      hostClockSeconds: hostClockSeconds ?? now.timeIntervalSince1970)
            }
            // Signature Version 2 (`Authorization: AWS AKID:…`, or boto3's default presigned URL with
            // AWSAccessKeyId and Signature): S3 answers this for buckets made since June 2020, which take SigV4 only.
            if presignedV2 || authorization?.hasPrefix("AWS ") == true {
                return ("InvalidRequest", "The authorization mechanism you have provided is not supported. "
                    + "Please use AWS4-HMAC-SHA256.", 400)
            }
        }
        guard let authorization, authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            // Query-string signatures are verified for S3 only, where SDKs make them; elsewhere they are refused
            // rather than trusted.
            switch protocolKind {
            case EMU_PROTOCOL_REST: return ("AccessDenied", "Access Denied", 403)
            case EMU_PROTOCOL_QUERY: return ("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
            default: return ("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
            }
        }
        let fields = Self.fields(authorization)
        guard let credential = fields["Credential"], let scope = CredentialScope(credential: credential),
            let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"],
            let amzDate = request.header("X-Amz-Date") ?? request.header("Date")
        else {
            return ("IncompleteSignatureException", "Authorization header requires 'Credential', 'Signature' and "
                + "'SignedHeaders' parameters, and the request an X-Amz-Date header.", 400)
        }
        let nowSeconds = now.timeIntervalSince1970
        if let signedAt = AmzDate.parse(amzDate), abs(signedAt - nowSeconds) > Self.allowedSkew {
            // AWS words a request from the past and one from the future differently.
            let message = signedAt < nowSeconds
                ? "Signature expired: \(amzDate) is now earlier than "
                    + "\(AmzDate.format(nowSeconds - Self.allowedSkew)) (\(AmzDate.format(nowSeconds)) - 15 min.)"
                : "Signature not yet current: \(amzDate) is still later than "
                    + "\(AmzDate.format(nowSeconds + Self.allowedSkew)) (\(AmzDate.format(nowSeconds)) + 15 min.)"
            switch protocolKind {
            case EMU_PROTOCOL_REST: return ("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403)
            case EMU_PROTOCOL_QUERY: return ("SignatureDoesNotMatch", message, 403)
            default: return ("InvalidSignatureException", message, 400)
            }
        }
        let canonical = SigV4.Request(method: request.method, path: request.path, query: request.query,
                                      headers: request.headers, body: request.body,
                                      singleEncodePath: scope.service == "s3")
        guard signatureMatches(signature, of: canonical, scope: scope, signedHeaders: signedHeaders, amzDate: amzDate)
        else {
            switch protocolKind {
            case EMU_PROTOCOL_REST, EMU_PROTOCOL_QUERY: return ("SignatureDoesNotMatch", Self.mismatchMessage, 403)
            default: return ("InvalidSignatureException", Self.mismatchMessage, 400)
            }
        }
        return nil
    }

    /// A presigned S3 URL, checked as S3 checks one: every parameter present and well formed, the URL not expired
    /// (X-Amz-Date + X-Amz-Expires) nor dated more than 15 minutes ahead, then the signature over the canonical
    /// request whose query is everything but X-Amz-Signature and whose payload is `UNSIGNED-PAYLOAD` unless the
    /// client signed a hash: the X-Amz-Content-Sha256 parameter (JavaScript SDK v3), else the x-amz-content-sha256
    /// header. Only S3 makes these: the router sends no other REST service a presigned request.
    private func checkPresigned(_ request: HTTPRequestData, query: [String: String], now: TimeInterval,
                                hostClockSeconds: TimeInterval) -> Failure?
    {
        func malformed(_ message: String) -> Failure { ("AuthorizationQueryParametersError", message, 400) }
        guard let algorithm = query["X-Amz-Algorithm"], let credential = query["X-Amz-Credential"],
            let signature = query["X-Amz-Signature"], let amzDate = query["X-Amz-Date"],
            let signedHeaders = query["X-Amz-SignedHeaders"], let expiresText = query["X-Amz-Expires"]
        else {
            return malformed("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                + "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
        }
        guard algorithm == "AWS4-HMAC-SHA256" else {
            return malformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        }
        guard let scope = CredentialScope(credential: credential) else {
            return malformed("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "
                + "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
        }
        guard let signedAt = AmzDate.parse(amzDate) else {
            return malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        }
        guard let expires = Int(expiresText) else { return malformed("X-Amz-Expires should be a number") }
        guard expires >= 0 else { return malformed("X-Amz-Expires must be non-negative") }
        guard expires <= Self.longestPresignedSeconds else {
            return malformed("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
                + "must be less than \(Self.longestPresignedSeconds) seconds")
        }
        if signedAt - now > Self.allowedSkew { return ("AccessDenied", "Request is not yet valid", 403) }
        if hostClockSeconds > signedAt + TimeInterval(expires) { return ("AccessDenied", "Request has expired", 403) }
        let signedQuery = request.query.split(separator: "&").filter { part in
            FormDecoding.percentDecoded(part.prefix { $0 != "=" }) != "X-Amz-Signature"
        }.joined(separator: "&")
        var canonical = SigV4.Request(method: request.method, path: request.path, query: signedQuery,
                                      headers: request.headers, body: [], singleEncodePath: true)
        canonical.payloadHash = query["X-Amz-Content-Sha256"] ?? request.header("x-amz-content-sha256")
            ?? "UNSIGNED-PAYLOAD"
        guard signatureMatches(signature, of: canonical, scope: scope, signedHeaders: signedHeaders, amzDate: amzDate)
        else { return ("SignatureDoesNotMatch", Self.mismatchMessage, 403) }
        return nil
    }

    /// Whether `signature` is what the signer's secret (from the principals file or STS; `test` for any other key)
    /// makes of `canonical`, for a header signature and a presigned URL alike.
    private func signatureMatches(_ signature: String, of canonical: SigV4.Request, scope: CredentialScope,
                                  signedHeaders: String, amzDate: String) -> Bool
    {
        let secret = identities.lookup(scope.accessKeyId)?.secretAccessKey ?? "test"
        return Self.sigV4.signature(canonical, signedHeaders: signedHeaders.split(separator: ";").map(String.init),
                                    secretKey: secret, amzDate: amzDate, region: scope.region,
                                    service: scope.service) == signature
    }

    static let mismatchMessage = "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

    /// `Credential=…, SignedHeaders=…, Signature=…` as a dictionary.
    static func fields(_ authorization: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.trimmingSpaces().split(separator: "=", maxSplits: 1)
            if pair.count == 2 { out[String(pair[0])] = String(pair[1]) }
        }
        return out
    }
}
