import EmuPluginKit

/// How a request names a key: by id, key ARN, alias name or alias ARN.
enum KeyReference: Equatable {
    case keyId(String)
    case keyArn(region: String, account: String, keyId: String)
    case aliasName(String)
    case aliasArn(region: String, account: String, name: String)
    /// Starts with `arn:` but is not a KMS key or alias ARN.
    case malformedArn(String)

    init(_ text: String) {
        if text.hasPrefix("alias/") {
            self = .aliasName(text)
            return
        }
        guard text.hasPrefix("arn:") else {
            self = .keyId(text)
            return
        }
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == "kms" else {
            self = .malformedArn(text)
            return
        }
        let region = String(parts[3])
        let account = String(parts[4])
        let resource = parts[5]
        if resource.hasPrefix("key/") {
            self = .keyArn(region: region, account: account, keyId: String(resource.dropFirst(4)))
        } else if resource.hasPrefix("alias/") {
            self = .aliasArn(region: region, account: account, name: String(resource))
        } else {
            self = .malformedArn(text)
        }
    }

    var isAlias: Bool {
        switch self {
        case .aliasName, .aliasArn: return true
        default: return false
        }
    }

    /// Whether `id` looks like an id KMS issues (a lowercase UUID or `mrk-` and 32 hex digits), which decides
    /// between AWS's "does not exist" and "Invalid keyId" messages.
    static func isWellFormedKeyId(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        func isHex(_ b: UInt8) -> Bool { (48...57).contains(b) || (97...102).contains(b) || (65...70).contains(b) }
        if id.hasPrefix("mrk-") {
            return bytes.count == 36 && bytes[4...].allSatisfy(isHex)
        }
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                if byte != UInt8(ascii: "-") { return false }
            } else if !isHex(byte) {
                return false
            }
        }
        return true
    }
}
