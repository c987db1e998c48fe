import PluginABI

/// The host's verbs as a plugin sees them: a thin Swift face over the `emu_host_api` table.
///
/// A plugin image holds one table, handed to its entry point before anything else, so a process-wide value is
/// the honest model; it is written once at entry, before any other thread can read it.
public struct PluginHost: @unchecked Sendable {
    public let api: UnsafePointer<emu_host_api>
    public let pluginName: String

    nonisolated(unsafe) public private(set) static var current: PluginHost?

    /// Records the host table; called once from the plugin's entry point.
    ///
    /// An older host's table is shorter than this plugin's `emu_host_api`: it is copied, at the host's
    /// `struct_size`, into a zeroed table of this plugin's size, so verbs the host lacks read as NULL instead of
    /// whatever follows its table in memory.
    public static func install(_ api: UnsafePointer<emu_host_api>, pluginName: String) {
        current = PluginHost(api: UnsafePointer(copyGrown(api)), pluginName: pluginName)
    }

    /// A zeroed `T` (a struct of the ABI that starts with `uint32_t struct_size`) with the first `struct_size`
    /// bytes of `source`: the fields the writer did not know read as 0.
    public static func grown<T>(_ source: UnsafePointer<T>, as type: T.Type = T.self) -> T {
        let size = Int(UnsafeRawPointer(source).load(as: UInt32.self))
        let copy = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        defer { copy.deallocate() }
        copy.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        copy.copyMemory(from: source, byteCount: min(size, MemoryLayout<T>.size))
        return copy.load(as: T.self)
    }

    /// `grown` into memory that lives for the process (the host table is read for as long as the plugin runs).
    private static func copyGrown(_ api: UnsafePointer<emu_host_api>) -> UnsafeMutablePointer<emu_host_api> {
        let table = UnsafeMutablePointer<emu_host_api>.allocate(capacity: 1)
        table.initialize(to: grown(api))
        return table
    }

    public func log(_ level: emu_log_level, _ message: String) {
        guard let log = api.pointee.log else { return }
        withEmuString(pluginName) { name in withEmuString(message) { log(level, name, $0) } }
    }

    public func info(_ message: String) { log(EMU_LOG_INFO, message) }
    public func warning(_ message: String) { log(EMU_LOG_WARNING, message) }
    public func error(_ message: String) { log(EMU_LOG_ERROR, message) }

    /// The host clock in milliseconds since 1970; tests move it forward.
    public func nowMilliseconds() -> Int64 {
        api.pointee.clock_now_ms?() ?? 0
    }

    /// The host clock in seconds since 1970, as AWS's JSON timestamps are written.
    public func nowSeconds() -> Double {
        Double(nowMilliseconds()) / 1000
    }

    public var persistenceEnabled: Bool { api.pointee.persistence_enabled?() ?? false }

    /// A configuration value (environment variable) as the host sees it.
    public func config(_ name: String) -> String? {
        guard let get = api.pointee.config_get else { return nil }
        final class Box { var value: String? }
        let box = Box()
        let found = withEmuString(name) { key in
            get(key, { user, value in
                Unmanaged<Box>.fromOpaque(user!).takeUnretainedValue().value = value.string
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return found ? box.value : nil
    }

    /// What another plugin answered on the bus.
    public struct BusResult: Sendable {
        public var httpStatus: UInt32
        public var errorCode: String
        public var errorMessage: String
        public var body: [UInt8]
        public var isSuccess: Bool { errorCode.isEmpty && httpStatus < 300 }
    }

    /// Calls `operation` of `service` in-process on behalf of `context`'s caller.
    /// - Throws: `AWSError` when the service is not loaded or the bus refuses the call; an AWS error the
    ///   callee answered is returned in the result, not thrown.
    public func busCall(_ context: RequestContext, service: String, operation: String, input: [UInt8]) throws(AWSError)
        -> BusResult
    {
        guard let raw = context.raw, let call = api.pointee.bus_call else {
            throw AWSError.internalFailure("The service bus is not available for this call.")
        }
        final class Box { var result: BusResult? }
        let box = Box()
        let status = withEmuString(service) { svc in
            withEmuString(operation) { op in
                input.withUnsafeBufferPointer { body in
                    call(raw, svc, op, body.baseAddress, body.count, { user, result in
                        guard let user, let result else { return }
                        let r = result.pointee
                        let bytes = r.body.map { Array(UnsafeBufferPointer(start: $0, count: r.body_len)) } ?? []
                        Unmanaged<Box>.fromOpaque(user).takeUnretainedValue().result = BusResult(
                            httpStatus: r.http_status, errorCode: r.error_code.string,
                            errorMessage: r.error_message.string, body: bytes)
                    }, Unmanaged.passUnretained(box).toOpaque())
                }
            }
        }
        switch status {
        case EMU_OK:
            guard let result = box.result else { throw AWSError.internalFailure() }
            return result
        case EMU_ERR_NOT_FOUND:
            throw AWSError("ServiceUnavailableException", "The \(service) service is not loaded in this host.", status: 503)
        case EMU_ERR_DEPTH_EXCEEDED:
            throw AWSError.internalFailure("Service bus call depth exceeded.")
        default:
            throw AWSError.internalFailure()
        }
    }

    /// Records a changed record for persistence; cheap when persistence is off.
    public func statePut(_ context: RequestContext, namespace: String, key: String, value: [UInt8]) throws(AWSError) {
        guard let raw = context.raw, let put = api.pointee.state_put else { return }
        let status = withEmuString(namespace) { ns in
            withEmuString(key) { k in value.withUnsafeBufferPointer { put(raw, ns, k, $0.baseAddress, $0.count) } }
        }
        if status != EMU_OK { throw AWSError.internalFailure("The change could not be stored.") }
    }

    public func stateDelete(_ context: RequestContext, namespace: String, key: String) throws(AWSError) {
        guard let raw = context.raw, let delete = api.pointee.state_delete else { return }
        let status = withEmuString(namespace) { ns in withEmuString(key) { k in delete(raw, ns, k) } }
        if status != EMU_OK { throw AWSError.internalFailure("The change could not be stored.") }
    }

    /// Who owns an access key, if the host knows it.
    public func identity(accessKeyId: String) -> (accountId: String, principalArn: String)? {
        guard let lookup = api.pointee.identity_lookup else { return nil }
        final class Box { var found: (String, String)? }
        let box = Box()
        let status = withEmuString(accessKeyId) { key in
            lookup(key, { user, identity in
                guard let user, let identity else { return }
                Unmanaged<Box>.fromOpaque(user).takeUnretainedValue().found =
                    (identity.pointee.account_id.string, identity.pointee.principal_arn.string)
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        guard status == EMU_OK, let found = box.found else { return nil }
        return (found.0, found.1)
    }

    /// What an outbound HTTP call got: a response, or no response (status 0) and why.
    public struct HTTPResult: Sendable {
        public var status: Int
        public var errorMessage: String
        public var headers: [(String, String)]
        public var body: [UInt8]
    }

    /// Sends one HTTP request through the host and waits at most `timeoutMilliseconds`. Blocks: only call it
    /// when the request context's `mayBlock` is true.
    public func httpCall(method: String, url: String, headers: [(String, String)], body: [UInt8],
                         timeoutMilliseconds: UInt32) -> HTTPResult
    {
        guard api.pointee.abi_minor >= 1, let call = api.pointee.http_call else {
            return HTTPResult(status: 0, errorMessage: "the host offers no outbound HTTP", headers: [], body: [])
        }
        final class Box { var result: HTTPResult? }
        let box = Box()
        _ = withEmuString(method) { m in
            withEmuString(url) { u in
                withEmuHeaders(headers) { headerBuffer in
                    body.withUnsafeBufferPointer { bodyBuffer in
                        call(m, u, headerBuffer.baseAddress, headerBuffer.count, bodyBuffer.baseAddress,
                             bodyBuffer.count, timeoutMilliseconds, { user, result in
                            guard let user, let result else { return }
                            let r = result.pointee
                            var headers: [(String, String)] = []
                            if let list = r.headers {
                                for index in 0..<r.header_count {
                                    headers.append((list[index].name.string, list[index].value.string))
                                }
                            }
                            let body = r.body.map { Array(UnsafeBufferPointer(start: $0, count: r.body_len)) } ?? []
                            Unmanaged<Box>.fromOpaque(user).takeUnretainedValue().result = HTTPResult(
                                status: Int(r.status), errorMessage: r.error_message.string, headers: headers,
                                body: body)
                        }, Unmanaged.passUnretained(box).toOpaque())
                    }
                }
            }
        }
        return box.result ?? HTTPResult(status: 0, errorMessage: "the host gave no result", headers: [], body: [])
    }

    /// Registers temporary credentials so the host maps requests signed with them to `principalArn`.
    public func registerIdentity(accessKeyId: String, secretAccessKey: String, accountId: String, principalArn: String,
                                 expiresMilliseconds: Int64) -> Bool
    {
        guard let register = api.pointee.identity_register else { return false }
        return withEmuString(accessKeyId) { key in
            withEmuString(secretAccessKey) { secret in
                withEmuString(accountId) { account in
                    withEmuString(principalArn) { principal in
                        register(key, secret, account, principal, expiresMilliseconds) == EMU_OK
                    }
                }
            }
        }
    }
}
