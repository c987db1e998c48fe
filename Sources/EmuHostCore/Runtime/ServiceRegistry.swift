import PluginABI

/// The services the host serves, indexed the three ways requests name them.
public struct ServiceRegistry: Sendable {
    public let plugins: [LoadedPlugin]
    private let byId: [String: LoadedService]
    private let byTargetPrefix: [String: LoadedService]
    private let bySigningName: [String: LoadedService]

    public init(plugins: [LoadedPlugin]) {
        self.plugins = plugins
        var byId: [String: LoadedService] = [:]
        var byTargetPrefix: [String: LoadedService] = [:]
        var bySigningName: [String: LoadedService] = [:]
        for plugin in plugins {
            for service in plugin.services {
                byId[service.id.lowercased()] = service
                if let prefix = service.targetPrefix { byTargetPrefix[prefix.lowercased()] = service }
                if bySigningName[service.signingName.lowercased()] == nil {
                    bySigningName[service.signingName.lowercased()] = service
                }
            }
        }
        self.byId = byId
        self.byTargetPrefix = byTargetPrefix
        self.bySigningName = bySigningName
    }

    public func service(id: String) -> LoadedService? { byId[id.lowercased()] }

    /// The JSON service whose X-Amz-Target prefix is `prefix` (case-insensitive, as AWS's front ends are).
    public func service(targetPrefix prefix: String) -> LoadedService? { byTargetPrefix[prefix.lowercased()] }

    public func service(signingName: String) -> LoadedService? { bySigningName[signingName.lowercased()] }

    /// The Query service that has `action`, for an unsigned form request that names no service.
    public func queryService(action: String) -> LoadedService? {
        for plugin in plugins {
            for service in plugin.services where service.protocolKind == EMU_PROTOCOL_QUERY {
                if service.operations[action] != nil { return service }
            }
        }
        return nil
    }

    public var allServices: [LoadedService] { plugins.flatMap(\.services) }
}
