import EmuPluginKit
import PluginABI

/// One service of a loaded plugin, with its operations indexed by name for routing.
public final class LoadedService: @unchecked Sendable {
    public let id: String
    public let protocolKind: emu_protocol
    public let targetPrefix: String?
    public let signingName: String
    public let apiVersion: String
    /// The C operation table entries, by operation name; they point into the plugin's static descriptor.
    let operations: [String: emu_operation]
    let httpHandler: emu_http_handler?
    /// The REST handler reads large bodies with read_body (EMU_SERVICE_STREAMS_BODIES): the gateway spools them.
    public let streamsBodies: Bool
    let pluginData: UnsafeMutableRawPointer?
    public unowned(unsafe) let plugin: LoadedPlugin

    init(_ service: emu_service, plugin: LoadedPlugin, pluginData: UnsafeMutableRawPointer?) {
        id = String(cString: service.id)
        protocolKind = service.protocol
        targetPrefix = service.target_prefix.map { String(cString: $0) }
        signingName = service.signing_name.map { String(cString: $0) } ?? String(cString: service.id)
        apiVersion = service.api_version.map { String(cString: $0) } ?? ""
        var ops: [String: emu_operation] = [:]
        if let table = service.operations {
            for index in 0..<service.operation_count {
                let op = table[index]
                guard let name = op.name, op.handler != nil else { continue }
                ops[String(cString: name)] = op
            }
        }
        operations = ops
        httpHandler = service.on_http
        streamsBodies = service.protocol == EMU_PROTOCOL_REST
            && service.flags & UInt32(EMU_SERVICE_STREAMS_BODIES) != 0
        self.pluginData = pluginData
        self.plugin = plugin
    }

    public var operationNames: [String] { operations.keys.sorted() }

    public var protocolName: String {
        switch protocolKind {
        case EMU_PROTOCOL_JSON: return "json"
        case EMU_PROTOCOL_QUERY: return "query"
        case EMU_PROTOCOL_REST: return "rest"
        default: return "unknown"
        }
    }
}

/// A plugin the host accepted: its static descriptor and the services it serves here.
public final class LoadedPlugin: @unchecked Sendable {
    public let path: String
    public let name: String
    public let version: String
    public let toolchain: String
    public let abiMajor: UInt32
    public let abiMinor: UInt32
    public let stateFormatVersion: UInt32
    /// A copy of the plugin's descriptor, with the fields its struct_size does not reach read as zero (NULL hooks).
    let descriptor: emu_plugin_descriptor
    /// Services selected by SERVICES (all of them when SERVICES is unset).
    public private(set) var services: [LoadedService] = []

    /// The size of an ABI 1.0–1.2 descriptor, the smallest a host accepts: everything up to on_tick.
    static let minimumDescriptorSize = MemoryLayout<emu_plugin_descriptor>.offset(of: \emu_plugin_descriptor.on_state_snapshot)!

    /// Copies as much of the descriptor as the plugin says it has (a plugin built against an older minor has a
    /// smaller one), so a field appended later is never read past the end of the plugin's struct.
    /// - Returns: nil when its struct_size is below ABI 1.0's.
    static func readDescriptor(_ pointer: UnsafePointer<emu_plugin_descriptor>) -> emu_plugin_descriptor? {
        let size = Int(UnsafeRawPointer(pointer).load(as: UInt32.self))
        guard size >= minimumDescriptorSize else { return nil }
        var copy = emu_plugin_descriptor()
        withUnsafeMutableBytes(of: &copy) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: min(size, target.count)))
        }
        return copy
    }

    init(path: String, descriptor d: emu_plugin_descriptor, selected: (String) -> Bool) {
        self.path = path
        self.descriptor = d
        name = String(cString: d.name)
        version = d.version.map { String(cString: $0) } ?? "0.0.0"
        toolchain = d.toolchain.map { String(cString: $0) } ?? "unknown"
        abiMajor = d.abi_major
        abiMinor = d.abi_minor
        stateFormatVersion = d.state_format_version
        var list: [LoadedService] = []
        if let table = d.services {
            let services = ServiceTable(table, count: d.service_count)
            for index in 0..<d.service_count {
                let service = LoadedService(services[index], plugin: self, pluginData: d.plugin_data)
                if selected(service.id) { list.append(service) }
            }
        }
        services = list
    }

    var pluginData: UnsafeMutableRawPointer? { descriptor.plugin_data }

    func initialize() -> emu_status {
        guard let onInit = descriptor.on_init else { return EMU_ERR_INVALID_ARGUMENT }
        return onInit(pluginData)
    }

    func shutdown() { descriptor.on_shutdown?(pluginData) }

    func reset() { descriptor.on_state_reset?(pluginData) }

    var hasTick: Bool { descriptor.on_tick != nil }

    func tick(_ context: UnsafePointer<emu_request_context>) { descriptor.on_tick?(pluginData, context) }

    var canLoadState: Bool { descriptor.on_state_load != nil }

    func loadState(_ record: UnsafePointer<emu_state_record>) -> emu_status {
        descriptor.on_state_load?(pluginData, record) ?? EMU_ERR_INVALID_ARGUMENT
    }

    /// The plugin can hand over its present state (ABI 1.3 on_state_snapshot).
    var canSnapshot: Bool { descriptor.on_state_snapshot != nil }

    /// The plugin's present state as records, or nil when it has no on_state_snapshot or the snapshot failed.
    func snapshot() -> [StateRecordRow]? {
        guard let hook = descriptor.on_state_snapshot else { return nil }
        final class Collector {
            let plugin: String
            var rows: [StateRecordRow] = []
            init(plugin: String) { self.plugin = plugin }
        }
        let collector = Collector(plugin: name)
        let status = withExtendedLifetime(collector) {
            hook(pluginData, { context, record in
                guard let context, let record else { return EMU_ERR_INVALID_ARGUMENT }
                let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
                collector.rows.append(StateRecordRow(plugin: collector.plugin, record: record.pointee))
                return EMU_OK
            }, Unmanaged.passUnretained(collector).toOpaque())
        }
        return status == EMU_OK ? collector.rows : nil
    }
}
