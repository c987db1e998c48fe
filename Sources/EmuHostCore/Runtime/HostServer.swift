#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore

/// A running host: runtime, plugins, gateway and the clock tick, started and stopped as one.
public final class HostServer: Sendable {
    public let runtime: HostRuntime
    public let gateway: GatewayServer

    public init(configuration: HostConfiguration, logger: Logger) {
        runtime = HostRuntime(configuration: configuration, logger: logger)
        gateway = GatewayServer(runtime: runtime)
    }

    /// Loads the plugins, binds the gateway and starts the tick; returns the ready line.
    public func start() throws -> String {
        runtime.install()
        if runtime.configuration.listenHost != "127.0.0.1", runtime.configuration.listenHost != "localhost",
            runtime.configuration.listenHost != "::1"
        {
            runtime.logger.warning(
                "GATEWAY_LISTEN binds \(runtime.configuration.listenHost): anyone who can reach this address can use every key in this emulator")
        }
        if let principals = runtime.configuration.environment["EMU_PRINCIPALS"], !principals.isEmpty {
            try runtime.identities.loadPrincipals(path: principals)
        }
        try runtime.openStateStore()
        runtime.loadPlugins()
        try runtime.loadStoredState()
        let address = try gateway.start()
        gateway.startTicking()
        let host = address.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? runtime.configuration.listenHost
        let plugins = runtime.registry.plugins.map { "\($0.name) \($0.version)" }.joined(separator: ", ")
        return "awsemu ready on http://\(host):\(address.port ?? runtime.configuration.listenPort) (\(plugins))"
    }

    public func stop() {
        gateway.stop()
        runtime.shutdownAll()
    }
}
