import EmuPluginKit
import PluginABI

/// The entry the host looks up with dlsym.
@_cdecl("emu_plugin_entry_v1")
public func emuPluginEntryV1(_ host: UnsafePointer<emu_host_api>?) -> UnsafePointer<emu_plugin_descriptor>? {
    guard let host else { return nil }
    PluginHost.install(host, pluginName: "secretsmanager")
    return SecretsManagerPluginEntry.descriptor
}

/// The Secrets Manager plugin's static descriptor: the AWS JSON 1.1 service `secretsmanager`, its operations and
/// hooks (state load and reset for persistence, the tick that ends recovery windows).
enum SecretsManagerPluginEntry {
    static let version = "0.1.0"
    static let service = SecretsService()

    nonisolated(unsafe) static let descriptor: UnsafePointer<emu_plugin_descriptor> = {
        let service = SecretsManagerPluginEntry.service
        let operations = JSONOperation.definitions(
            SecretsService.operations, exceptionMessageMembers: SecretsManagerServiceModel.exceptionMessageMembers
        ) { try service.handle($0, $1, $2) }
        let definition = PluginDefinition(
            name: "secretsmanager", version: version, stateFormatVersion: SecretsPersistence.formatVersion,
            services: [ServiceDefinition(id: "secretsmanager", protocolKind: EMU_PROTOCOL_JSON,
                                         targetPrefix: "secretsmanager", signingName: "secretsmanager",
                                         apiVersion: "2017-10-17", operations: operations)])
        definition.onStateLoad = { record in SecretsPersistence.load(record, into: service.store) }
        definition.onStateReset = { service.store.removeAll() }
        definition.onStateSnapshot = { SecretsPersistence.snapshot(of: service.store) }
        definition.onTick = { context in service.tick(context) }
        return definition.makeDescriptor()
    }()
}
