import Foundation

/// `awsemu <aws cli arguments>`: runs the installed `aws` CLI against this host, so documentation examples work
/// as written. Adds the endpoint, `test`/`test` credentials and `us-east-1` only where the caller set none.
enum AWSPassThrough {
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
            FileHandle.standardError.write(Data("""
                awsemu: the aws CLI is not installed, so `awsemu \(arguments.first ?? "")` cannot run.
                Install it with:  pip install awscli
                (awsemu's own commands are: start, plugins, status; see awsemu --help)

                """.utf8))
            exit(127)
        }
        var argv = [aws]
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
        execv(aws, cArguments)
        FileHandle.standardError.write(Data("awsemu: could not run \(aws): \(String(cString: strerror(errno)))\n".utf8))
        exit(126)
    }
}
