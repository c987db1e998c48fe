#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOConcurrencyHelpers

/// Who signed a request: the account that owns what it touches and the principal ARN policies see.
public struct Identity: Sendable, Equatable {
    public var accountId: String
    public var principalArn: String
    public var secretAccessKey: String?
    public var expiresMilliseconds: Int64?
}

/// Maps access key ids to identities: credentials issued by STS AssumeRole, and fixed ones from a file.
///
/// An unknown key falls back to AWS emulators' convention: a 12-digit key id is that account, anything else
/// the default account, with the account root as principal.
public final class IdentityRegistry: Sendable {
    private let entries = NIOLockedValueBox<[String: Identity]>([:])
    private let clock: HostClock
    private let defaultAccountId: String

    /// The default account's root, the identity nearly every request acts as: spelled once.
    private let defaultIdentity: Identity

    public init(clock: HostClock, defaultAccountId: String) {
        self.clock = clock
        self.defaultAccountId = defaultAccountId
        defaultIdentity = Identity(accountId: defaultAccountId, principalArn: "arn:aws:iam::\(defaultAccountId):root")
    }

    public func register(accessKeyId: String, identity: Identity) {
        entries.withLockedValue { $0[accessKeyId] = identity }
    }

    /// The registered identity of `accessKeyId`, if it has one that has not expired.
    public func lookup(_ accessKeyId: String) -> Identity? {
        guard let identity = entries.withLockedValue({ $0[accessKeyId] }) else { return nil }
        if let expires = identity.expiresMilliseconds, expires <= clock.nowMilliseconds() { return nil }
        return identity
    }

    /// The identity a request signed with `accessKeyId` acts as.
    public func resolve(_ accessKeyId: String?) -> Identity {
        if let key = accessKeyId, let identity = lookup(key) { return identity }
        guard let key = accessKeyId, key.utf8.count == 12, key.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return defaultIdentity
        }
        return Identity(accountId: key, principalArn: "arn:aws:iam::\(key):root")
    }

    /// Fixed identities (EMU_PRINCIPALS) survive a state reset; temporary STS credentials do not.
    private let fixed = NIOLockedValueBox<[String: Identity]>([:])

    public func removeAll() {
        let kept = fixed.withLockedValue { $0 }
        entries.withLockedValue { $0 = kept }
    }

    /// Loads a principals file: a JSON object from access key id to `{"arn": …, "secretAccessKey": …}`, so tests
    /// can act as fixed IAM users and roles. The account is the ARN's.
    /// - Throws: `HostConfigurationError` naming what is wrong with the file.
    public func loadPrincipals(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HostConfigurationError("EMU_PRINCIPALS file \(path) cannot be read")
        }
        struct Entry: Decodable {
            var arn: String
            var secretAccessKey: String?
        }
        let parsed: [String: Entry]
        do {
            parsed = try JSONDecoder().decode([String: Entry].self, from: data)
        } catch {
            throw HostConfigurationError("EMU_PRINCIPALS file \(path) is not a JSON object of access key id to "
                + "{\"arn\": …, \"secretAccessKey\": …}: \(error)")
        }
        var loaded: [String: Identity] = [:]
        for (accessKey, entry) in parsed {
            let parts = entry.arn.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 6, parts[0] == "arn", parts[4].count == 12, parts[4].allSatisfy(\.isASCIIDigit) else {
                throw HostConfigurationError("EMU_PRINCIPALS: \(entry.arn) (for \(accessKey)) is not an IAM ARN with an account")
            }
            loaded[accessKey] = Identity(accountId: String(parts[4]), principalArn: entry.arn,
                                         secretAccessKey: entry.secretAccessKey, expiresMilliseconds: nil)
        }
        fixed.withLockedValue { $0 = loaded }
        entries.withLockedValue { $0.merge(loaded) { _, new in new } }
    }
}
