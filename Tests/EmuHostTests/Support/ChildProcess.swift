import Foundation

/// What a finished child process printed and how it ended.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs external programs (`cc`, `awsemu plugins`) to completion.
enum ChildProcess {
    /// The environment of this test process without the variables that steer the host, so that a developer's
    /// shell settings cannot change what a test sees.
    static func cleanEnvironment(_ overrides: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["EMU_PLUGIN_PATH", "SERVICES", "GATEWAY_LISTEN", "DEFAULT_ACCOUNT_ID", "DEFAULT_REGION",
                     "MAX_REQUEST_BODY_BYTES", "PERSISTENCE", "DATA_DIR", "LOG_LEVEL"]
        {
            environment[name] = nil
        }
        environment.merge(overrides) { _, new in new }
        return environment
    }

    /// Runs `executable` and waits for it. Output goes through temporary files rather than pipes, so a chatty
    /// child can never block on a full pipe while we wait for it to exit.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    in folder: URL? = nil) throws -> ProcessResult
    {
        let scratch = try TestPaths.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment ?? cleanEnvironment()
        if let folder { process.currentDirectoryURL = folder }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
