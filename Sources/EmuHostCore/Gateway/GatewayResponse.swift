import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PluginABI

/// A complete HTTP response, ready for the wire.
public struct GatewayResponse: Sendable {
    public var status: UInt32
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// A body pulled from the plugin as the client reads it (S3 GetObject of a large object); `body` is then empty.
    public var bodyStream: ResponseBodyStream?
    /// Close the connection after this response (the request could not be read to its end).
    public var closeConnection: Bool = false
    /// State changes to make durable before this response may leave (PERSISTENCE=1).
    public var stateChanges: [StateRecordRow] = []

    public init(status: UInt32, headers: [(String, String)] = [], body: [UInt8] = [], closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// A JSON body from a Codable value (host endpoints).
    public static func json<T: Encodable>(_ value: T, status: UInt32 = 200) -> GatewayResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
        return GatewayResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// An AWS error in the shape of `protocolKind`, with the request id where AWS puts it, and the error's further
    /// members (`fields`, such as S3's BucketName) after the message.
    public static func awsError(_ code: String, _ message: String, status: UInt32, protocolKind: emu_protocol,
                                requestId: String, jsonContentType: String = "application/x-amz-json-1.1",
                                xmlNamespace: String? = nil, fields: [AWSErrorField] = []) -> GatewayResponse
    {
        switch protocolKind {
        case EMU_PROTOCOL_QUERY:
            let namespace = xmlNamespace.map { " xmlns=\"\($0)\"" } ?? ""
            let type = status >= 500 ? "Receiver" : "Sender"
            let xml = "<ErrorResponse\(namespace)><Error><Type>\(type)</Type>\(xmlElement("Code", code))"
                + "\(xmlTextElement("Message", message))\(xmlErrorMembers(fields))</Error>\(xmlElement("RequestId", requestId))"
                + "</ErrorResponse>"
            return GatewayResponse(status: status, headers: [("Content-Type", "text/xml"),
                                                             ("x-amzn-RequestId", requestId)], body: Array(xml.utf8))
        case EMU_PROTOCOL_REST:
            let xml = restXMLErrorDocument(code: code, message: message, fields: fields, requestId: requestId)
            return GatewayResponse(status: status, headers: [("Content-Type", "application/xml"),
                                                             ("x-amz-request-id", requestId)], body: Array(xml.utf8))
        default:
            var members: [String: JSONValue] = [:]
            var messageMember = "message"
            for field in fields {
                if field.name == AWSErrorField.capitalizedMessage {
                    messageMember = field.name
                } else {
                    members[field.name] = .string(field.value)
                }
            }
            members["__type"] = .string(code)
            // An exception without a message has no message member: AWS leaves it out (KMS's
            // KMSInvalidSignatureException, for one), so SDKs find none rather than an empty one.
            if !message.isEmpty { members[messageMember] = .string(message) }
            let body = JSONValue.object(members)
            return GatewayResponse(status: status, headers: [("Content-Type", jsonContentType),
                                                             ("x-amzn-RequestId", requestId)],
                                   body: body.serialized())
        }
    }
}
