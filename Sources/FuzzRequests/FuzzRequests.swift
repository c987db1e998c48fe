import EmuCrypto
import EmuHostCore
import EmuPluginKit
import Foundation
import Logging

/// A libFuzzer target for the host's request decoding and every plugin operation behind it.
///
/// Each input is one request: the first line says how it is addressed, the rest is the body.
///   `T <X-Amz-Target>`  an AWS JSON request (e.g. `T TrentService.Encrypt`)
///   `Q`                  an AWS Query form (the body is `Action=…&…`)
///   `R <METHOD> <path>`  a REST request (S3)
/// The request goes through the same router and plugins as a network request, in process. An answer of 500 or
/// more is a bug: the target traps, and libFuzzer keeps the input. The one exception is S3's `501 NotImplemented`
/// in S3's XML error shape, which AWS itself sends and which names a sub-resource this emulator does not serve
/// (`?publicAccessBlock`, `?tagging`, …): it states a missing feature, it is not a rejection of the input.
///
/// Built for fuzzing with `swift build --sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -parse-as-library`
/// (libFuzzer provides `main`); built normally it is a replayer that runs the files it is given (the seed corpus
/// in `Fuzz/corpus`) through the same function.
enum FuzzHarness {
    nonisolated(unsafe) static var runtime: HostRuntime?

    static func setUp() -> HostRuntime {
        if let runtime { return runtime }
        var configuration = (try? HostConfiguration(environment: ProcessInfo.processInfo.environment)) ?? HostConfiguration()
        configuration.persistence = false
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        let created = HostRuntime(configuration: configuration, logger: logger)
        created.install()
        created.loadPlugins()
        runtime = created
        return created
    }

    static func request(from bytes: [UInt8]) -> HTTPRequestData? {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let first = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = Array(bytes[(newline + 1)...])
        let authorization = { (service: String) in
            ("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/\(service)/aws4_request, SignedHeaders=host, Signature=0")
        }
        if first.hasPrefix("T ") {
            let target = String(first.dropFirst(2))
            let service = target.hasPrefix("TrentService") ? "kms" : "secretsmanager"
            return HTTPRequestData(method: "POST", uri: "/", headers: [
                ("X-Amz-Target", target), ("Content-Type", "application/x-amz-json-1.1"), authorization(service),
            ], body: body)
        }
        if first == "Q" {
            return HTTPRequestData(method: "POST", uri: "/", headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), authorization("sts"),
            ], body: body)
        }
        if first.hasPrefix("R ") {
            let parts = first.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { return nil }
            var headers = [("Host", "localhost"), authorization("s3")]
            // The body's own Content-MD5, which DeleteObjects requires: without it the XML would never be parsed.
            if !body.isEmpty, let md5 = try? OpenSSLDigest.hash(body, name: "MD5") {
                headers.append(("Content-MD5", Base64.encode(md5)))
            }
            return HTTPRequestData(method: parts[1], uri: parts[2], headers: headers, body: body)
        }
        return nil
    }

    /// Runs one input; returns the response, or nil when the input is not a request.
    static func run(_ bytes: [UInt8]) -> GatewayResponse? {
        let runtime = setUp()
        guard let request = request(from: bytes) else { return nil }
        switch RequestRouter(runtime: runtime).route(request) {
        case .respond(let response): return response
        case .invoke(_, let work): return work(true)
        }
    }

    /// S3's answer for a feature it does not have, in its XML error shape (a HEAD answer carries the status alone,
    /// as S3 sends it); anything else of 500 or more is a bug.
    static func isDeclaredNotImplemented(_ response: GatewayResponse, for bytes: [UInt8]) -> Bool {
        guard response.status == 501 else { return false }
        if response.body.isEmpty { return bytes.starts(with: Array("R HEAD ".utf8)) }
        return String(decoding: response.body, as: UTF8.self).contains("<Code>NotImplemented</Code>")
    }

    static func check(_ bytes: [UInt8]) {
        if let response = run(bytes), response.status >= 500, !isDeclaredNotImplemented(response, for: bytes) {
            fatalError("HTTP \(response.status) for input: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
/// The replayer: runs every file named on the command line (or in the folders named) through the harness.
@main
struct FuzzReplay {
    static func main() {
        var count = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).sorted().map { argument + "/" + $0 }
                : [argument]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                FuzzHarness.check(Array(data))
                count += 1
            }
        }
        print("replayed \(count) inputs: no answer of 500 or more")
    }
}
#endif
