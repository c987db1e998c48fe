import EmuCrypto
import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// KMS's side of the XKS Proxy API v1: SigV4-signed JSON POSTs (service `kms-xks-proxy`) to an external key
/// store proxy, through the host's outbound HTTP.
struct XksProxyClient {
    let store: KmsCustomKeyStore
    let host: PluginHost
    let timeoutMilliseconds: UInt32

    /// How a proxy call went wrong, so each operation can answer with the error AWS maps it to.
    enum Failure: Error {
        case unreachable(String)
        case timedOut
        case authentication
        case proxyError(status: Int, name: String, message: String)
        case invalidResponse(String)

        /// The connection error code a failed connect leaves on the store.
        var connectionErrorCode: String {
            switch self {
            case .unreachable: return "XKS_PROXY_NOT_REACHABLE"
            case .timedOut: return "XKS_PROXY_TIMED_OUT"
            case .authentication: return "INVALID_CREDENTIALS"
            case .proxyError(let status, _, _) where status == 403: return "XKS_PROXY_ACCESS_DENIED"
            case .proxyError, .invalidResponse: return "XKS_PROXY_INVALID_RESPONSE"
            }
        }

        var description: String {
            switch self {
            case .unreachable(let why): return "the external key store proxy is not reachable (\(why))"
            case .timedOut: return "the external key store proxy did not answer in time"
            case .authentication: return "the external key store proxy rejected KMS's credentials"
            case .proxyError(let status, let name, let message): return "the proxy answered \(status) \(name): \(message)"
            case .invalidResponse(let why): return "the external key store proxy sent an invalid response (\(why))"
            }
        }
    }

    private static let sigV4 = SigV4(hash: OpenSSLDigest.sha256, hmac: OpenSSLHMAC.sha256)

    /// POSTs `body` to `<endpoint><path><suffix>`, e.g. suffix `/keys/abc/encrypt` or `/health`.
    func call(_ suffix: String, body: JSONValue, region: String) -> Result<JSONValue, Failure> {
        let endpoint = store.xksUriEndpoint ?? ""
        let path = (store.xksUriPath ?? "") + suffix
        let url = endpoint + path
        let payload = body.serialized()
        let hostHeader = URLComponents(string: endpoint).map { c in c.port.map { "\(c.host ?? ""):\($0)" } ?? (c.host ?? "") } ?? ""
        let amzDate = AmzDate.format(host.nowSeconds())
        var headers: [(String, String)] = [("Host", hostHeader), ("Content-Type", "application/json")]
        headers += Self.sigV4.sign(
            SigV4.Request(method: "POST", path: path, headers: headers, body: payload),
            accessKeyId: store.xksAccessKeyId ?? "", secretKey: store.xksSecretAccessKey ?? "", region: region,
            service: "kms-xks-proxy", amzDate: amzDate)
        let result = host.httpCall(method: "POST", url: url, headers: headers.filter { $0.0 != "Host" }, body: payload,
                                   timeoutMilliseconds: timeoutMilliseconds)
        if result.status == 0 {
            return .failure(result.errorMessage.contains("timed out") ? .timedOut : .unreachable(result.errorMessage))
        }
        let parsed = try? JSONValue.parse(result.body)
        guard result.status == 200 else {
            if result.status == 401 { return .failure(.authentication) }
            return .failure(.proxyError(status: result.status, name: parsed?["errorName"]?.stringValue ?? "",
                                        message: parsed?["errorMessage"]?.stringValue ?? ""))
        }
        guard let parsed, parsed.objectValue != nil else { return .failure(.invalidResponse("not a JSON object")) }
        return .success(parsed)
    }

    static func requestMetadata(_ context: RequestContext, operation: String, keyArn: String?) -> JSONValue {
        var metadata: [String: JSONValue] = [
            "awsPrincipalArn": .string(context.principalArn), "kmsOperation": .string(operation),
            "kmsRequestId": .string(context.requestId),
        ]
        if let keyArn { metadata["kmsKeyArn"] = .string(keyArn) }
        if !context.viaService.isEmpty { metadata["kmsViaService"] = .string(context.viaService) }
        return .object(metadata)
    }
}
