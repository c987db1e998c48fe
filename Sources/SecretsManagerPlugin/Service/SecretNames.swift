import EmuCrypto
import EmuPluginKit

/// Secret names, ARNs and the `SecretId` forms AWS accepts.
enum SecretNames {
    static let invalidNameMessage =
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"

    /// Characters a caller may use in a new secret's name: ASCII letters, digits and `/_+=.@-`.
    static func isValidNewName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { isNameByte($0) }
    }

    /// Characters a `SecretId` that is not an ARN may use: a new name's, plus `!`, which the secrets other
    /// services own (`rds!cluster-…`) carry.
    static func isValidLookupName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { isNameByte($0) || $0 == UInt8(ascii: "!") }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "/_+=.@-".utf8.contains(byte)
        }
    }

    private static let suffixAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random alphanumerics>`: the suffix makes
    /// the ARN of a re-created secret differ from the deleted one's, so old grants and policies do not carry over.
    static func newArn(name: String, account: String, region: String) -> String {
        var suffix = ""
        for index in RandomIndex.indices(count: 6, below: suffixAlphabet.count) {
            suffix.append(Character(Unicode.Scalar(suffixAlphabet[index])))
        }
        return "arn:\(partition(region)):secretsmanager:\(region):\(account):secret:\(name)-\(suffix)"
    }

    static func partition(_ region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }

    /// What a `SecretId` names.
    enum Reference: Equatable {
        /// A plain name in the caller's account and region.
        case name(String)
        /// An ARN: `rest` is either the full `<name>-<suffix>` or, for a partial ARN, just the name.
        case arn(region: String, account: String, rest: String)
        /// Starts with `arn:` but is not a Secrets Manager secret ARN.
        case malformedArn
    }

    static func reference(_ secretId: String) -> Reference {
        guard secretId.hasPrefix("arn:") else { return .name(secretId) }
        let parts = secretId.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 7, parts[2] == "secretsmanager", parts[5] == "secret", !parts[6].isEmpty else {
            return .malformedArn
        }
        return .arn(region: String(parts[3]), account: String(parts[4]), rest: String(parts[6]))
    }
}

/// Uniform random indices from OpenSSL's DRBG, by rejection sampling so no index is more likely than another.
enum RandomIndex {
    static func indices(count: Int, below bound: Int) -> [Int] {
        precondition(bound > 0 && bound <= 256)
        let limit = 256 - (256 % bound)
        var result: [Int] = []
        result.reserveCapacity(count)
        while result.count < count {
            for byte in SecureRandom.bytes(max(16, (count - result.count) * 2)) where Int(byte) < limit {
                result.append(Int(byte) % bound)
                if result.count == count { break }
            }
        }
        return result
    }

    static func index(below bound: Int) -> Int { indices(count: 1, below: bound)[0] }
}
