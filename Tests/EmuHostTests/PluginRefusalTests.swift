import Foundation
import Testing

/// The loader refuses each broken library with its own reason, in one log line, and keeps serving the rest.
///
/// These run the real `awsemu` binary (built by `swift build`) against libraries compiled from
/// Tests/Fixtures/bad_plugin.c, because what matters is what dlopen and dlsym make of real ELF images.
@Suite struct PluginRefusalTests {
    let fixtures: BadPluginFixtures

    init() throws {
        #expect(FileManager.default.isExecutableFile(atPath: TestPaths.hostBinary.path),
                "run `swift build` first: \(TestPaths.hostBinary.path) is missing")
        fixtures = try BadPluginFixtures.shared.get()
    }

    /// The fixtures, then the build folder, then the duplicate "sts": STS from the build is found first.
    var pluginPath: String {
        [fixtures.folder.path, TestPaths.buildProducts.path, fixtures.lateFolder.path].joined(separator: ":")
    }

    /// The `awsemu plugins` line about `path`.
    private func line(about path: String, in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.contains(path) }
    }

    @Test func pluginsCommandRefusesEachFixtureWithItsReason() throws {
        let result = try ChildProcess.run(TestPaths.hostBinary.path, ["plugins"],
                                          environment: ChildProcess.cleanEnvironment(["EMU_PLUGIN_PATH": pluginPath]),
                                          in: fixtures.folder)
        #expect(result.status == 0)
        for fixture in BadPluginFixtures.allRefusals where fixture.fileName != BadPluginFixtures.initFails {
            let line = line(about: fixtures.path(of: fixture), in: result.stdout)
            #expect(line?.hasPrefix("refuse") == true, "\(fixture.fileName): \(line ?? "no line")")
            #expect(line?.contains(fixture.reason) == true, "\(fixture.fileName): \(line ?? "no line")")
        }
        // `awsemu plugins` does not run on_init, so a failing on_init is only found by `awsemu start`.
        // A plugin built against an older minor, with a shorter descriptor, loads.
        let older = line(about: fixtures.path(of: BadPluginFixtures.olderMinor), in: result.stdout)
        #expect(older?.hasPrefix("load") == true, "\(older ?? "no line")")
        let initFails = line(about: BadPluginFixtures.initFails, in: result.stdout)
        #expect(initFails?.hasPrefix("load") == true)
        #expect(result.stdout.contains("load     kms [kms]"))
        #expect(result.stdout.contains("load     sts [sts]"))
    }

    @Test func firstPluginFoundKeepsAService() throws {
        // The duplicate listed before the build folder: it keeps "sts", and the real STS is the one refused.
        let path = [fixtures.lateFolder.path, TestPaths.buildProducts.path].joined(separator: ":")
        let result = try ChildProcess.run(TestPaths.hostBinary.path, ["plugins"],
                                          environment: ChildProcess.cleanEnvironment(["EMU_PLUGIN_PATH": path]),
                                          in: fixtures.folder)
        #expect(result.status == 0)
        #expect(result.stdout.contains("load     bad-dup-sts [sts]"))
        let sts = line(about: "libSTSPlugin.so", in: result.stdout)
        #expect(sts?.contains("service sts is already served by plugin bad-dup-sts") == true, "\(sts ?? "no line")")
    }

    @Test func startedHostReportsRefusalsAndServesTheRest() async throws {
        let host = try RunningHost(environment: ["EMU_PLUGIN_PATH": pluginPath])
        #expect(host.readyLine.contains("kms 0.1.0"))
        #expect(host.readyLine.contains("sts 0.1.0"))
        #expect(!host.readyLine.contains("bad-"))

        let (status, _, body) = try await host.request("GET", "/_emu/health")
        #expect(status == 200)
        let health = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let refused = (health["refused"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            $0[$1["path"] as? String ?? ""] = $1["reason"] as? String ?? ""
        }
        for fixture in BadPluginFixtures.allRefusals {
            let reason = refused[fixtures.path(of: fixture)]
            #expect(reason?.contains(fixture.reason) == true, "\(fixture.fileName): \(reason ?? "not refused")")
        }
        let loaded = (health["plugins"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        // Every Swift plugin of the build loads; none of the refused fixtures does.
        #expect(Set(loaded).isSuperset(of: ["kms", "sts", "ok-old-minor"]))
        let older = (health["plugins"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "ok-old-minor" }
        #expect(older?["abiVersion"] as? String == "1.2")
        #expect(!loaded.contains { $0.hasPrefix("bad") })

        // One log line per refusal, naming the file.
        let log = host.stderr
        for fixture in BadPluginFixtures.allRefusals {
            let logLine = "refused plugin \(fixtures.path(of: fixture))"
            let lines = log.split(separator: "\n").filter { $0.contains(logLine) }
            #expect(lines.count == 1, "\(fixture.fileName): \(lines)")
        }

        // STS still answers.
        let sts = try await host.request(
            "POST", "/", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Data("Action=GetCallerIdentity&Version=2011-06-15".utf8))
        #expect(sts.status == 200)
        #expect(String(decoding: sts.body, as: UTF8.self).contains("<Account>000000000000</Account>"))
        #expect(host.stop() == 0)
    }
}
