#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import PluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the loader decided about one file.
public struct PluginLoadReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        case loaded
        /// A plugin, but none of its services is in SERVICES.
        case notSelected
        case refused(String)
    }

    public var path: String
    public var pluginName: String?
    public var services: [String]
    public var outcome: Outcome
}

/// Finds plugin libraries, loads them with `dlopen` and checks their descriptors against ABI v1.
///
/// Every refusal is one log line and a report entry; the host goes on with the other plugins. Libraries are
/// opened `RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE` and never closed: a Swift library cannot be unloaded safely,
/// and a refused one costs only its mapping.
public struct PluginLoader {
    public var configuration: HostConfiguration
    public var hostAPI: UnsafePointer<emu_host_api>
    public var logger: Logger
    /// The toolchain this host was built with; Swift plugins must match it.
    public var hostToolchain: String

    public init(configuration: HostConfiguration, hostAPI: UnsafePointer<emu_host_api>, logger: Logger,
                hostToolchain: String)
    {
        self.configuration = configuration
        self.hostAPI = hostAPI
        self.logger = logger
        self.hostToolchain = hostToolchain
    }

    /// The folders (or files) searched, in order: EMU_PLUGIN_PATH, the executable's folder, ./plugins.
    public func searchLocations() -> [String] {
        var locations = configuration.pluginPath
        // The kernel's link to the running executable rather than Bundle.main: setting up the main bundle ran a
        // good part of the full Foundation at start-up, a megabyte of an idle host's resident memory.
        #if os(Linux)
        let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #else
        let running = Bundle.main.executablePath
        #endif
        let executable = running ?? (CommandLine.arguments.first ?? ".")
        locations.append(URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent().path)
        locations.append(FileManager.default.currentDirectoryPath + "/plugins")
        return locations
    }

    /// The candidate library files, each once (by resolved path), in search order.
    public func candidateFiles() -> [String] {
        var seen = Set<String>()
        var files: [String] = []
        let fm = FileManager.default
        for location in searchLocations() {
            var info = stat()
            guard stat(location, &info) == 0 else { continue }  // follows symbolic links, as dlopen does
            var found: [String] = []
            if info.st_mode & S_IFMT == S_IFDIR {
                // A folder that cannot be listed holds nothing to load.
                let names = (try? fm.contentsOfDirectory(atPath: location)) ?? []
                found = names.filter { $0.hasSuffix(".so") || $0.hasSuffix(".dylib") }.sorted()
                    .map { location + "/" + $0 }
            } else {
                found = [location]
            }
            for file in found {
                let resolved = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
                if seen.insert(resolved).inserted { files.append(resolved) }
            }
        }
        return files
    }

    /// Loads every candidate. With `initialize` false (for `awsemu plugins`) no plugin's `on_init` runs.
    public func loadAll(initialize: Bool = true) -> (plugins: [LoadedPlugin], reports: [PluginLoadReport]) {
        var plugins: [LoadedPlugin] = []
        var reports: [PluginLoadReport] = []
        var servedBy: [String: String] = [:]
        for file in candidateFiles() {
            let report = load(file, servedBy: &servedBy, initialize: initialize, into: &plugins)
            reports.append(report)
            switch report.outcome {
            case .loaded:
                logger.debug("loaded plugin", metadata: ["path": "\(file)", "plugin": "\(report.pluginName ?? "")"])
            case .notSelected:
                logger.debug("plugin not selected by SERVICES", metadata: ["path": "\(file)"])
            case .refused(let reason):
                logger.warning("refused plugin \(file): \(reason)")
            }
        }
        return (plugins, reports)
    }

    private func load(_ file: String, servedBy: inout [String: String], initialize: Bool,
                      into plugins: inout [LoadedPlugin]) -> PluginLoadReport
    {
        func refuse(_ reason: String, name: String? = nil, services: [String] = []) -> PluginLoadReport {
            PluginLoadReport(path: file, pluginName: name, services: services, outcome: .refused(reason))
        }
        guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return refuse("not a loadable library (\(message))")
        }
        guard let symbol = dlsym(handle, EMU_PLUGIN_ENTRY_SYMBOL) else {
            for major in 2...9 where dlsym(handle, "emu_plugin_entry_v\(major)") != nil {
                return refuse("built for plugin ABI major \(major); this host speaks major \(EMU_ABI_MAJOR)")
            }
            return refuse("no \(EMU_PLUGIN_ENTRY_SYMBOL) symbol: not an awsemu plugin")
        }
        let entry = unsafeBitCast(symbol, to: emu_plugin_entry_fn.self)
        guard let descriptor = entry(hostAPI) else { return refuse("\(EMU_PLUGIN_ENTRY_SYMBOL) returned NULL") }
        guard let d = LoadedPlugin.readDescriptor(descriptor) else {
            return refuse("descriptor struct_size \(UnsafeRawPointer(descriptor).load(as: UInt32.self)) is smaller than ABI v1's "
                + "\(LoadedPlugin.minimumDescriptorSize)")
        }
        guard d.abi_major == EMU_ABI_MAJOR else {
            return refuse("descriptor says ABI major \(d.abi_major); this host speaks major \(EMU_ABI_MAJOR)")
        }
        guard let namePointer = d.name, namePointer.pointee != 0 else { return refuse("descriptor has no name") }
        let name = String(cString: namePointer)
        guard d.on_init != nil else { return refuse("required hook on_init is missing", name: name) }
        guard let serviceTable = d.services, d.service_count > 0 else {
            return refuse("descriptor declares no services", name: name)
        }
        let toolchain = d.toolchain.map { String(cString: $0) } ?? ""
        if toolchain.hasPrefix("swift-"), toolchain != hostToolchain {
            return refuse("built with \(toolchain) but the host is \(hostToolchain): Swift has no stable ABI on "
                + "Linux, rebuild the plugin with the host's toolchain", name: name)
        }
        var allServices: [String] = []
        let services = ServiceTable(serviceTable, count: d.service_count)
        guard services.isReadable else {
            return refuse("service struct_size \(services.stride) is smaller than ABI v1's \(ServiceTable.minimumSize)",
                          name: name)
        }
        for index in 0..<d.service_count {
            let service = services[index]
            guard let id = service.id, id.pointee != 0 else { return refuse("service \(index) has no id", name: name) }
            let serviceId = String(cString: id)
            switch service.protocol {
            case EMU_PROTOCOL_JSON:
                guard service.target_prefix != nil else {
                    return refuse("JSON service \(serviceId) has no target_prefix", name: name)
                }
            case EMU_PROTOCOL_QUERY: break
            case EMU_PROTOCOL_REST:
                guard service.on_http != nil else {
                    return refuse("REST service \(serviceId) has no on_http handler", name: name)
                }
            default:
                return refuse("service \(serviceId) has unknown protocol \(service.protocol.rawValue)", name: name)
            }
            allServices.append(serviceId)
        }
        let selected: (String) -> Bool = { id in configuration.services?.contains(id.lowercased()) ?? true }
        let chosen = allServices.filter(selected)
        if chosen.isEmpty {
            return PluginLoadReport(path: file, pluginName: name, services: allServices, outcome: .notSelected)
        }
        for service in chosen {
            if let other = servedBy[service] {
                return refuse("service \(service) is already served by plugin \(other)", name: name,
                              services: allServices)
            }
        }
        if initialize {
            let status = d.on_init(d.plugin_data)
            guard status == EMU_OK else {
                return refuse("on_init failed with status \(status.rawValue)", name: name, services: allServices)
            }
        }
        let plugin = LoadedPlugin(path: file, descriptor: d, selected: selected)
        for service in chosen { servedBy[service] = name }
        plugins.append(plugin)
        return PluginLoadReport(path: file, pluginName: name, services: chosen, outcome: .loaded)
    }
}
