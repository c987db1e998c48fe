import PluginABI

/// How a Swift operation handler answers: a body, and for the rare operation that needs them, headers.
public struct OperationOutput: Sendable {
    public var body: [UInt8]
    public var status: UInt32
    public var headers: [(String, String)]
    /// A body produced piece by piece instead of `body` (REST services, ABI 1.2): the host pulls it as the client
    /// reads, so a large object never sits in memory.
    public var bodySource: (any ResponseBodySource)?

    public init(body: [UInt8], status: UInt32 = 200, headers: [(String, String)] = []) {
        self.body = body
        self.status = status
        self.headers = headers
    }

    /// A streamed answer of `source.length` bytes.
    public init(streaming source: any ResponseBodySource, status: UInt32 = 200, headers: [(String, String)] = []) {
        self.body = []
        self.status = status
        self.headers = headers
        self.bodySource = source
    }

    /// A JSON protocol answer.
    public static func json(_ value: JSONValue) -> OperationOutput {
        OperationOutput(body: value.serialized())
    }
}

/// One operation of a JSON or Query service.
public struct OperationDefinition: Sendable {
    /// Throws `AWSError` for what the client must see; any other error is a bug, answered as InternalFailure.
    public typealias Handler = @Sendable (RequestContext, UnsafeRawBufferPointer) throws -> OperationOutput

    public var name: String
    public var flags: UInt32
    public var handler: Handler

    /// - Parameters:
    ///   - nonBlocking: the handler is fast and never blocks, so the host may run it on its event loop.
    ///   - mutating: the handler changes state that persistence must commit before the answer leaves.
    public init(_ name: String, nonBlocking: Bool = false, mutating: Bool = false, handler: @escaping Handler) {
        self.name = name
        self.flags = (nonBlocking ? UInt32(EMU_OP_NONBLOCKING) : 0) | (mutating ? UInt32(EMU_OP_MUTATING) : 0)
        self.handler = handler
    }
}

/// A raw HTTP request for a REST service, copied out of the borrowed C request.
public struct HTTPRequestView: Sendable {
    public var method: String
    public var path: String
    public var query: String
    public var headers: [(String, String)]
    /// The body, when the host held it in memory; empty when it is streamed (`bodyStream`).
    public var body: [UInt8]
    /// The body the host spooled because it was too large for memory (services with `streamsBodies` only),
    /// readable during the handler call only.
    public var bodyStream: RequestBodyStream?

    public init(method: String, path: String, query: String, headers: [(String, String)], body: [UInt8],
                bodyStream: RequestBodyStream? = nil)
    {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.bodyStream = bodyStream
    }

    /// The first header with this name, compared case-insensitively as HTTP does.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0.lowercased() == lowered }?.1
    }
}

/// One service a plugin serves.
public struct ServiceDefinition: Sendable {
    public typealias HTTPHandler = @Sendable (RequestContext, HTTPRequestView) throws -> OperationOutput

    public var id: String
    public var protocolKind: emu_protocol
    public var targetPrefix: String?
    public var signingName: String
    public var apiVersion: String
    public var operations: [OperationDefinition]
    public var httpHandler: HTTPHandler?
    /// The HTTP handler reads bodies past the host's in-memory limit from `HTTPRequestView.bodyStream`.
    public var streamsBodies: Bool

    public init(id: String, protocolKind: emu_protocol, targetPrefix: String? = nil, signingName: String,
                apiVersion: String, operations: [OperationDefinition], streamsBodies: Bool = false,
                httpHandler: HTTPHandler? = nil)
    {
        self.streamsBodies = streamsBodies
        self.id = id
        self.protocolKind = protocolKind
        self.targetPrefix = targetPrefix
        self.signingName = signingName
        self.apiVersion = apiVersion
        self.operations = operations
        self.httpHandler = httpHandler
    }
}

/// A stored record handed back at start-up, or handed to the host in a snapshot.
public struct StateRecord: Sendable {
    public var namespace: String
    public var key: String
    public var value: [UInt8]
    public var formatVersion: UInt32

    public init(namespace: String, key: String, value: [UInt8], formatVersion: UInt32) {
        self.namespace = namespace
        self.key = key
        self.value = value
        self.formatVersion = formatVersion
    }

    /// Copies a record that C lends for the duration of a call.
    public init(_ record: emu_state_record) {
        self.init(namespace: record.ns.string, key: record.key.string,
                  value: record.value.map { Array(UnsafeBufferPointer(start: $0, count: record.value_len)) } ?? [],
                  formatVersion: record.format_version)
    }

    /// Lends the record to C as an `emu_state_record` for the duration of `body`.
    public func withCRecord<R>(_ body: (UnsafePointer<emu_state_record>) -> R) -> R {
        withEmuString(namespace) { ns in
            withEmuString(key) { key in
                value.withUnsafeBufferPointer { bytes in
                    var record = emu_state_record(
                        struct_size: UInt32(MemoryLayout<emu_state_record>.size), ns: ns, key: key,
                        value: bytes.baseAddress, value_len: bytes.count, format_version: formatVersion)
                    return withUnsafePointer(to: &record, body)
                }
            }
        }
    }
}

/// Everything a Swift plugin declares; `makeDescriptor` turns it into the static C descriptor the host reads.
///
/// The C structures are allocated once and never freed: the ABI promises the host that the descriptor lives for
/// the whole process, and plugins are never unloaded.
public final class PluginDefinition: @unchecked Sendable {
    public let name: String
    public let version: String
    public let stateFormatVersion: UInt32
    public let services: [ServiceDefinition]
    public var onInit: (@Sendable () -> Bool)?
    public var onShutdown: (@Sendable () -> Void)?
    /// Returns false for a record format the plugin cannot read.
    public var onStateLoad: (@Sendable (StateRecord) -> Bool)?
    public var onStateReset: (@Sendable () -> Void)?
    public var onTick: (@Sendable (RequestContext) -> Void)?
    /// The plugin's whole present state, as the records `state_put` would have stored (ABI 1.3). Without
    /// PERSISTENCE it is what the host exports, and what it loads back when an import fails. nil: it failed.
    public var onStateSnapshot: (@Sendable () -> [StateRecord]?)?

    public init(name: String, version: String, stateFormatVersion: UInt32, services: [ServiceDefinition]) {
        self.name = name
        self.version = version
        self.stateFormatVersion = stateFormatVersion
        self.services = services
    }

    /// Builds the C descriptor. Call once, from the plugin's entry point, and return the pointer it gives.
    public func makeDescriptor() -> UnsafePointer<emu_plugin_descriptor> {
        let selfPointer = Unmanaged.passRetained(self).toOpaque()
        let cServices = UnsafeMutablePointer<emu_service>.allocate(capacity: max(services.count, 1))
        for (index, service) in services.enumerated() {
            let ops = UnsafeMutablePointer<emu_operation>.allocate(capacity: max(service.operations.count, 1))
            for (opIndex, op) in service.operations.enumerated() {
                let box = Unmanaged.passRetained(OperationBox(op)).toOpaque()
                ops.advanced(by: opIndex).initialize(to: emu_operation(
                    name: permanentCString(op.name), handler: operationTrampoline, user_data: box, flags: op.flags))
            }
            cServices.advanced(by: index).initialize(to: emu_service(
                struct_size: UInt32(MemoryLayout<emu_service>.size),
                id: permanentCString(service.id),
                protocol: service.protocolKind,
                target_prefix: service.targetPrefix.map(permanentCString),
                signing_name: permanentCString(service.signingName),
                api_version: permanentCString(service.apiVersion),
                operations: UnsafePointer(ops),
                operation_count: service.operations.count,
                on_http: service.httpHandler == nil ? nil : httpTrampoline,
                flags: service.streamsBodies ? UInt32(EMU_SERVICE_STREAMS_BODIES) : 0))
        }
        let descriptor = UnsafeMutablePointer<emu_plugin_descriptor>.allocate(capacity: 1)
        descriptor.initialize(to: emu_plugin_descriptor(
            struct_size: UInt32(MemoryLayout<emu_plugin_descriptor>.size),
            abi_major: EMU_ABI_MAJOR,
            abi_minor: EMU_ABI_MINOR,
            name: permanentCString(name),
            version: permanentCString(version),
            toolchain: permanentCString(swiftToolchainIdentifier),
            services: UnsafePointer(cServices),
            service_count: services.count,
            state_format_version: stateFormatVersion,
            plugin_data: selfPointer,
            on_init: { data in
                let plugin = Unmanaged<PluginDefinition>.fromOpaque(data!).takeUnretainedValue()
                return (plugin.onInit?() ?? true) ? EMU_OK : EMU_ERR_INTERNAL
            },
            on_shutdown: { data in
                Unmanaged<PluginDefinition>.fromOpaque(data!).takeUnretainedValue().onShutdown?()
            },
            on_state_load: { data, record in
                let plugin = Unmanaged<PluginDefinition>.fromOpaque(data!).takeUnretainedValue()
                guard let record, let load = plugin.onStateLoad else { return EMU_ERR_INVALID_ARGUMENT }
                return load(StateRecord(record.pointee)) ? EMU_OK : EMU_ERR_INVALID_ARGUMENT
            },
            on_state_reset: { data in
                Unmanaged<PluginDefinition>.fromOpaque(data!).takeUnretainedValue().onStateReset?()
            },
            on_tick: { data, ctx in
                let plugin = Unmanaged<PluginDefinition>.fromOpaque(data!).takeUnretainedValue()
                guard let ctx else { return }
                plugin.onTick?(RequestContext(ctx))
            },
            on_state_snapshot: onStateSnapshot == nil ? nil : { data, sink, sinkContext in
                let plugin = Unmanaged<PluginDefinition>.fromOpaque(data!).takeUnretainedValue()
                guard let sink else { return EMU_ERR_INVALID_ARGUMENT }
                guard let records = plugin.onStateSnapshot?() else { return EMU_ERR_INTERNAL }
                for record in records {
                    let status = record.withCRecord { sink(sinkContext, $0) }
                    if status != EMU_OK { return status }
                }
                return EMU_OK
            }))
        return UnsafePointer(descriptor)
    }
}

/// Keeps an operation's Swift closure alive behind the C table's `user_data`.
private final class OperationBox {
    let definition: OperationDefinition
    init(_ definition: OperationDefinition) { self.definition = definition }
}

/// Writes an operation's outcome through the host's writer: a success body, or an AWS error reply.
private func write(_ result: Result<OperationOutput, AWSError>, to writer: OpaquePointer?) {
    guard let api = PluginHost.current?.api.pointee else { return }
    switch result {
    case .success(let output):
        if output.status != 200 { api.set_status?(writer, output.status) }
        for (name, value) in output.headers {
            withEmuString(name) { n in withEmuString(value) { v in api.add_header?(writer, n, v) } }
        }
        if let source = output.bodySource {
            ResponseBodySourceBridge.respond(source, writer: writer, api: api)
            return
        }
        output.body.withUnsafeBufferPointer { api.respond?(writer, $0.baseAddress, $0.count) }
    case .failure(let error):
        withEmuString(error.code) { code in
            withEmuString(error.message) { message in
                // A host before ABI 1.4 has no respond_error_fields (its copied table reads NULL there): it gets the
                // code and message alone. Only a host of ABI 1.5 or later takes the capitalized-message field;
                // an older one writes `message`.
                var fields = error.fields.map { ($0.name, $0.value) }
                if error.messageMember == .capitalized, !error.message.isEmpty, api.abi_minor >= 5 {
                    fields.append((AWSErrorField.capitalizedMessage, error.message))
                }
                guard !fields.isEmpty, let respondWithFields = api.respond_error_fields else {
                    api.respond_error?(writer, code, message, error.httpStatus)
                    return
                }
                withEmuHeaders(fields) { fields in
                    respondWithFields(writer, code, message, error.httpStatus, fields.baseAddress, fields.count)
                }
            }
        }
    }
}

private let operationTrampoline: emu_operation_handler = { opData, ctx, input, inputLength, writer in
    guard let opData, let ctx else { return EMU_ERR_INVALID_ARGUMENT }
    let op = Unmanaged<OperationBox>.fromOpaque(opData).takeUnretainedValue().definition
    let context = RequestContext(ctx)
    let body = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : inputLength)
    let result: Result<OperationOutput, AWSError>
    do {
        result = .success(try op.handler(context, body))
    } catch is WouldBlock {
        return EMU_ERR_WOULD_BLOCK
    } catch let error as AWSError where error == .wouldBlock {
        return EMU_ERR_WOULD_BLOCK
    } catch {
        result = .failure(asAWSError(error, operation: op.name))
    }
    write(result, to: writer)
    return EMU_OK
}

private let httpTrampoline: emu_http_handler = { pluginData, ctx, request, writer in
    guard let pluginData, let ctx, let request else { return EMU_ERR_INVALID_ARGUMENT }
    let plugin = Unmanaged<PluginDefinition>.fromOpaque(pluginData).takeUnretainedValue()
    let context = RequestContext(ctx)
    guard let service = plugin.services.first(where: { $0.id == context.service }) ?? plugin.services.first,
        let handler = service.httpHandler
    else { return EMU_ERR_NOT_FOUND }
    let r = PluginHost.grown(request)
    var headers: [(String, String)] = []
    if let list = r.headers {
        for index in 0..<r.header_count { headers.append((list[index].name.string, list[index].value.string)) }
    }
    let streamed = r.body_streamed
    let body = streamed ? [] : r.body.map { Array(UnsafeBufferPointer(start: $0, count: r.body_len)) } ?? []
    let stream = streamed ? RequestBodyStream(request: request, length: Int64(r.body_len)) : nil
    defer { stream?.invalidate() }
    let view = HTTPRequestView(method: r.method.string, path: r.path.string, query: r.query.string,
                               headers: headers, body: body, bodyStream: stream)
    let result: Result<OperationOutput, AWSError>
    do {
        result = .success(try handler(context, view))
    } catch {
        let failure = asAWSError(error, operation: view.method)
        // The host's error call has no room for headers: an error that carries some is written out whole.
        result = failure.responseHeaders.isEmpty
            ? .failure(failure) : .success(failure.restXMLResponse(requestId: context.requestId))
    }
    write(result, to: writer)
    return EMU_OK
}

/// The AWS error to answer with: itself, or for anything else (a bug) an InternalFailure, logged.
private func asAWSError(_ error: any Error, operation: String) -> AWSError {
    if let error = error as? AWSError { return error }
    PluginHost.current?.log(EMU_LOG_ERROR, "\(operation) failed unexpectedly: \(error)")
    return AWSError.internalFailure()
}
