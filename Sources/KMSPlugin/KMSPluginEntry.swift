import EmuPluginKit
import PluginABI

/// The entry the host looks up with dlsym.
@_cdecl("emu_plugin_entry_v1")
public func emuPluginEntryV1(_ host: UnsafePointer<emu_host_api>?) -> UnsafePointer<emu_plugin_descriptor>? {
    guard let host else { return nil }
    PluginHost.install(host, pluginName: "kms")
    return KMSPluginEntry.descriptor
}

enum KMSPluginEntry {
    nonisolated(unsafe) static let descriptor: UnsafePointer<emu_plugin_descriptor> = {
        let service = ServiceDefinition(id: "kms", protocolKind: EMU_PROTOCOL_JSON, targetPrefix: "TrentService",
                                        signingName: "kms", apiVersion: "2014-11-01", operations: [])
        return PluginDefinition(name: "kms", version: "0.1.0", stateFormatVersion: 1, services: [service])
            .makeDescriptor()
    }()
}
