import PluginABI

/// The caller of one request, copied out of the borrowed `emu_request_context` so operations can keep it.
///
/// The raw pointer stays valid only during the handler call; `state_put` and bus calls made from the handler
/// use it to tie their work to the request.
public struct RequestContext: @unchecked Sendable {
    public let accountId: String
    public let region: String
    public let requestId: String
    public let principalArn: String
    public let accessKeyId: String
    public let service: String
    public let operation: String
    /// Empty for a client request; the calling service's signing name on a bus call (`kms:ViaService`).
    public let viaService: String
    public let busDepth: UInt32
    /// False while the handler runs on the host's event loop: blocking work must throw `WouldBlock` first.
    public let mayBlock: Bool
    /// Borrowed from the host for the duration of the handler call only.
    public let raw: UnsafePointer<emu_request_context>?

    public init(_ raw: UnsafePointer<emu_request_context>) {
        let ctx = raw.pointee
        accountId = ctx.account_id.string
        region = ctx.region.string
        requestId = ctx.request_id.string
        principalArn = ctx.principal_arn.string
        accessKeyId = ctx.access_key_id.string
        service = ctx.service.string
        operation = ctx.operation.string
        viaService = ctx.via_service.string
        busDepth = ctx.bus_depth
        mayBlock = ctx.struct_size >= UInt32(MemoryLayout<emu_request_context>.size) ? ctx.may_block : true
        self.raw = raw
    }

    /// This request as a service acting for the caller in another Region sees it: the same caller and request, the
    /// region `region`. For bus calls a service makes there on the caller's behalf, as Secrets Manager asks KMS in
    /// a replica's Region to encrypt the replica. The context `body` gets is valid inside `body` only.
    public func inRegion<R>(_ region: String, _ body: (RequestContext) throws(AWSError) -> R) throws(AWSError) -> R {
        guard var copy = raw?.pointee else {
            return try body(RequestContext(accountId: accountId, region: region, principalArn: principalArn,
                                           operation: operation))
        }
        let result: Result<R, AWSError> = withEmuString(region) { regionString in
            copy.region = regionString
            return withUnsafePointer(to: &copy) { pointer in
                do throws(AWSError) {
                    return .success(try body(RequestContext(pointer)))
                } catch {
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    /// A context with no host request behind it, for work the plugin does itself (loading a seed file).
    public init(accountId: String, region: String, principalArn: String = "", operation: String = "") {
        self.accountId = accountId
        self.region = region
        self.requestId = ""
        self.principalArn = principalArn
        self.accessKeyId = ""
        self.service = ""
        self.operation = operation
        self.viaService = ""
        self.busDepth = 0
        self.mayBlock = true
        self.raw = nil
    }
}
