import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The host's settings, read from the environment under the names LocalStack and moto users already set.
public struct HostConfiguration: Sendable {
    /// Where the gateway listens; `GATEWAY_LISTEN=host:port`, port 0 picks a free port.
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 4566
    /// `SERVICES=kms,sts`: load only plugins serving these services; nil loads everything found.
    public var services: Set<String>?
    /// `EMU_PLUGIN_PATH`, colon-separated, searched before the executable's folder and `./plugins`.
    public var pluginPath: [String] = []
    public var defaultAccountId: String = "000000000000"
    public var defaultRegion: String = "us-east-1"
    /// Largest request body accepted in one piece (JSON and Query protocols).
    public var maxBodyBytes: Int = 16 * 1024 * 1024
    /// Largest request body a streaming REST service (S3) accepts: past `maxBodyBytes` it is spooled to an unlinked
    /// temporary file, never held in memory. S3 takes 5 GiB in one PutObject; the rest is room for aws-chunked
    /// framing. `MAX_STREAMED_BODY_BYTES`.
    public var maxStreamedBodyBytes: Int64 = 5 * 1024 * 1024 * 1024 + 64 * 1024 * 1024
    public var persistence: Bool = false
    public var dataDirectory: String = "./data"
    /// Seconds a connection may send nothing before the host answers (mid-request) or closes it (idle).
    public var idleTimeoutSeconds: Int = 120
    /// Open connections the host serves at once; more get an AWS-shaped 503.
    public var maxConnections: Int = 1024
    /// How long SIGTERM/SIGINT waits for running handlers before the host exits anyway.
    public var shutdownTimeoutSeconds: Int = 10
    /// How often plugins are given the time (deletion windows, rotation, transient key states) without a request
    /// asking. 0 turns the background tick off, so that only `POST /_emu/clock` moves things on: a test can then
    /// look at a transient state (a replica still Creating) for as long as it needs. `TICK_SECONDS`.
    public var tickSeconds: Int = 1
    /// SIGV4_VERIFY=1 checks every request's signature.
    public var verifySignatures: Bool = false
    /// Keep-alive answers an event-loop pass made go out with one io_uring submission where the kernel allows it
    /// (BatchedSender); `GATEWAY_IO_URING=0` writes each through NIO instead.
    public var batchedSends: Bool = true
    /// Every environment variable, for plugins' `config_get` (KMS_SEED_PATH, …).
    public var environment: [String: String] = [:]

    public init() {}

    /// Reads the configuration from `environment`.
    /// - Throws: `HostConfigurationError` for a value that cannot be understood, so a typo is never silently
    ///   replaced by a default.
    public init(environment: [String: String]) throws {
        self.environment = environment
        if let listen = environment["GATEWAY_LISTEN"], !listen.isEmpty {
            let first = listen.split(separator: ",").first.map(String.init) ?? listen
            guard let colon = first.lastIndex(of: ":"), let port = Int(first[first.index(after: colon)...]),
                (0...65535).contains(port)
            else { throw HostConfigurationError("GATEWAY_LISTEN must be host:port, got '\(listen)'") }
            let host = String(first[..<colon])
            listenHost = host.isEmpty ? "127.0.0.1" : String(host.drop { $0 == "[" }.reversed().drop { $0 == "]" }.reversed())
            listenPort = port
        }
        if let services = environment["SERVICES"], !services.allSatisfy(\.isWhitespace) {
            self.services = Set(services.split(separator: ",").map {
                $0.trimmingWhitespace().lowercased()
            }.filter { !$0.isEmpty })
        }
        if let path = environment["EMU_PLUGIN_PATH"] {
            pluginPath = path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        if let account = environment["DEFAULT_ACCOUNT_ID"], !account.isEmpty {
            guard account.count == 12, account.allSatisfy(\.isASCIIDigit) else {
                throw HostConfigurationError("DEFAULT_ACCOUNT_ID must be 12 digits, got '\(account)'")
            }
            defaultAccountId = account
        }
        if let region = environment["DEFAULT_REGION"], !region.isEmpty { defaultRegion = region }
        if let body = environment["MAX_REQUEST_BODY_BYTES"], !body.isEmpty {
            guard let value = Int(body), value > 0 else {
                throw HostConfigurationError("MAX_REQUEST_BODY_BYTES must be a positive number, got '\(body)'")
            }
            maxBodyBytes = value
        }
        if let body = environment["MAX_STREAMED_BODY_BYTES"], !body.isEmpty {
            guard let value = Int64(body), value > 0 else {
                throw HostConfigurationError("MAX_STREAMED_BODY_BYTES must be a positive number, got '\(body)'")
            }
            maxStreamedBodyBytes = value
        }
        persistence = try Self.flag("PERSISTENCE", in: environment) ?? persistence
        if let dir = environment["DATA_DIR"], !dir.isEmpty { dataDirectory = dir }
        for (name, minimum) in [("IDLE_TIMEOUT_SECONDS", 1), ("MAX_CONNECTIONS", 1), ("SHUTDOWN_TIMEOUT_SECONDS", 1),
                                ("TICK_SECONDS", 0)] {
            guard let text = environment[name], !text.isEmpty else { continue }
            let maximum = name == "MAX_CONNECTIONS" ? 1_000_000 : 86_400
            guard let value = Int(text), value >= minimum, value <= maximum else {
                throw HostConfigurationError("\(name) must be a whole number from \(minimum) to \(maximum), got '\(text)'")
            }
            switch name {
            case "IDLE_TIMEOUT_SECONDS": idleTimeoutSeconds = value
            case "MAX_CONNECTIONS": maxConnections = value
            case "TICK_SECONDS": tickSeconds = value
            default: shutdownTimeoutSeconds = value
            }
        }
        verifySignatures = try Self.flag("SIGV4_VERIFY", in: environment) ?? verifySignatures
        batchedSends = try Self.flag("GATEWAY_IO_URING", in: environment) ?? batchedSends
    }

    /// An on/off variable: nil when unset. An empty value is off, as it always was for PERSISTENCE and SIGV4_VERIFY.
    private static func flag(_ name: String, in environment: [String: String]) throws -> Bool? {
        guard let text = environment[name] else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "", "0", "false", "no", "off": return false
        default: throw HostConfigurationError("\(name) must be 1 or 0, got '\(text)'")
        }
    }
}

/// A configuration value the host cannot use; start-up stops with its message.
public struct HostConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
