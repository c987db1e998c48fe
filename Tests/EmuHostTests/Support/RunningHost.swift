import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `awsemu start` child process on a free port, for tests that need the whole host.
final class RunningHost {
    let process = Process()
    /// The first stdout line: `awsemu ready on http://127.0.0.1:PORT (kms 0.1.0, …)`.
    let readyLine: String
    let baseURL: URL
    private let stdout = Pipe()
    private let stderrURL: URL

    /// Starts the host and waits (at most `timeout` seconds) for its ready line.
    /// - Throws: `FixtureError` when the host exits or stays silent instead of becoming ready.
    init(environment: [String: String], timeout: TimeInterval = 30) throws {
        stderrURL = try TestPaths.makeTemporaryFolder().appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = TestPaths.hostBinary
        process.arguments = ["start"]
        process.environment = ChildProcess.cleanEnvironment(
            environment.merging(["GATEWAY_LISTEN": "127.0.0.1:0"]) { given, _ in given })
        process.currentDirectoryURL = stderrURL.deletingLastPathComponent()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        // A host that hangs before its ready line is killed, which ends the read below with EOF.
        let process = self.process
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        watchdog.cancel()
        readyLine = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let range = readyLine.range(of: #"http://[0-9.]+:[0-9]+"#, options: .regularExpression),
            let url = URL(string: String(readyLine[range]))
        else {
            if process.isRunning { process.terminate() }
            let log = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw FixtureError("host did not become ready; stdout: \(readyLine); stderr: \(log)")
        }
        baseURL = url
    }

    /// What the host logged so far.
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Sends one request and returns the status, headers (lower-cased names) and body.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data()) async throws
        -> (status: Int, headers: [String: String], body: Data)
    {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = 10
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if !body.isEmpty { request.httpBody = body }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw FixtureError("not an HTTP response") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return (http.statusCode, fields, data)
    }

    /// Sends SIGTERM and returns the exit status (0 is a clean shutdown).
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: stderrURL.deletingLastPathComponent())
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
