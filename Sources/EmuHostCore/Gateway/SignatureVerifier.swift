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

    /// An error in the shape each protocol's AWS front end uses, or nil when the signature is good.
    func check(_ request: HTTPRequestData, protocolKind: emu_protocol, now: Date = Date()) -> (code: String, message: String, status: UInt32)? {
        guard let authorization = request.header("Authorization"), authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            // Presigned (query-string) signatures are not verified, so with verification on they are refused
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
        let secret = identities.lookup(scope.accessKeyId)?.secretAccessKey ?? "test"
        let expected = Self.sigV4.signature(
            SigV4.Request(method: request.method, path: request.path, query: request.query, headers: request.headers,
                          body: request.body, singleEncodePath: scope.service == "s3"),
            signedHeaders: signedHeaders.split(separator: ";").map(String.init), secretKey: secret, amzDate: amzDate,
            region: scope.region, service: scope.service)
        guard expected == signature else {
            let message = "The request signature we calculated does not match the signature you provided. Check your "
                + "AWS Secret Access Key and signing method. Consult the service documentation for details."
            switch protocolKind {
            case EMU_PROTOCOL_REST: return ("SignatureDoesNotMatch", message, 403)
            case EMU_PROTOCOL_QUERY: return ("SignatureDoesNotMatch", message, 403)
            default: return ("InvalidSignatureException", message, 400)
            }
        }
        return nil
    }

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
