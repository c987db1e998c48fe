import ArgumentParser
import Dispatch
import EmuHostCore
import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `awsemu`: start the host, inspect plugins, ask a running host, or run the `aws` CLI against it.
@main
struct AwsemuCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "awsemu",
        abstract: "A local AWS emulator: KMS, STS and more, as plugins behind one gateway on 127.0.0.1:4566.",
        discussion: """
            Any other first argument runs the installed `aws` CLI against the host, e.g.
              awsemu kms create-key --description "demo symmetric key"
            """,
        version: "0.1.0",
        subcommands: [Start.self, Plugins.self, Status.self, State.self])

    /// ArgumentParser would reject `awsemu kms …`; anything that is not one of our own words goes to `aws`.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let ownWords: Set<String> = ["start", "plugins", "status", "state", "help", "-h", "--help", "--version"]
        if let first = arguments.first, !ownWords.contains(first) {
            AWSPassThrough.run(arguments)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Bootstraps swift-log once for the executable, at the level LOG_LEVEL names.
func makeLogger() -> Logger {
    let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "awsemu")
}

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the host with every plugin found.")

    func run() throws {
        let logger = makeLogger()
        let configuration: HostConfiguration
        do {
            configuration = try HostConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            logger.critical("\(error)")
            throw ExitCode(2)
        }
        let server = HostServer(configuration: configuration, logger: logger)
        let ready: String
        do {
            ready = try server.start()
        } catch {
            logger.critical("could not start: \(error)")
            throw ExitCode(1)
        }
        writeAll(ready + "\n", to: STDOUT_FILENO)
        let stopped = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler { stopped.signal() }
            source.resume()
            sources.append(source)
        }
        let deadline = configuration.shutdownTimeoutSeconds
        DispatchQueue.global().async {
            stopped.wait()
            logger.info("shutting down")
            // A handler that never returns must not keep the host alive: nothing it did was acknowledged, and every
            // acknowledged change is already committed, so after the deadline the host leaves without it.
            let cutShort = DispatchWorkItem {
                logger.error("shutdown did not finish within \(deadline) s (SHUTDOWN_TIMEOUT_SECONDS): a handler is stuck; exiting without it")
                _exit(1)  // not exit(): the normal path may be running atexit handlers on another thread
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(deadline), execute: cutShort)
            server.stop()
            cutShort.cancel()
            exitProcess(0)
        }
        dispatchMain()
    }
}

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the plugins that would load, and why others would not.")

    func run() throws {
        let logger = makeLogger()
        let configuration = try HostConfiguration(environment: ProcessInfo.processInfo.environment)
        let runtime = HostRuntime(configuration: configuration, logger: logger)
        runtime.install()
        print("search path: " + runtime.pluginLoader().searchLocations().joined(separator: ":"))
        for report in runtime.inspectPlugins() {
            let name = report.pluginName ?? "-"
            let services = report.services.joined(separator: ",")
            switch report.outcome {
            case .loaded: print("load     \(name) [\(services)]  \(report.path)")
            case .notSelected: print("skip     \(name) [\(services)]  \(report.path)  (not in SERVICES)")
            case .refused(let reason): print("refuse   \(report.path): \(reason)")
            }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask a running host how it is.")

    @Option(help: "The host's endpoint (default: AWSEMU_ENDPOINT, else from GATEWAY_LISTEN, else 127.0.0.1:4566).")
    var endpoint: String?

    func run() throws {
        let url = (endpoint ?? AWSPassThrough.endpoint()) + "/_emu/health"
        guard let (status, body) = OutboundHTTPClient.get(url) else {
            print("no awsemu host answers at \(url)")
            throw ExitCode(1)
        }
        guard status == 200,
            let json = try? JSONValue.parse(body), json.objectValue != nil
        else {
            print("unexpected answer (HTTP \(status)) from \(url)")
            throw ExitCode(1)
        }
        func text(_ value: JSONValue?) -> String { value?.stringValue ?? "?" }
        let uptime = json["uptimeSeconds"]?.doubleValue.map { "\(Int($0.rounded())) s" } ?? "?"
        print("awsemu \(text(json["version"])) at \(url.dropLast("/_emu/health".count)), up \(uptime)")
        for plugin in json["plugins"]?.arrayValue ?? [] {
            let services = (plugin["services"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            print("  \(text(plugin["name"])) \(text(plugin["version"])) [\(services)] \(text(plugin["status"]))")
        }
        for refused in json["refused"]?.arrayValue ?? [] {
            print("  refused \(text(refused["path"])): \(text(refused["reason"]))")
        }
    }
}

struct State: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a running host's state to a file, or import one into it.",
        subcommands: [Export.self, Import.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every plugin's records to FILE (S3's need PERSISTENCE=1).")
        @Argument(help: "The file to write.") var file: String
        @Option(help: "The host's endpoint.") var endpoint: String?

        func run() throws {
            let url = (endpoint ?? AWSPassThrough.endpoint()) + "/_emu/state/export"
            guard let (status, body) = OutboundHTTPClient.get(url, timeout: 300) else {
                print("no awsemu host answers at \(url)")
                throw ExitCode(1)
            }
            guard status == 200 else {
                print("export failed (HTTP \(status)): \(String(decoding: body, as: UTF8.self))")
                throw ExitCode(1)
            }
            guard FileManager.default.createFile(atPath: file, contents: Data(body), attributes: [.posixPermissions: 0o600])
            else {
                print("cannot write \(file)")
                throw ExitCode(1)
            }
            print("exported \(body.count) bytes to \(file)")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace the state of the plugins in FILE with its records.")
        @Argument(help: "A file written by `awsemu state export`.") var file: String
        @Option(help: "The host's endpoint.") var endpoint: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("cannot read \(file)")
                throw ExitCode(1)
            }
            let url = (endpoint ?? AWSPassThrough.endpoint()) + "/_emu/state/import"
            guard let (status, body) = OutboundHTTPClient.post(url, body: Array(data)) else {
                print("no awsemu host answers at \(url)")
                throw ExitCode(1)
            }
            guard status == 200 else {
                print("import failed (HTTP \(status)): \(String(decoding: body, as: UTF8.self))")
                throw ExitCode(1)
            }
            print("imported \(file)")
        }
    }
}

/// The C library's `exit` (atexit handlers, flushed output), which `ParsableCommand.exit(withError:)` hides inside a
/// command.
private func exitProcess(_ status: Int32) -> Never { exit(status) }
