import EmuPluginKit
import PluginABI

/// The entry the host looks up with dlsym.
@_cdecl("emu_plugin_entry_v1")
public func emuPluginEntryV1(_ host: UnsafePointer<emu_host_api>?) -> UnsafePointer<emu_plugin_descriptor>? {
    guard let host else { return nil }
    PluginHost.install(host, pluginName: "s3")
    return S3PluginEntry.descriptor
}

/// The S3 plugin's static descriptor: the REST-XML service `s3` (signing name `s3`, API 2006-03-01) served by one
/// raw HTTP handler, and the hooks for persistence (state load and reset) and the tick that removes retired
/// body blobs.
enum S3PluginEntry {
    static let version = "0.1.0"

    nonisolated(unsafe) static let descriptor: UnsafePointer<emu_plugin_descriptor> = {
        let service = S3Service()
        let definition = PluginDefinition(
            name: "s3", version: version, stateFormatVersion: S3Persistence.formatVersion,
            services: [ServiceDefinition(id: "s3", protocolKind: EMU_PROTOCOL_REST, signingName: "s3",
                                         apiVersion: "2006-03-01", operations: [], streamsBodies: true) { context, request in
                try service.handle(context, request)
            }])
        definition.onStateLoad = { record in S3Persistence.load(record, into: service.store, keyring: service.keys.keyring) }
        definition.onStateReset = { service.reset() }
        definition.onTick = { context in service.tick(context) }
        definition.onShutdown = { service.blobs.shutdown() }
        return definition.makeDescriptor()
    }()
}
