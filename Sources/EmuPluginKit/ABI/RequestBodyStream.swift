import PluginABI

/// A request body the host spooled because it was too large for memory, read front to back with the host's
/// `read_body` verb (ABI 1.2).
///
/// It borrows the C request of the handler call, so it works only during that call: afterwards `read` fails
/// rather than touching memory the host has released.
public final class RequestBodyStream: @unchecked Sendable {
    /// The body's length in bytes, as it arrived on the wire.
    public let length: Int64
    private var request: UnsafePointer<emu_http_request>?

    init(request: UnsafePointer<emu_http_request>, length: Int64) {
        self.request = request
        self.length = length
    }

    func invalidate() { request = nil }

    /// The next bytes, at most `maximum`; empty at the end.
    /// - Throws: InternalFailure when the host cannot read the spooled body, or after the handler call.
    public func read(maximum: Int) throws(AWSError) -> [UInt8] {
        guard let request, let api = PluginHost.current?.api.pointee, let readBody = api.read_body
        else { throw AWSError.internalFailure("The request body is no longer readable.") }
        var buffer = [UInt8](repeating: 0, count: maximum)
        var count = 0
        let status = buffer.withUnsafeMutableBufferPointer { readBody(request, $0.baseAddress, $0.count, &count) }
        guard status == EMU_OK, count <= maximum else {
            throw AWSError.internalFailure("The request body could not be read.")
        }
        buffer.removeSubrange(count...)
        return buffer
    }
}
