import EmuPluginKit
import Synchronization

/// All secrets in the process, keyed `<account>/<region>/<name>` (the persisted record key too), behind one lock.
///
/// The lock guards dictionary work only. KMS calls (which may block) happen outside it: an operation reads a
/// snapshot, does its cryptography, then commits with `update`, which re-checks what it relied on. Every change
/// that `update` commits is handed to the host's persistence within the same request, under the lock, so the
/// stored records follow the order of the changes in memory.
final class SecretStore: Sendable {
    private let secrets = LockedBox<[String: Secret]>([:])
    /// The last creation sequence handed out (see `Secret.creationSequence`); restored secrets move it on.
    private let lastSequence = Atomic<UInt64>(0)

    static func key(account: String, region: String, name: String) -> String { "\(account)/\(region)/\(name)" }

    static func key(of secret: Secret) -> String {
        key(account: secret.accountId, region: secret.region, name: secret.name)
    }

    func secret(account: String, region: String, name: String) -> Secret? {
        secrets.withLock { $0[Self.key(account: account, region: region, name: name)] }
    }

    /// Every secret of one account in one region (the scope AWS lists and searches).
    func secrets(account: String, region: String) -> [Secret] {
        let prefix = "\(account)/\(region)/"
        return secrets.withLock { all in all.filter { $0.key.hasPrefix(prefix) }.map(\.value) }
    }

    /// The secrets whose recovery window has ended by `now` (the tick looks every TICK_SECONDS, so it copies only these).
    func dueForDeletion(at now: Double) -> [Secret] {
        secrets.withLock { all in all.values.filter { ($0.deletionDate ?? .infinity) <= now } }
    }

    /// Changes the secret stored under `key` (nil when there is none) and records the change for persistence
    /// within `context`'s request. Throwing leaves the store as it was. A secret stored without a creation sequence
    /// (a new one, whichever operation made it, or one from an older record) is given the next one here.
    /// - Parameters:
    ///   - context: the request (or tick) the change belongs to.
    ///   - body: gets the current secret, or nil; sets it to nil to delete it.
    func update<R>(_ context: RequestContext, key: String, _ body: (inout Secret?) throws(AWSError) -> R)
        throws(AWSError) -> R
    {
        let result: Result<R, AWSError> = secrets.withLock { all in
            let before = all[key]
            var current = before
            let value: R
            do throws(AWSError) {
                value = try body(&current)
            } catch {
                return .failure(error)
            }
            guard current != before else { return .success(value) }
            if current != nil, current?.creationSequence == nil {
                current?.creationSequence = lastSequence.wrappingAdd(1, ordering: .relaxed).newValue
            }
            do throws(AWSError) {
                try SecretsPersistence.record(context, key: key, secret: current)
            } catch {
                return .failure(error)
            }
            all[key] = current
            return .success(value)
        }
        return try result.get()
    }

    /// Puts a stored secret back at start-up; nothing is recorded.
    func restore(_ secret: Secret) {
        if let sequence = secret.creationSequence { lastSequence.max(sequence, ordering: .relaxed) }
        secrets.withLock { $0[Self.key(of: secret)] = secret }
    }

    /// Every secret with its record key, in key order (a state snapshot).
    func all() -> [(key: String, secret: Secret)] {
        // Copied under the lock, sorted outside it.
        secrets.withLock { $0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func removeAll() { secrets.withLock { $0.removeAll() } }
}
