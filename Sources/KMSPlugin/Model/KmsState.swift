import EmuPluginKit
import Synchronization

/// All KMS state in the process: one `KmsStore` per account and region, behind one lock.
///
/// Requests copy what they need out under the lock and do their cryptography outside it, so the lock is held
/// only for dictionary work; two cores stay busy with AES and RSA, not with waiting.
final class KmsState: Sendable {
    private let stores = LockedBox<[String: KmsStore]>([:])

    static func storeId(_ account: String, _ region: String) -> String { "\(account)/\(region)" }

    func read<R>(_ account: String, _ region: String, _ body: (KmsStore) throws(AWSError) -> R) throws(AWSError) -> R {
        let id = Self.storeId(account, region)
        let store = stores.withLock { $0[id] } ?? KmsStore()
        return try body(store)
    }

    func write<R>(_ account: String, _ region: String, _ body: (inout KmsStore) throws(AWSError) -> R) throws(AWSError)
        -> R
    {
        let id = Self.storeId(account, region)
        let result: Result<R, AWSError> = stores.withLock { all in
            var store = all[id] ?? KmsStore()
            all[id] = nil  // keep the store uniquely referenced while it changes
            defer {
                let changes = store.takeChanges()
                if !changes.isEmpty { KmsPersistence.record(storeId: id, store: store, changes: changes) }
                all[id] = store
            }
            do throws(AWSError) {
                return .success(try body(&store))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Applies a stored record at start-up; nothing is stored back.
    func restore(_ account: String, _ region: String, _ body: (inout KmsStore) -> Void) {
        let id = Self.storeId(account, region)
        stores.withLock { all in
            var store = all[id] ?? KmsStore()
            all[id] = nil
            body(&store)
            _ = store.takeChanges()
            all[id] = store
        }
    }

    /// Every store as it is now, with its `<account>/<region>` id (a state snapshot).
    func allStores() -> [(id: String, store: KmsStore)] {
        stores.withLock { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    /// Every store, for the clock tick and resets.
    func allStoreIds() -> [String] { stores.withLock { Array($0.keys) } }

    func writeStore(id: String, _ body: (inout KmsStore) -> Void) {
        stores.withLock { all in
            guard var store = all[id] else { return }
            all[id] = nil
            body(&store)
            let changes = store.takeChanges()
            if !changes.isEmpty { KmsPersistence.record(storeId: id, store: store, changes: changes) }
            all[id] = store
        }
    }

    /// The regions in which `account` has any state (multi-Region keys look for their replicas there).
    func regions(of account: String) -> [String] {
        let prefix = account + "/"
        return stores.withLock { $0.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } }
    }

    func removeAll() { stores.withLock { $0.removeAll() } }
}
