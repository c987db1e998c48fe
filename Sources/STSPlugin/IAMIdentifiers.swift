import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// IAM's identifier shapes: `AROA…` role ids, `ASIA…` temporary access keys, 40-character secrets.
enum IAMIdentifiers {
    private static let upperAlphanumeric = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    private static let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    static func random(prefix: String, length: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return prefix + String((0..<(length - prefix.count)).map { _ in upperAlphanumeric.randomElement(using: &rng)! })
    }

    static func randomSecret(length: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in secretAlphabet.randomElement(using: &rng)! })
    }

    /// A stable id for a name, so the same role always has the same `AROA…` id (FNV-1a; not a security hash).
    static func stableId(prefix: String, seed: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var out = prefix
        for round in 0..<17 {
            for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ UInt64(round)) &* 0x100_0000_01b3
            out.append(upperAlphanumeric[Int(hash >> 59)])
        }
        return out
    }

    /// What `UserId` GetCallerIdentity reports: the account id for the root, `AROA…:session` for an assumed
    /// role, `AIDA…` for an IAM user.
    static func userId(for ctx: RequestContext) -> String {
        let arn = ctx.principalArn
        if arn.hasSuffix(":root") { return ctx.accountId }
        if let range = arn.firstRange(of: ":assumed-role/") {
            let rest = arn[range.upperBound...].split(separator: "/")
            let role = rest.first.map(String.init) ?? ""
            let session = rest.count > 1 ? String(rest[1]) : ""
            let prefix = String(arn[..<range.lowerBound]).replacing(":sts:", with: ":iam:")
            return stableId(prefix: "AROA", seed: "\(prefix):role/\(role)") + ":" + session
        }
        return stableId(prefix: "AIDA", seed: arn)
    }
}
