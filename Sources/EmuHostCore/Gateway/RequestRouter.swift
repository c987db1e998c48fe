import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PluginABI

/// What the gateway should do with a request: answer at once, or run a handler (inline or off the event loop).
public enum RoutedRequest: Sendable {
    case respond(GatewayResponse)
    /// Run `work`; the argument says whether it may block. Work run where it may not block answers nil when the
    /// handler needs to block after all, and the gateway runs it again on the thread pool.
    case invoke(mayBlock: Bool, work: @Sendable (_ mayBlock: Bool) -> GatewayResponse?)
}

/// Decides which service and operation a request is for, and in which protocol to answer.
///
/// Order, as issue #2 and AWS's own front ends have it: host endpoints; `X-Amz-Target` (JSON protocols); the
/// SigV4 credential scope's service; a form body's `Action` (an unsigned Query call); S3's host and path
/// conventions.
public struct RequestRouter: Sendable {
    public let runtime: HostRuntime

    /// The media types a JSON protocol request may declare (none counts as JSON too). A switch, not a collection
    /// literal: this runs on every JSON request, and a literal is built (allocated) each time.
    private static func isJSONMediaType(_ mediaType: String) -> Bool {
        switch mediaType {
        case "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json", "": true
        default: false
        }
    }

    public init(runtime: HostRuntime) {
        self.runtime = runtime
    }

    public func route(_ request: HTTPRequestData) -> RoutedRequest {
        if HostEndpoints.handles(request.path) {
            let endpoints = HostEndpoints(runtime: runtime)
            return .invoke(mayBlock: true, work: { _ in endpoints.handle(request) })
        }
        let requestId = Self.newRequestId()
        let queryParameters = FormDecoding.dictionary(request.query)
        let authorization = request.header("Authorization")
        let scope = CredentialScope(authorization: authorization, query: queryParameters)
        let accessKey = scope?.accessKeyId ?? CredentialScope.legacyAccessKey(authorization: authorization)
        let identity = runtime.identities.resolve(accessKey)
        let region = scope?.region ?? runtime.configuration.defaultRegion
        let registry = runtime.registry

        func context(_ service: LoadedService, _ operation: String) -> CallContext {
            CallContext(accountId: identity.accountId, region: region, requestId: requestId,
                        principalArn: identity.principalArn, accessKeyId: accessKey ?? "", service: service.id,
                        operation: operation, viaService: "", busDepth: 0)
        }

        if let target = request.header("X-Amz-Target") {
            let contentType = request.header("Content-Type") ?? "application/x-amz-json-1.1"
            let replyType = contentType.hasPrefix("application/x-amz-json-1.0")
                ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1"
            func fail(_ code: String, _ message: String, _ status: UInt32 = 400) -> RoutedRequest {
                .respond(.awsError(code, message, status: status, protocolKind: EMU_PROTOCOL_JSON,
                                   requestId: requestId, jsonContentType: replyType))
            }
            guard let dot = target.utf8.lastIndex(of: UInt8(ascii: ".")) else {
                return fail("UnknownOperationException", "X-Amz-Target '\(target)' is not <Service>.<Operation>.")
            }
            let prefix = String(target[..<dot])
            let operation = String(target[target.utf8.index(after: dot)...])
            guard let service = registry.service(targetPrefix: prefix) else {
                return fail("UnknownServiceException",
                            "No loaded plugin serves X-Amz-Target prefix '\(prefix)'; loaded: "
                                + registry.allServices.map(\.id).sorted().joined(separator: ", ") + ".")
            }
            guard request.method == "POST" else {
                return fail("UnknownOperationException", "AWS JSON operations are called with POST.")
            }
            let mediaType = replyType == contentType ? contentType : contentType.split(separator: ";").first.map {
                $0.trimmingSpaces().lowercased()
            } ?? ""
            guard Self.isJSONMediaType(mediaType) else {
                return fail("UnsupportedMediaTypeException",
                            "Content-Type '\(contentType)' is not application/x-amz-json-1.1.", 415)
            }
            guard let op = service.operations[operation] else {
                return fail("UnknownOperationException", "")
            }
            if let failure = verifySignature(request, queryParameters, EMU_PROTOCOL_JSON) { return fail(failure.code, failure.message, failure.status) }
            let baseContext = context(service, operation)
            let body = request.body
            let runtime = self.runtime
            return .invoke(mayBlock: op.flags & UInt32(EMU_OP_NONBLOCKING) == 0) { mayBlock in
                var ctx = baseContext
                ctx.mayBlock = mayBlock
                let writer = body.withUnsafeBytes { runtime.invoke(service, operation: operation, context: ctx, input: $0) }
                if writer.wouldBlock { return nil }
                return Self.render(writer, protocolKind: EMU_PROTOCOL_JSON, requestId: requestId,
                                   jsonContentType: replyType)
            }
        }

        let isForm = (request.header("Content-Type") ?? "").lowercased()
            .hasPrefix("application/x-www-form-urlencoded")
        var service = scope.flatMap { registry.service(signingName: $0.service) }
        var formParameters: [String: String]?
        if service == nil || service?.protocolKind == EMU_PROTOCOL_QUERY {
            if isForm || queryParameters["Action"] != nil {
                var parameters = queryParameters
                if isForm {
                    for (key, value) in FormDecoding.pairs(String(decoding: request.body, as: UTF8.self)) {
                        parameters[key] = value
                    }
                }
                formParameters = parameters
            }
        }
        if service == nil { service = unscopedService(scope: scope, action: formParameters?["Action"]) }
        guard let service else {
            let named = scope?.service ?? formParameters?["Action"] ?? request.path
            return .respond(.awsError(
                "UnknownServiceException",
                "No loaded plugin serves '\(named)'; loaded: "
                    + registry.allServices.map(\.id).sorted().joined(separator: ", ") + ".",
                status: 400, protocolKind: formParameters == nil ? EMU_PROTOCOL_REST : EMU_PROTOCOL_QUERY,
                requestId: requestId))
        }

        switch service.protocolKind {
        case EMU_PROTOCOL_QUERY:
            let parameters = formParameters ?? [:]
            let namespace = "https://\(service.signingName).amazonaws.com/doc/\(service.apiVersion)/"
            guard let action = parameters["Action"], !action.isEmpty else {
                return .respond(.awsError("MissingAction", "Missing Action", status: 400, protocolKind: EMU_PROTOCOL_QUERY,
                                          requestId: requestId, xmlNamespace: namespace))
            }
            guard let op = service.operations[action] else {
                return .respond(.awsError("InvalidAction",
                                          "Could not find operation \(action) for version \(parameters["Version"] ?? service.apiVersion)",
                                          status: 400, protocolKind: EMU_PROTOCOL_QUERY, requestId: requestId,
                                          xmlNamespace: namespace))
            }
            if let failure = verifySignature(request, queryParameters, EMU_PROTOCOL_QUERY) {
                return .respond(.awsError(failure.code, failure.message, status: failure.status,
                                          protocolKind: EMU_PROTOCOL_QUERY, requestId: requestId, xmlNamespace: namespace))
            }
            var json: [String: JSONValue] = [:]
            for (key, value) in parameters { json[key] = .string(value) }
            let input = JSONValue.object(json).serialized()
            let baseContext = context(service, action)
            let runtime = self.runtime
            return .invoke(mayBlock: op.flags & UInt32(EMU_OP_NONBLOCKING) == 0) { mayBlock in
                var ctx = baseContext
                ctx.mayBlock = mayBlock
                let writer = input.withUnsafeBytes { runtime.invoke(service, operation: action, context: ctx, input: $0) }
                if writer.wouldBlock { return nil }
                return Self.render(writer, protocolKind: EMU_PROTOCOL_QUERY, requestId: requestId, xmlNamespace: namespace)
            }
        case EMU_PROTOCOL_REST:
            if let failure = verifySignature(request, queryParameters, EMU_PROTOCOL_REST) {
                return .respond(.awsError(failure.code, failure.message, status: failure.status,
                                          protocolKind: EMU_PROTOCOL_REST, requestId: requestId))
            }
            let ctx = context(service, request.method)
            let runtime = self.runtime
            return .invoke(mayBlock: true) { _ in
                let writer = runtime.invokeHTTP(service, context: ctx, request: request)
                return Self.render(writer, protocolKind: EMU_PROTOCOL_REST, requestId: requestId)
            }
        default:
            return .respond(.awsError("UnknownOperationException",
                                      "Service \(service.id) speaks the JSON protocol: send X-Amz-Target.",
                                      status: 400, protocolKind: EMU_PROTOCOL_JSON, requestId: requestId))
        }
    }

    /// Whether a request, judged by its head alone, goes to a REST service that reads large bodies with
    /// `read_body`, so the gateway may spool its body instead of refusing it past MAX_REQUEST_BODY_BYTES. The same
    /// order as `route`: host endpoints and JSON targets never stream; then the credential scope's service; a form
    /// or an `Action` when that names no service; then S3.
    func streamsBodies(method: String, uri: String, header: (String) -> String?) -> Bool {
        if header("X-Amz-Target") != nil { return false }
        let (path, query) = HTTPRequestData.split(uri)
        if HostEndpoints.handles(path) { return false }
        let parameters = FormDecoding.dictionary(String(query))
        let scope = CredentialScope(authorization: header("Authorization"), query: parameters)
        if let service = scope.flatMap({ runtime.registry.service(signingName: $0.service) }) {
            return service.streamsBodies
        }
        // Only the form body, not read yet, could still name a Query Action. A Query call is a GET or a POST; a
        // form-typed PUT is an upload from a client that labels every body so (curl).
        let isForm = (header("Content-Type") ?? "").lowercased().hasPrefix("application/x-www-form-urlencoded")
        if isForm, method != "PUT" { return false }
        return unscopedService(scope: scope, action: parameters["Action"])?.streamsBodies ?? false
    }

    /// The service of a request whose credential scope names no loaded service: the Query service that has its
    /// `Action`, else S3 for a request that is unsigned or signed for s3 (S3 is addressed by host and path).
    private func unscopedService(scope: CredentialScope?, action: String?) -> LoadedService? {
        if let action, let service = runtime.registry.queryService(action: action) { return service }
        guard scope == nil || scope?.service == "s3" else { return nil }
        return runtime.registry.service(signingName: "s3")
    }

    /// With SIGV4_VERIFY=1, the error a badly signed request gets; nil when it may proceed.
    private func verifySignature(_ request: HTTPRequestData, _ query: [String: String], _ protocolKind: emu_protocol)
        -> SignatureVerifier.Failure?
    {
        guard runtime.configuration.verifySignatures else { return nil }
        return SignatureVerifier(identities: runtime.identities)
            .check(request, query: query, protocolKind: protocolKind, hostClockSeconds: Double(runtime.clock.nowMilliseconds()) / 1000)
    }

    /// A fresh request id, as the host sends it in x-amzn-RequestId. Every answer carries one, errors the gateway
    /// itself produces included: SDKs put it into their exceptions, and users quote it in bug reports.
    static func newRequestId() -> String { RequestIdGenerator.shared.next() }

    /// Turns what a handler wrote into the HTTP response for its protocol.
    static func render(_ writer: ResponseWriter, protocolKind: emu_protocol, requestId: String,
                       jsonContentType: String = "application/x-amz-json-1.1", xmlNamespace: String? = nil)
        -> GatewayResponse
    {
        if let error = writer.error {
            var response = GatewayResponse.awsError(error.code, error.message, status: error.status,
                                                    protocolKind: protocolKind, requestId: requestId,
                                                    jsonContentType: jsonContentType, xmlNamespace: xmlNamespace,
                                                    fields: error.fields)
            response.stateChanges = writer.changesToCommit
            return response
        }
        var headers = writer.headers
        headers.reserveCapacity(headers.count + 2)
        let hasContentType = headers.contains { $0.0.caseInsensitiveEquals("Content-Type") }
        switch protocolKind {
        case EMU_PROTOCOL_JSON:
            if !hasContentType { headers.append(("Content-Type", jsonContentType)) }
            headers.append(("x-amzn-RequestId", requestId))
        case EMU_PROTOCOL_QUERY:
            if !hasContentType { headers.append(("Content-Type", "text/xml")) }
            headers.append(("x-amzn-RequestId", requestId))
        default:
            headers.append(("x-amz-request-id", requestId))
        }
        var response = GatewayResponse(status: writer.status, headers: headers, body: writer.body)
        response.bodyStream = writer.stream
        response.stateChanges = writer.changesToCommit
        return response
    }
}
