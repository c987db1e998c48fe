import EmuPluginKit
import PluginABI

/// The entry the host looks up with dlsym.
@_cdecl("emu_plugin_entry_v1")
public func emuPluginEntryV1(_ host: UnsafePointer<emu_host_api>?) -> UnsafePointer<emu_plugin_descriptor>? {
    guard let host else { return nil }
    PluginHost.install(host, pluginName: "kms")
    return KMSPluginEntry.descriptor
}

/// The KMS plugin's static descriptor: the AWS JSON 1.1 service `TrentService`, its operations and hooks.
enum KMSPluginEntry {
    static let version = "0.1.0"
    static let service = KmsService()

    nonisolated(unsafe) static let descriptor: UnsafePointer<emu_plugin_descriptor> = {
        let service = KMSPluginEntry.service
        let operations = JSONOperation.definitions(
            KmsService.operations, exceptionMessageMembers: KMSServiceModel.exceptionMessageMembers
        ) { try service.handle($0, $1, $2) }
        let definition = PluginDefinition(
            name: "kms", version: version, stateFormatVersion: KmsRecords.formatVersion,
            services: [ServiceDefinition(id: "kms", protocolKind: EMU_PROTOCOL_JSON, targetPrefix: "TrentService",
                                         signingName: "kms", apiVersion: "2014-11-01", operations: operations)])
        definition.onInit = { service.start() }
        definition.onStateReset = {
            service.state.removeAll()
            service.lastUsage.removeAll()
            // The seed file is the host's starting state: a reset (and an import, which starts with one) returns to
            // it, as a fresh start would, rather than to nothing.
            _ = service.seed()
        }
        definition.onTick = { context in
            RequestScope.with(context) {
                service.tick()
                service.flushBackgroundRecords(context)
            }
        }
        definition.onStateLoad = { record in service.load(record) }
        definition.onStateSnapshot = {
            do {
                return try KmsPersistence.snapshot(state: service.state, lastUsage: service.lastUsage)
            } catch {
                service.host.error("the KMS state could not be written out: \(error)")
                return nil
            }
        }
        return definition.makeDescriptor()
    }()
}
