import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOConcurrencyHelpers
import PluginABI

/// Everything the host's C verbs need: configuration, clock, identities, the loaded services and the store.
///
/// The `emu_host_api` table is a table of plain C function pointers, which cannot capture; they reach the
/// runtime through `HostRuntime.current`, installed once before the first plugin is loaded.
public final class HostRuntime: Sendable {
    public let configuration: HostConfiguration
    public let clock: HostClock
    public let identities: IdentityRegistry
    public let logger: Logger
    public let startedAt: Date
    /// Written once by loadPlugins, before the gateway starts (thread start orders it before every read), and
    /// read on every request: a lock here is contended by every event loop for nothing.
    nonisolated(unsafe) private var loadedRegistry = ServiceRegistry(plugins: [])
    private let reportsBox = NIOLockedValueBox<[PluginLoadReport]>([])
    private let storeBox = NIOLockedValueBox<StateStore?>(nil)
    /// Nested bus calls beyond this depth are refused: a cycle between plugins would otherwise recurse forever.
    public static let maxBusDepth: UInt32 = 8
    /// Ticks come from the timer and from POST /_emu/clock; a plugin sees one at a time.
    private let tickLock = NIOLock()
    /// Requests pass it; a state import closes it (see `RequestGate`).
    public let requestGate = RequestGate()

    nonisolated(unsafe) public private(set) static var current: HostRuntime?

    public init(configuration: HostConfiguration, logger: Logger) {
        self.configuration = configuration
        self.clock = HostClock()
        self.identities = IdentityRegistry(clock: clock, defaultAccountId: configuration.defaultAccountId)
        self.logger = logger
        self.startedAt = Date()
    }

    /// Makes this runtime the one the C verbs serve. Call once, before loading plugins.
    public func install() {
        HostRuntime.current = self
    }

    public var registry: ServiceRegistry { loadedRegistry }
    /// The persistent store, when PERSISTENCE=1.
    public var stateStore: StateStore? { storeBox.withLockedValue { $0 } }

    /// Opens the store (PERSISTENCE=1) before plugins load, so their first changes already have a home.
    public func openStateStore() throws {
        guard configuration.persistence else { return }
        let store = try StateStore(directory: configuration.dataDirectory,
                                   encryptionSecret: configuration.environment["STATE_ENCRYPTION_KEY"])
        storeBox.withLockedValue { $0 = store }
    }

    /// Walks every stored record into its plugin's on_state_load, oldest change first.
    /// - Throws: `StateStoreError` when a record is newer than its plugin can read, or the plugin refuses it;
    ///   the host never starts with part of its state silently missing.
    public func loadStoredState() throws {
        guard let store = stateStore else { return }
        for plugin in registry.plugins {
            let count = try store.forEachRecord(plugin: plugin.name) { row in
                guard plugin.canLoadState else {
                    throw StateStoreError("plugin \(plugin.name) has stored records but no on_state_load hook")
                }
                guard row.formatVersion <= plugin.stateFormatVersion else {
                    throw StateStoreError("record \(row.namespace)/\(row.key) of plugin \(plugin.name) has state format "
                        + "\(row.formatVersion), newer than the plugin's \(plugin.stateFormatVersion): upgrade the plugin")
                }
                let status = row.withCRecord { plugin.loadState($0) }
                guard status == EMU_OK else {
                    throw StateStoreError("plugin \(plugin.name) could not load record \(row.namespace)/\(row.key) "
                        + "(format \(row.formatVersion))")
                }
            }
            if count > 0 { logger.info("restored \(count) records of plugin \(plugin.name)") }
        }
    }

    /// Every plugin's present records (state export), taken while no request and no tick runs so that the
    /// records of different plugins belong to one moment: what each plugin hands over through on_state_snapshot
    /// (fresher than the store, which gets what only a tick stores one tick later), else, with PERSISTENCE, its
    /// stored records. A plugin without either has nothing to export.
    public func exportRecords() throws -> [StateRecordRow] {
        try whileQuiet(doing: "the export") { () throws -> [StateRecordRow] in
            let names = Set(registry.plugins.map(\.name)).union(try stateStore?.pluginNames() ?? [])
            return try names.sorted().flatMap { name -> [StateRecordRow] in
                guard let plugin = registry.plugins.first(where: { $0.name == name }), plugin.canSnapshot else {
                    return try stateStore?.records(plugin: name) ?? []
                }
                guard let rows = plugin.snapshot() else {
                    throw StateStoreError("plugin \(name) could not hand over its present state")
                }
                return rows
            }
        }
    }

    /// Runs `body` while no plugin request and no tick runs: the request gate closed (new requests get a 503)
    /// once those in flight have finished, and the tick lock held. For a reset, an import and an export.
    ///
    /// Every commit those requests submitted is stored before `body` runs, so that `body` reads the store as the
    /// plugins see it and no commit lands after what `body` does to it (a record a reset removed coming back).
    private func whileQuiet<R>(doing what: String, _ body: () throws -> R) throws -> R {
        guard requestGate.closeAndDrain(timeoutSeconds: 30) else {
            throw StateStoreError("requests in flight did not finish within 30 s; \(what) was not started")
        }
        defer { requestGate.open() }
        return try tickLock.withLock {
            try stateStore?.commitAndWait([])
            return try body()
        }
    }

    /// Replaces the state of each plugin named in `rows` with those records (state import).
    /// - Throws: when a plugin is not loaded or refuses a record; plugins not named keep their state.
    public func importRecords(_ rows: [StateRecordRow]) throws {
        // Plugins are replaced in name order, so that what an import that fails midway touched is always the same.
        let byPlugin = Dictionary(grouping: rows, by: \.plugin).sorted { $0.key < $1.key }
        // Everything that can be checked is checked before any plugin's state is replaced.
        for (name, records) in byPlugin {
            guard let plugin = registry.plugins.first(where: { $0.name == name }) else {
                throw StateStoreError("the file has records of plugin \(name), which is not loaded")
            }
            if let newer = records.first(where: { $0.formatVersion > plugin.stateFormatVersion }) {
                throw StateStoreError("record \(newer.namespace)/\(newer.key) has format \(newer.formatVersion), newer "
                    + "than plugin \(name)'s \(plugin.stateFormatVersion)")
            }
            if stateStore == nil, !plugin.canSnapshot {
                throw StateStoreError("plugin \(name) cannot hand over its present state (on_state_snapshot), so "
                    + "without PERSISTENCE=1 an import that fails could not be undone; nothing was changed")
            }
        }
        try whileQuiet(doing: "the import") { try replaceState(byPlugin) }
    }

    private func replaceState(_ byPlugin: [(key: String, value: [StateRecordRow])]) throws {
        // All or nothing: every plugin loads the file's records first; if one refuses a record, every plugin
        // touched so far gets its stored records back, and the store is not changed. Only then is the store
        // replaced, in one transaction.
        var touched: [(plugin: LoadedPlugin, previous: [StateRecordRow])] = []
        var stored: [StateRecordRow] = []
        do {
            for (name, records) in byPlugin {
                let plugin = registry.plugins.first { $0.name == name }!
                // Without a store, the plugin's own snapshot is what a failed import goes back to.
                guard let previous = try stateStore?.records(plugin: name) ?? plugin.snapshot() else {
                    throw StateStoreError("plugin \(name) could not hand over its present state; nothing was changed")
                }
                touched.append((plugin, previous))
                plugin.reset()
                for var row in records {
                    guard row.withCRecord({ plugin.loadState($0) }) == EMU_OK else {
                        throw StateStoreError("plugin \(name) could not load record \(row.namespace)/\(row.key); "
                            + "nothing was changed")
                    }
                    if let store = stateStore {
                        row.sequence = store.nextSequence()
                        stored.append(row)
                    }
                }
            }
            try stateStore?.replaceAll(plugins: byPlugin.map(\.key), with: stored)
        } catch {
            var lost: [String] = []
            for (plugin, previous) in touched {
                plugin.reset()
                let refused = previous.filter { row in row.withCRecord { plugin.loadState($0) } != EMU_OK }.count
                if refused > 0 {
                    logger.error("plugin \(plugin.name) refused \(refused) of its own stored records while an import was rolled back")
                    lost.append("\(plugin.name) (\(refused) records)")
                }
            }
            guard lost.isEmpty else {
                throw StateStoreError("\(error); rolling back, plugins refused their own records and lost them: "
                    + lost.joined(separator: ", "))
            }
            throw error
        }
    }

    /// A plugin handed over a change (state_put / state_delete) within the request `ctx`.
    func recordChange(_ ctx: UnsafePointer<emu_request_context>, namespace: String, key: String, value: [UInt8]?)
        -> emu_status
    {
        guard let store = stateStore else { return EMU_OK }
        guard let request = ctx.pointee.host_request else { return EMU_ERR_INVALID_ARGUMENT }
        guard let service = registry.service(id: ctx.pointee.service.hostString) else { return EMU_ERR_INVALID_ARGUMENT }
        let row = StateRecordRow(plugin: service.plugin.name, namespace: namespace, key: key, value: value,
                                 formatVersion: service.plugin.stateFormatVersion, sequence: store.nextSequence())
        Unmanaged<ResponseWriter>.fromOpaque(request).takeUnretainedValue().stateChanges.append(row)
        return EMU_OK
    }
    public var loadReports: [PluginLoadReport] { reportsBox.withLockedValue { $0 } }

    /// A loader that hands plugins this host's API table.
    public func pluginLoader() -> PluginLoader {
        PluginLoader(configuration: configuration, hostAPI: HostAPITable.pointer, logger: logger,
                     hostToolchain: swiftToolchainIdentifier)
    }

    /// What would load, without initialising anything (`awsemu plugins`).
    public func inspectPlugins() -> [PluginLoadReport] {
        pluginLoader().loadAll(initialize: false).reports
    }

    /// Finds, loads and initialises the plugins, and starts serving their services.
    @discardableResult
    public func loadPlugins() -> [PluginLoadReport] {
        let (plugins, reports) = pluginLoader().loadAll()
        loadedRegistry = ServiceRegistry(plugins: plugins)
        reportsBox.withLockedValue { $0 = reports }
        return reports
    }

    /// Runs one operation handler and returns what it answered.
    public func invoke(_ service: LoadedService, operation: String, context: CallContext,
                       input: UnsafeRawBufferPointer) -> ResponseWriter
    {
        let writer = ResponseWriter(pluginABIMinor: service.plugin.abiMinor)
        guard let op = service.operations[operation], let handler = op.handler else {
            writer.fail("UnknownOperationException", "", status: 400)
            return writer
        }
        let writerPointer = Unmanaged.passUnretained(writer).toOpaque()
        let status = context.withCContext(request: writerPointer) { ctx in
            handler(op.user_data, ctx, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count,
                    OpaquePointer(writerPointer))
        }
        if status == EMU_ERR_WOULD_BLOCK {
            writer.wouldBlock = true
        } else if status != EMU_OK, writer.error == nil {
            logger.error("handler failed", metadata: ["service": "\(service.id)", "operation": "\(operation)",
                                                      "status": "\(status.rawValue)"])
            writer.fail("InternalFailure", "The \(service.id) plugin failed to handle \(operation).", status: 500)
        }
        return writer
    }

    /// Runs a REST service's raw HTTP handler.
    public func invokeHTTP(_ service: LoadedService, context: CallContext, request: HTTPRequestData) -> ResponseWriter {
        let writer = ResponseWriter(pluginABIMinor: service.plugin.abiMinor)
        guard let handler = service.httpHandler else {
            writer.fail("NotImplemented", "", status: 501)
            return writer
        }
        if request.spooledBody != nil, !service.streamsBodies {
            writer.fail("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", status: 400)
            return writer
        }
        let writerPointer = Unmanaged.passUnretained(writer).toOpaque()
        let status = context.withCContext(request: writerPointer) { ctx in
            request.withCRequest { cRequest in
                handler(service.pluginData, ctx, cRequest, OpaquePointer(writerPointer))
            }
        }
        if status != EMU_OK, writer.error == nil {
            writer.fail("InternalError", "We encountered an internal error. Please try again.", status: 500)
        }
        return writer
    }

    /// A bus call: `caller` asks `serviceId` to run `operation` on behalf of the same principal.
    func busCall(caller: UnsafePointer<emu_request_context>, serviceId: String, operation: String,
                 input: UnsafeRawBufferPointer) -> (emu_status, ResponseWriter?)
    {
        let callerContext = caller.pointee.callContext
        guard callerContext.busDepth < HostRuntime.maxBusDepth else { return (EMU_ERR_DEPTH_EXCEEDED, nil) }
        let registry = self.registry
        guard let target = registry.service(id: serviceId), target.operations[operation] != nil else {
            return (EMU_ERR_NOT_FOUND, nil)
        }
        var context = callerContext
        context.service = target.id
        context.operation = operation
        context.viaService = registry.service(id: callerContext.service)?.signingName ?? callerContext.service
        context.busDepth = callerContext.busDepth + 1
        let writer = invoke(target, operation: operation, context: context, input: input)
        if let outer = caller.pointee.host_request {
            // The callee's changes belong with the caller's request, but they stand once the callee succeeded.
            Unmanaged<ResponseWriter>.fromOpaque(outer).takeUnretainedValue().busStateChanges
                .append(contentsOf: writer.changesToCommit)
        }
        return (EMU_OK, writer)
    }

    /// Empties every plugin (POST /_emu/state/reset, POST /moto-api/reset) and puts the clock back to the system
    /// time, so that a reset host behaves as a freshly started one.
    ///
    /// While quiet (see `whileQuiet`): a request in flight could otherwise change a plugin after it was emptied and
    /// store the change before or after its records were removed, so that the key it made is gone now but back
    /// after a restart, or there now and lost then. A tick that read the advanced clock must not then act, with
    /// that time, on what the next test makes.
    /// - Throws: when requests in flight do not finish within 30 s, or their changes cannot be stored; nothing was
    ///   reset then.
    public func resetAll() throws {
        try whileQuiet(doing: "the reset") {
            for plugin in registry.plugins {
                plugin.reset()
                do { try stateStore?.removeAll(plugin: plugin.name) } catch {
                    logger.error("the stored records of plugin \(plugin.name) could not be removed: \(error)")
                }
            }
            identities.removeAll()
            clock.reset()
        }
    }

    /// Lets every plugin do what time brings (deletion windows, rotation).
    public func tickAll() {
        tickLock.withLock { tickPlugins() }
    }

    private func tickPlugins() {
        for plugin in registry.plugins where plugin.hasTick {
            let context = CallContext(accountId: configuration.defaultAccountId, region: configuration.defaultRegion,
                                      requestId: UUID().uuidString.lowercased(), principalArn: "", accessKeyId: "",
                                      service: plugin.services.first?.id ?? plugin.name, operation: "Tick",
                                      viaService: "", busDepth: 0)
            let writer = ResponseWriter(pluginABIMinor: plugin.abiMinor)
            context.withCContext(request: Unmanaged.passUnretained(writer).toOpaque()) { plugin.tick($0) }
            if let store = stateStore, !writer.changesToCommit.isEmpty {
                do { try store.commitAndWait(writer.changesToCommit) } catch {
                    logger.error("changes made by plugin \(plugin.name) on the clock tick could not be stored: \(error)")
                }
            }
        }
    }

    public func shutdownAll() {
        for plugin in registry.plugins { plugin.shutdown() }
    }
}
