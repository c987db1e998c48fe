/// An error the client must see, in AWS's terms: the `__type` code, the message and the HTTP status.
///
/// Every operation throws this one type; the plugin kit turns it into `respond_error`, so the host renders it
/// in the service's protocol. Anything else thrown becomes an `InternalFailure` (HTTP 500), which is a bug.
public struct AWSError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public var httpStatus: UInt32
    /// Further members of the error, where AWS sends them (S3 names the bucket, key or argument); the host writes
    /// them after the message. Over the bus only the code and message travel.
    public var fields: [AWSErrorField]
    /// The JSON member the message goes under. AWS writes a modelled exception as its shape, so the model's name
    /// for the member counts: `message` for most services (KMS), `Message` for Secrets Manager's exceptions. The
    /// Go SDK v2 reads only the modelled name, and shows other errors' messages as empty.
    public var messageMember: MessageMember = .lowercase
    /// HTTP headers AWS sends with this error (S3's `x-amz-delete-marker` on a 404 for a key whose latest version is
    /// a delete marker). The ABI's error call carries none, so the kit writes such an error from a REST service's
    /// HTTP handler as a REST-XML response of its own (`restXMLResponse`); from a JSON or Query operation they are
    /// dropped.
    public var responseHeaders: [AWSErrorField] = []

    public enum MessageMember: Sendable, Equatable {
        case lowercase
        case capitalized
    }

    public init(_ code: String, _ message: String = "", status: UInt32 = 400, fields: [AWSErrorField] = []) {
        self.code = code
        self.message = message
        self.httpStatus = status
        self.fields = fields
    }

    /// This error with its message under the member the service model names for it (`exceptionMessageMembers`, code
    /// to member, from the generated model); errors the model does not list (ValidationException, the host's own)
    /// keep `message`.
    public func modelled(by exceptionMessageMembers: [String: String]) -> AWSError {
        guard exceptionMessageMembers[code] == AWSErrorField.capitalizedMessage else { return self }
        var error = self
        error.messageMember = .capitalized
        return error
    }

    /// This error as a REST-XML service (S3) writes it, with its response headers, for `requestId`.
    public func restXMLResponse(requestId: String) -> OperationOutput {
        let body = restXMLErrorDocument(code: code, message: message, fields: fields, requestId: requestId)
        return OperationOutput(body: Array(body.utf8), status: httpStatus,
                               headers: [("Content-Type", "application/xml")] + responseHeaders.map { ($0.name, $0.value) })
    }

    /// AWS's `ValidationException` with its usual "1 validation error detected: ..." or free-form message.
    public static func validation(_ message: String) -> AWSError {
        AWSError("ValidationException", message)
    }

    public static func notFound(_ message: String) -> AWSError {
        AWSError("NotFoundException", message)
    }

    /// AWS's serialisation error: the body is not the JSON the operation expects.
    public static func serialization(_ message: String = "") -> AWSError {
        AWSError("SerializationException", message)
    }

    /// Stands for `WouldBlock` where a function's typed throws admit only AWSError; the plugin kit turns it into
    /// EMU_ERR_WOULD_BLOCK, so it never reaches a client.
    public static let wouldBlock = AWSError("EmuWouldBlock", "", status: 0)

    public static func internalFailure(_ message: String = "An internal error occurred.") -> AWSError {
        AWSError("InternalFailure", message, status: 500)
    }
}

/// Thrown by an operation that runs on the host's event loop (`RequestContext.mayBlock` is false) and finds it
/// must block, before it has changed anything: the host runs it again on a thread that may block.
public struct WouldBlock: Error, Sendable {
    public init() {}
}
