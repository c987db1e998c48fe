import EmuHostCore
import Testing

/// Configuration comes from the environment; a value the host cannot understand must stop it, never be ignored.
@Suite struct HostConfigurationTests {
    @Test func defaults() throws {
        let configuration = try HostConfiguration(environment: [:])
        #expect(configuration.listenHost == "127.0.0.1")
        #expect(configuration.listenPort == 4566)
        #expect(configuration.services == nil)
        #expect(configuration.pluginPath.isEmpty)
        #expect(configuration.defaultAccountId == "000000000000")
        #expect(configuration.defaultRegion == "us-east-1")
        #expect(configuration.persistence == false)
    }

    @Test(arguments: [
        ("127.0.0.1:0", "127.0.0.1", 0),
        ("0.0.0.0:4567", "0.0.0.0", 4567),
        (":4566", "127.0.0.1", 4566),
        ("[::1]:4566", "::1", 4566),
        ("127.0.0.1:4566,127.0.0.1:4567", "127.0.0.1", 4566),
    ])
    func gatewayListen(_ value: String, _ host: String, _ port: Int) throws {
        let configuration = try HostConfiguration(environment: ["GATEWAY_LISTEN": value])
        #expect(configuration.listenHost == host)
        #expect(configuration.listenPort == port)
    }

    @Test(arguments: ["localhost", "127.0.0.1:http", "127.0.0.1:70000", "127.0.0.1:-1"])
    func gatewayListenRejectsNonsense(_ value: String) {
        #expect(throws: HostConfigurationError.self) { try HostConfiguration(environment: ["GATEWAY_LISTEN": value]) }
    }

    @Test func limitsAndDeadlines() throws {
        let defaults = try HostConfiguration(environment: [:])
        #expect(defaults.maxStreamedBodyBytes == 5 * 1024 * 1024 * 1024 + 64 * 1024 * 1024)
        #expect(defaults.shutdownTimeoutSeconds == 10)
        #expect(defaults.tickSeconds == 1)
        let set = try HostConfiguration(environment: ["MAX_STREAMED_BODY_BYTES": "1048576", "SHUTDOWN_TIMEOUT_SECONDS": "2",
                                                      "TICK_SECONDS": "0"])
        #expect(set.maxStreamedBodyBytes == 1_048_576 && set.shutdownTimeoutSeconds == 2 && set.tickSeconds == 0)
    }

    @Test(arguments: [
        ("MAX_STREAMED_BODY_BYTES", "0"), ("MAX_STREAMED_BODY_BYTES", "lots"), ("SHUTDOWN_TIMEOUT_SECONDS", "0"),
        ("SHUTDOWN_TIMEOUT_SECONDS", "86401"), ("MAX_CONNECTIONS", "1000001"), ("TICK_SECONDS", "-1"),
        ("TICK_SECONDS", "often"),
    ])
    func limitsRejectNonsense(_ name: String, _ value: String) {
        #expect(throws: HostConfigurationError.self) { try HostConfiguration(environment: [name: value]) }
    }

    @Test func servicesAreTrimmedAndLowerCased() throws {
        let configuration = try HostConfiguration(environment: ["SERVICES": " KMS, sts,,"])
        #expect(configuration.services == ["kms", "sts"])
        #expect(try HostConfiguration(environment: ["SERVICES": "  "]).services == nil)
    }

    @Test func pluginPathIsColonSeparated() throws {
        let configuration = try HostConfiguration(environment: ["EMU_PLUGIN_PATH": "/a::/b/libx.so:"])
        #expect(configuration.pluginPath == ["/a", "/b/libx.so"])
    }

    @Test func defaultAccountId() throws {
        #expect(try HostConfiguration(environment: ["DEFAULT_ACCOUNT_ID": "123456789012"]).defaultAccountId
            == "123456789012")
        for bad in ["12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"] {
            #expect(throws: HostConfigurationError.self, "\(bad)") {
                try HostConfiguration(environment: ["DEFAULT_ACCOUNT_ID": bad])
            }
        }
    }

    @Test func maxBodyAndPersistence() throws {
        #expect(try HostConfiguration(environment: ["MAX_REQUEST_BODY_BYTES": "1024"]).maxBodyBytes == 1024)
        #expect(throws: HostConfigurationError.self) {
            try HostConfiguration(environment: ["MAX_REQUEST_BODY_BYTES": "0"])
        }
        #expect(try HostConfiguration(environment: ["PERSISTENCE": "1"]).persistence)
        #expect(throws: HostConfigurationError.self) { try HostConfiguration(environment: ["PERSISTENCE": "maybe"]) }
    }

    /// On/off variables share one reading: unset keeps the default, an empty value is off, a typo stops start-up.
    @Test(arguments: [("1", true), ("on", true), ("TRUE", true), ("0", false), ("off", false), ("", false)])
    func onOffVariables(_ text: String, _ value: Bool) throws {
        for name in ["PERSISTENCE", "SIGV4_VERIFY", "GATEWAY_IO_URING"] {
            let configuration = try HostConfiguration(environment: [name: text])
            let read = switch name {
            case "PERSISTENCE": configuration.persistence
            case "SIGV4_VERIFY": configuration.verifySignatures
            default: configuration.batchedSends
            }
            #expect(read == value, "\(name)=\(text)")
        }
        #expect(try HostConfiguration(environment: [:]).batchedSends)
        #expect(throws: HostConfigurationError.self) { try HostConfiguration(environment: ["GATEWAY_IO_URING": "2"]) }
    }
}
