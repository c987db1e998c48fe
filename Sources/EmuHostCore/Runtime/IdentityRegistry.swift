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

    public init(clock: HostClock, defaultAccountId: String) {
        self.clock = clock
        self.defaultAccountId = defaultAccountId
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
        let account: String
        if let key = accessKeyId, key.count == 12, key.allSatisfy(\.isASCIIDigit) {
            account = key
        } else {
            account = defaultAccountId
        }
        return Identity(accountId: account, principalArn: "arn:aws:iam::\(account):root")
    }

    public func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }
}
