import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PluginABI

/// The entry the host looks up with dlsym.
@_cdecl("emu_plugin_entry_v1")
public func emuPluginEntryV1(_ host: UnsafePointer<emu_host_api>?) -> UnsafePointer<emu_plugin_descriptor>? {
    guard let host else { return nil }
    PluginHost.install(host, pluginName: "sts")
    return STSPlugin.descriptor
}

/// AWS STS over the Query protocol: who am I, and temporary credentials for a role.
enum STSPlugin {
    static let version = "0.1.0"
    static let namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

    nonisolated(unsafe) static let descriptor: UnsafePointer<emu_plugin_descriptor> = {
        let service = ServiceDefinition(
            id: "sts", protocolKind: EMU_PROTOCOL_QUERY, signingName: "sts", apiVersion: "2011-06-15",
            operations: [
                OperationDefinition("GetCallerIdentity", nonBlocking: true) { ctx, _ in
                    try getCallerIdentity(ctx)
                },
                OperationDefinition("AssumeRole", nonBlocking: true) { ctx, body in
                    try assumeRole(ctx, try JSONValue.parse(body))
                },
            ])
        return PluginDefinition(name: "sts", version: version, stateFormatVersion: 1, services: [service])
            .makeDescriptor()
    }()

    static func getCallerIdentity(_ ctx: RequestContext) throws(AWSError) -> OperationOutput {
        let result = xmlElement("Arn", ctx.principalArn) + xmlElement("UserId", IAMIdentifiers.userId(for: ctx))
            + xmlElement("Account", ctx.accountId)
        return queryResponse("GetCallerIdentity", result, ctx)
    }

    static func assumeRole(_ ctx: RequestContext, _ input: JSONValue) throws(AWSError) -> OperationOutput {
        guard let roleArn = input["RoleArn"]?.stringValue else {
            throw AWSError("MissingParameter", "The request must contain the parameter RoleArn")
        }
        guard let sessionName = input["RoleSessionName"]?.stringValue else {
            throw AWSError("MissingParameter", "The request must contain the parameter RoleSessionName")
        }
        if roleArn.count < 20 || roleArn.count > 2048 {
            throw AWSError("ValidationError", "1 validation error detected: Value '\(roleArn)' at 'roleArn' failed to "
                + "satisfy constraint: Member must have length \(roleArn.count < 20 ? "greater than or equal to 20" : "less than or equal to 2048")")
        }
        let sessionAllowed = Set("_+=,.@-".unicodeScalars)
        if sessionName.count < 2 || sessionName.count > 64
            || sessionName.unicodeScalars.contains(where: {
                !$0.isASCII || !(sessionAllowed.contains($0) || $0.properties.isAlphabetic || $0.properties.numericType != nil)
            })
        {
            throw AWSError("ValidationError", "1 validation error detected: Value '\(sessionName)' at 'roleSessionName' "
                + "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
        }
        let parts = roleArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[4].count == 12,
            parts[4].allSatisfy(\.isNumber), parts[5].hasPrefix("role/")
        else {
            throw AWSError("ValidationError", "\(roleArn) is invalid")
        }
        var duration: Int64 = 3600
        if let text = input["DurationSeconds"]?.stringValue {
            guard let value = Int64(text), value >= 900, value <= 43200 else {
                throw AWSError("ValidationError", "1 validation error detected: Value '\(text)' at 'durationSeconds' "
                    + "failed to satisfy constraint: Member must have value between 900 and 43200")
            }
            duration = value
        }
        let account = String(parts[4])
        let roleName = String(parts[5].split(separator: "/").last ?? "")
        let partition = String(parts[1])
        let assumedArn = "arn:\(partition):sts::\(account):assumed-role/\(roleName)/\(sessionName)"
        let roleId = IAMIdentifiers.stableId(prefix: "AROA", seed: "arn:\(partition):iam::\(account):role/\(roleName)")
        let accessKeyId = IAMIdentifiers.random(prefix: "ASIA", length: 20)
        let secret = IAMIdentifiers.randomSecret(length: 40)
        let token = IAMIdentifiers.randomSecret(length: 356)
        guard let host = PluginHost.current else { throw AWSError.internalFailure() }
        let expires = host.nowMilliseconds() + duration * 1000
        guard host.registerIdentity(accessKeyId: accessKeyId, secretAccessKey: secret, accountId: account,
                                    principalArn: assumedArn, expiresMilliseconds: expires)
        else { throw AWSError.internalFailure("The credentials could not be registered.") }
        let expiration = Date(timeIntervalSince1970: Double(expires) / 1000)
        let result = "<AssumedRoleUser>" + xmlElement("Arn", assumedArn)
            + xmlElement("AssumedRoleId", "\(roleId):\(sessionName)") + "</AssumedRoleUser>"
            + "<Credentials>" + xmlElement("AccessKeyId", accessKeyId) + xmlElement("SecretAccessKey", secret)
            + xmlElement("SessionToken", token) + xmlElement("Expiration", expiration.formatted(.iso8601))
            + "</Credentials>" + xmlElement("PackedPolicySize", "0")
        return queryResponse("AssumeRole", result, ctx)
    }

    /// Wraps a result in the Query protocol's `<XResponse><XResult>…` envelope with the request id.
    static func queryResponse(_ action: String, _ result: String, _ ctx: RequestContext) -> OperationOutput {
        let xml = "<\(action)Response xmlns=\"\(namespace)\"><\(action)Result>\(result)</\(action)Result>"
            + "<ResponseMetadata>\(xmlElement("RequestId", ctx.requestId))</ResponseMetadata></\(action)Response>"
        return OperationOutput(body: Array(xml.utf8), headers: [("Content-Type", "text/xml")])
    }
}
