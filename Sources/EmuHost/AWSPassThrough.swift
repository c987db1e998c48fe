#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `awsemu <aws cli arguments>`: runs the installed `aws` CLI against this host, so documentation examples work
/// as written. Adds the endpoint, `test`/`test` credentials and `us-east-1` only where the caller set none.
///
/// AWS's documentation is written for CLI v2, which reads an inline blob argument (`--plaintext "$(… | base64)"`)
/// as base64; PyPI's `awscli` is v1, which would send the base64 text itself. Where the v1 CLI is importable, the
/// pass-through runs it with a small shim that gives blob arguments v2's meaning (unless the user's config sets
/// `cli_binary_format = raw-in-base64-out`, v2's own opt-out), so `awsemu kms encrypt …` behaves as documented.
enum AWSPassThrough {
    /// Runs awscli v1 in-process with v2's `cli_binary_format = base64` for inline blob arguments; falls back to
    /// plain `aws` when the awscli package is not importable from this python3.
    static let v2BlobShim = """
        import base64, binascii, os, sys
        try:
            from awscli.clidriver import create_clidriver
        except ImportError:
            os.execvp("aws", ["aws"] + sys.argv[1:])
        driver = create_clidriver()
        def decode_inline_blob(param, value, **kwargs):
            model = getattr(param, "argument_model", None)
            if model is None or model.type_name != "blob" or not isinstance(value, str):
                return None
            if model.serialization.get("streaming"):
                return None
            if value.startswith(("file://", "fileb://")):
                return None  # awscli's own paramfile handler reads the file (fileb:// is raw bytes in v1 and v2)
            if driver.session.get_scoped_config().get("cli_binary_format") == "raw-in-base64-out":
                return None
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                sys.stderr.write("\\nInvalid base64: %r\\n" % value)
                sys.exit(252)
        driver.session.register("load-cli-arg", decode_inline_blob)
        sys.exit(driver.main(sys.argv[1:]))
        """

    /// The host's base URL: AWSEMU_ENDPOINT, else GATEWAY_LISTEN's address, else http://127.0.0.1:4566.
    static func endpoint() -> String {
        let env = ProcessInfo.processInfo.environment
        if let endpoint = env["AWSEMU_ENDPOINT"], !endpoint.isEmpty { return endpoint }
        if let listen = env["GATEWAY_LISTEN"], let colon = listen.lastIndex(of: ":") {
            var host = String(listen[..<colon])
            if host.isEmpty || host == "0.0.0.0" { host = "127.0.0.1" }
            return "http://\(host):\(listen[listen.index(after: colon)...])"
        }
        return "http://127.0.0.1:4566"
    }

    static func run(_ arguments: [String]) -> Never {
        let env = ProcessInfo.processInfo.environment
        let path = env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let aws = path.split(separator: ":").map { "\($0)/aws" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let aws else {
            writeAll("""
                awsemu: the aws CLI is not installed, so `awsemu \(arguments.first ?? "")` cannot run.
                Install it with:  pip install awscli
                (awsemu's own commands are: start, plugins, status; see awsemu --help)

                """, to: STDERR_FILENO)
            exit(127)
        }
        let python = path.split(separator: ":").map { "\($0)/python3" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        var argv = python.map { [$0, "-c", v2BlobShim] } ?? [aws]
        if !arguments.contains(where: { $0 == "--endpoint-url" || $0.hasPrefix("--endpoint-url=") }) {
            argv += ["--endpoint-url", endpoint()]
        }
        argv += arguments
        let hasCredentials = env["AWS_ACCESS_KEY_ID"] != nil || env["AWS_PROFILE"] != nil
        if !hasCredentials {
            setenv("AWS_ACCESS_KEY_ID", "test", 1)
            setenv("AWS_SECRET_ACCESS_KEY", "test", 1)
        }
        if env["AWS_DEFAULT_REGION"] == nil && env["AWS_REGION"] == nil {
            setenv("AWS_DEFAULT_REGION", "us-east-1", 1)
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        execv(argv[0], cArguments)
        writeAll("awsemu: could not run \(aws): \(String(cString: strerror(errno)))\n", to: STDERR_FILENO)
        exit(126)
    }
}
