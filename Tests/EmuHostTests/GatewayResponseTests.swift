import EmuHostCore
import EmuPluginKit
import Foundation
import PluginABI
import Testing

/// AWS errors must have the exact shape SDKs parse for each protocol, or clients raise the wrong exception.
@Suite struct GatewayResponseTests {
    private func header(_ name: String, _ response: GatewayResponse) -> String? {
        response.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    @Test func jsonError() throws {
        let response = GatewayResponse.awsError("NotFoundException", "Key 'x' does not exist", status: 400,
                                                protocolKind: EMU_PROTOCOL_JSON, requestId: "req-1")
        #expect(response.status == 400)
        #expect(header("Content-Type", response) == "application/x-amz-json-1.1")
        #expect(header("x-amzn-RequestId", response) == "req-1")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(body == ["__type": "NotFoundException", "message": "Key 'x' does not exist"])
    }

    @Test func jsonErrorKeepsTheRequestsJSONVersion() {
        let response = GatewayResponse.awsError("X", "y", status: 400, protocolKind: EMU_PROTOCOL_JSON,
                                                requestId: "r", jsonContentType: "application/x-amz-json-1.0")
        #expect(header("Content-Type", response) == "application/x-amz-json-1.0")
    }

    @Test func queryError() {
        let response = GatewayResponse.awsError("InvalidAction", "Could not find <Nope> & co", status: 400,
                                                protocolKind: EMU_PROTOCOL_QUERY, requestId: "req-2",
                                                xmlNamespace: "https://sts.amazonaws.com/doc/2011-06-15/")
        let xml = String(decoding: response.body, as: UTF8.self)
        #expect(header("Content-Type", response) == "text/xml")
        #expect(header("x-amzn-RequestId", response) == "req-2")
        #expect(xml == "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            + "<Code>InvalidAction</Code><Message>Could not find &lt;Nope&gt; &amp; co</Message></Error>"
            + "<RequestId>req-2</RequestId></ErrorResponse>")
    }

    @Test func queryServerErrorIsTheReceiversFault() {
        let response = GatewayResponse.awsError("InternalFailure", "boom", status: 500,
                                                protocolKind: EMU_PROTOCOL_QUERY, requestId: "r")
        let xml = String(decoding: response.body, as: UTF8.self)
        #expect(xml.hasPrefix("<ErrorResponse><Error><Type>Receiver</Type>"))
    }

    @Test func restError() {
        let response = GatewayResponse.awsError("NoSuchBucket", "The specified bucket does not exist", status: 404,
                                                protocolKind: EMU_PROTOCOL_REST, requestId: "req-3")
        let xml = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == 404)
        #expect(header("Content-Type", response) == "application/xml")
        #expect(header("x-amz-request-id", response) == "req-3")
        #expect(xml == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
            + "<Message>The specified bucket does not exist</Message><RequestId>req-3</RequestId></Error>")
    }

    /// respond_error_fields (ABI 1.4): S3 names the bucket or key an error is about, after the message.
    @Test func restErrorWithFields() {
        let response = GatewayResponse.awsError("NoSuchKey", "The specified key does not exist.", status: 404,
                                                protocolKind: EMU_PROTOCOL_REST, requestId: "req-4",
                                                fields: [AWSErrorField("Key", "a<b>&c"), AWSErrorField("Size", "7")])
        #expect(String(decoding: response.body, as: UTF8.self) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
            + "<Key>a&lt;b&gt;&amp;c</Key><Size>7</Size><RequestId>req-4</RequestId></Error>")
    }

    /// A key with a control character must not make the error document unparseable.
    @Test func errorMembersHoldOnlyCharactersXMLCanCarry() {
        let response = GatewayResponse.awsError("NoSuchKey", "m\u{02}", status: 404, protocolKind: EMU_PROTOCOL_REST,
                                                requestId: "r", fields: [AWSErrorField("Key", "a\u{01}b\tc")])
        let xml = String(decoding: response.body, as: UTF8.self)
        #expect(xml.contains("<Key>a\u{FFFD}b\tc</Key>") && xml.contains("<Message>m\u{FFFD}</Message>"))
    }

    @Test func queryAndJSONErrorsWithFields() throws {
        let fields = [AWSErrorField("Reason", "R")]
        let query = GatewayResponse.awsError("C", "m", status: 400, protocolKind: EMU_PROTOCOL_QUERY,
                                             requestId: "r", fields: fields)
        #expect(String(decoding: query.body, as: UTF8.self) == "<ErrorResponse><Error><Type>Sender</Type>"
            + "<Code>C</Code><Message>m</Message><Reason>R</Reason></Error><RequestId>r</RequestId></ErrorResponse>")
        let json = GatewayResponse.awsError("C", "m", status: 400, protocolKind: EMU_PROTOCOL_JSON,
                                            requestId: "r", fields: fields)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: String])
        #expect(body == ["__type": "C", "message": "m", "Reason": "R"])
    }

    /// An exception without a message (KMSInvalidSignatureException) has no message member in AWS's JSON body.
    @Test func jsonErrorWithoutMessageHasNoMessageMember() throws {
        let response = GatewayResponse.awsError("KMSInvalidSignatureException", "", status: 400,
                                                protocolKind: EMU_PROTOCOL_JSON, requestId: "r")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(body == ["__type": "KMSInvalidSignatureException"])
    }

    /// ABI 1.5: a field named exactly `Message` says the model names the message member so (Secrets Manager's
    /// exceptions): JSON writes the message there and nowhere else; XML, which always has <Message>, ignores it.
    @Test func capitalizedMessageMember() throws {
        let fields = [AWSErrorField(AWSErrorField.capitalizedMessage, "Secrets Manager can't find the specified secret."),
                      AWSErrorField("Reason", "R")]
        let json = GatewayResponse.awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.",
                                            status: 400, protocolKind: EMU_PROTOCOL_JSON, requestId: "r", fields: fields)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: String])
        #expect(body == ["__type": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret.",
                         "Reason": "R"])
        let empty = GatewayResponse.awsError("ResourceNotFoundException", "", status: 400, protocolKind: EMU_PROTOCOL_JSON,
                                             requestId: "r", fields: [AWSErrorField(AWSErrorField.capitalizedMessage, "")])
        #expect(try JSONSerialization.jsonObject(with: Data(empty.body)) as? [String: String]
            == ["__type": "ResourceNotFoundException"])
        let xml = GatewayResponse.awsError("C", "m", status: 400, protocolKind: EMU_PROTOCOL_REST, requestId: "r",
                                           fields: fields)
        #expect(String(decoding: xml.body, as: UTF8.self) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Error><Code>C</Code><Message>m</Message><Reason>R</Reason><RequestId>r</RequestId></Error>")
    }

    /// The plugin kit marks an error as modelled with `Message` only for the codes the model lists so.
    @Test func modelledMessageMember() {
        let members = ["ResourceNotFoundException": "Message", "NotFoundException": "message"]
        #expect(AWSError("ResourceNotFoundException", "m").modelled(by: members).messageMember == .capitalized)
        #expect(AWSError("NotFoundException", "m").modelled(by: members).messageMember == .lowercase)
        #expect(AWSError("ValidationException", "m").modelled(by: members).messageMember == .lowercase)
    }

    /// A field is written unescaped as an element name and a JSON member, so only plain names pass, and none that
    /// would stand in for what the host writes itself.
    @Test(arguments: [("BucketName", true), ("Key", true), ("ETag2", true), ("", false), ("2Key", false),
                      ("Bucket Name", false), ("Content-MD5", true), ("-x", false), ("a<b", false), ("Code", false), ("RequestId", false),
                      ("message", false), ("__type", false), ("code", false), ("MESSAGE", false), ("Ünicode", false), (String(repeating: "a", count: 65), false)])
    func errorFieldNames(name: String, allowed: Bool) {
        #expect(AWSErrorField.isAllowed(name: name) == allowed)
    }
}
