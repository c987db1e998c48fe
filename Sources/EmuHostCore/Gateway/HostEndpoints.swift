import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The host's own endpoints: health (awsemu's and LocalStack's shape), state reset (awsemu's and moto's path)
/// and the test clock.
struct HostEndpoints {
    static let version = "0.1.0"
    let runtime: HostRuntime

    /// Whether `path` belongs to the host rather than to a service.
    static func handles(_ path: some StringProtocol) -> Bool {
        path.hasPrefix("/_emu/") || path.hasPrefix("/_localstack/") || path.hasPrefix("/moto-api/")
    }

    /// The host's endpoints, each under every method and path it answers to.
    enum Endpoint {
        case health, localStackHealth, reset, clock, advanceClock, export, `import`

        init?(method: String, path: String) {
            switch (method, path) {
            case ("GET", "/_emu/health"), ("HEAD", "/_emu/health"): self = .health
            case ("GET", "/_localstack/health"), ("HEAD", "/_localstack/health"): self = .localStackHealth
            case ("POST", "/_emu/state/reset"), ("POST", "/_localstack/state/reset"), ("POST", "/moto-api/reset"):
                self = .reset
            case ("GET", "/_emu/clock"): self = .clock
            case ("POST", "/_emu/clock"): self = .advanceClock
            case ("GET", "/_emu/state/export"): self = .export
            case ("POST", "/_emu/state/import"): self = .import
            default: return nil
            }
        }

        /// Waits until no plugin request is in flight (`HostRuntime.whileQuiet`), on a thread of its own rather
        /// than on the pool plugin requests run on: several waiting there at once (test workers resetting one host
        /// in parallel) could take every pool thread, and a request that had passed the gate but not yet reached a
        /// thread would then never finish, so the wait could never end.
        var waitsForQuiet: Bool {
            switch self {
            case .reset, .export, .import: true
            case .health, .localStackHealth, .clock, .advanceClock: false
            }
        }
    }

    struct PluginHealth: Codable {
        var name: String
        var version: String
        var abiVersion: String
        var services: [String]
        var stateFormatVersion: UInt32
        var status: String
        var path: String
    }

    struct RefusedPlugin: Codable {
        var path: String
        var reason: String
    }

    struct Health: Codable {
        var status: String
        var version: String
        var uptimeSeconds: Double
        var persistence: Bool
        var plugins: [PluginHealth]
        var refused: [RefusedPlugin]
    }

    struct LocalStackHealth: Codable {
        var services: [String: String]
        var edition: String
        var version: String
    }

    func handle(_ request: HTTPRequestData) -> GatewayResponse {
        switch Endpoint(method: request.method, path: request.path) {
        case .health:
            return .json(health())
        case .localStackHealth:
            var services: [String: String] = [:]
            for service in runtime.registry.allServices { services[service.id] = "running" }
            return .json(LocalStackHealth(services: services, edition: "community", version: Self.version))
        case .reset:
            do {
                try runtime.resetAll()
                return .json(["status": "ok"])
            } catch {
                return .json(["__type": "ServiceUnavailableException", "message": "\(error)"], status: 503)
            }
        case .clock:
            return .json(["nowMilliseconds": runtime.clock.nowMilliseconds(), "offsetMilliseconds": runtime.clock.offset])
        case .advanceClock:
            return advanceClock(request)
        case .export:
            return exportState()
        case .import:
            return importState(request)
        case nil:
            return .json(["__type": "NotFoundException", "message": "No host endpoint \(request.method) \(request.path)"],
                         status: 404)
        }
    }

    func health() -> Health {
        let plugins = runtime.registry.plugins.map { plugin in
            PluginHealth(name: plugin.name, version: plugin.version, abiVersion: "\(plugin.abiMajor).\(plugin.abiMinor)",
                         services: plugin.services.map(\.id), stateFormatVersion: plugin.stateFormatVersion,
                         status: "running", path: plugin.path)
        }
        let refused = runtime.loadReports.compactMap { report -> RefusedPlugin? in
            if case .refused(let reason) = report.outcome { return RefusedPlugin(path: report.path, reason: reason) }
            return nil
        }
        return Health(status: "running", version: Self.version,
                      uptimeSeconds: Date().timeIntervalSince(runtime.startedAt),
                      persistence: runtime.configuration.persistence, plugins: plugins, refused: refused)
    }

    /// The portable export file: every plugin's live records, decrypted, values in base64.
    struct StateExport: Codable {
        struct Record: Codable {
            var plugin: String
            var namespace: String
            var key: String
            var formatVersion: UInt32
            var value: String
        }

        var format = "awsemu-state"
        var version = 1
        var records: [Record]
    }

    private func exportState() -> GatewayResponse {
        do {
            let records = try runtime.exportRecords().map { row in
                StateExport.Record(plugin: row.plugin, namespace: row.namespace, key: row.key,
                                   formatVersion: row.formatVersion, value: Base64.encode(row.value ?? []))
            }
            return .json(StateExport(records: records))
        } catch {
            return .json(["__type": "InternalFailure", "message": "The state could not be read: \(error)"], status: 500)
        }
    }

    /// Replaces the state of every plugin named in the file with the file's records.
    private func importState(_ request: HTTPRequestData) -> GatewayResponse {
        guard let file = try? JSONDecoder().decode(StateExport.self, from: Data(request.body)),
            file.format == "awsemu-state"
        else {
            return .json(["__type": "ValidationException", "message": "The body is not an awsemu state export file."],
                         status: 400)
        }
        do {
            try runtime.importRecords(file.records.map { record in
                StateRecordRow(plugin: record.plugin, namespace: record.namespace, key: record.key,
                               value: Base64.decode(record.value) ?? [], formatVersion: record.formatVersion, sequence: 0)
            })
            return .json(["status": "ok", "records": "\(file.records.count)"])
        } catch {
            return .json(["__type": "ValidationException", "message": "\(error)"], status: 400)
        }
    }

    /// `POST /_emu/clock {"advanceSeconds": N}` moves the host clock forward, then lets plugins act on it.
    private func advanceClock(_ request: HTTPRequestData) -> GatewayResponse {
        guard let body = try? JSONValue.parse(request.body), let seconds = body["advanceSeconds"]?.doubleValue,
            seconds >= 0, seconds.isFinite, seconds <= 1e11
        else {
            return .json(["__type": "ValidationException",
                          "message": "Expected a JSON body {\"advanceSeconds\": <non-negative number>}"], status: 400)
        }
        runtime.clock.advance(milliseconds: Int64(seconds * 1000))
        runtime.tickAll()
        return .json(["nowMilliseconds": runtime.clock.nowMilliseconds(), "offsetMilliseconds": runtime.clock.offset])
    }
}
