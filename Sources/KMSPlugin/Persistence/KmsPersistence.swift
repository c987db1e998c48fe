import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Hands changed KMS records to the host (state_put / state_delete) within the request that changed them, and
/// reads them back at start-up (on_state_load).
enum KmsPersistence {
    /// Stores what changed in one store. Called with the store lock held, so records reach the host in the
    /// order the changes happened.
    static func record(storeId: String, store: KmsStore, changes: Set<KmsStore.Change>) {
        guard let host = PluginHost.current, host.persistenceEnabled, let context = RequestScope.current else { return }
        let encoder = JSONEncoder()
        do {
            for change in changes {
                let (namespace, key, value) = try entry(storeId: storeId, store: store, change: change, encoder)
                if let value {
                    try host.statePut(context, namespace: namespace, key: key, value: value)
                } else {
                    try host.stateDelete(context, namespace: namespace, key: key)
                }
            }
        } catch {
            host.error("a KMS record could not be stored: \(error)")
        }
    }

    /// The record a change leaves behind: its namespace, key and value (nil when the thing changed is gone).
    private static func entry(storeId: String, store: KmsStore, change: KmsStore.Change, _ encoder: JSONEncoder) throws
        -> (namespace: String, key: String, value: [UInt8]?)
    {
        switch change {
        case .key(let id):
            return ("key", "\(storeId)/\(id)", try store.keys[id].map { KmsRecords.binaryKey(try KmsRecords.encode($0)) })
        case .alias(let name):
            return ("alias", "\(storeId)/\(name)", try store.aliases[name].map { Array(try encoder.encode(KmsRecords.encode($0))) })
        case .customKeyStore(let id):
            return ("cks", "\(storeId)/\(id)", try store.customKeyStores[id].map { Array(try encoder.encode($0)) })
        case .grant(let id):
            return ("grant", "\(storeId)/\(id)", try store.grant(id: id).map { try grantValue($0, store, encoder) })
        }
    }

    /// The record of when last-usage tracking began: what the tick stores and a snapshot hands over alike.
    static func trackingStartRecord(_ date: Double) -> (namespace: String, key: String, value: [UInt8]) {
        ("meta", "trackingStart", Array(String(date).utf8))
    }

    /// The record of one key's last usage, likewise.
    static func usageRecord(arn: String, _ usage: KeyUsageTracker.Usage, _ encoder: JSONEncoder) throws
        -> (namespace: String, key: String, value: [UInt8])
    {
        ("usage", arn, Array(try encoder.encode(usage)))
    }

    private static func grantValue(_ grant: KmsGrant, _ store: KmsStore, _ encoder: JSONEncoder) throws -> [UInt8] {
        Array(try encoder.encode(KmsRecords.encode(grant, tokens: store.tokens(of: grant.grantId))))
    }

    /// Every record of the present state (on_state_snapshot), the same records the changes have put.
    static func snapshot(state: KmsState, lastUsage: KeyUsageTracker) throws -> [StateRecord] {
        var records: [StateRecord] = []
        func add(_ namespace: String, _ key: String, _ value: [UInt8]) {
            records.append(StateRecord(namespace: namespace, key: key, value: value, formatVersion: KmsRecords.formatVersion))
        }
        let encoder = JSONEncoder()
        for (storeId, store) in state.allStores() {
            // Keys in the order they were made, which ListKeys pages by and loading the records keeps.
            var changes: [KmsStore.Change] = store.keyOrder.map { .key($0) } + store.aliases.keys.map { .alias($0) }
            changes += store.customKeyStores.keys.map { .customKeyStore($0) }
            for change in changes {
                let (namespace, key, value) = try entry(storeId: storeId, store: store, change: change, encoder)
                if let value { add(namespace, key, value) }
            }
            // Grants straight from their lists: looking each up by id would scan its key's grants every time.
            for grant in store.grants.values.joined() {
                add("grant", "\(storeId)/\(grant.grantId)", try grantValue(grant, store, encoder))
            }
        }
        let start = trackingStartRecord(lastUsage.trackingStartDate)
        add(start.namespace, start.key, start.value)
        for (arn, usage) in lastUsage.allUsages() {
            let record = try usageRecord(arn: arn, usage, encoder)
            add(record.namespace, record.key, record.value)
        }
        return records
    }

    /// Splits `<account>/<region>/<id>`; the id may itself contain '/', as alias names do.
    static func splitKey(_ key: String) -> (account: String, region: String, id: String)? {
        let parts = key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return (String(parts[0]), String(parts[1]), String(parts[2]))
    }
}

extension KmsService {
    /// Restores one stored record. Returns false for a record this version cannot read.
    func load(_ record: StateRecord) -> Bool {
        guard record.formatVersion <= KmsRecords.formatVersion else {
            host.error("record \(record.namespace)/\(record.key) has format \(record.formatVersion), newer than this plugin's \(KmsRecords.formatVersion)")
            return false
        }
        let decoder = JSONDecoder()
        let data = Data(record.value)
        do {
            switch record.namespace {
            case "meta":
                if record.key == "trackingStart", let text = String(validating: record.value, as: UTF8.self),
                    let date = Double(text)
                {
                    lastUsage.startTracking(at: date)
                }
                return true
            case "usage":
                lastUsage.restore(arn: record.key, usage: try decoder.decode(KeyUsageTracker.Usage.self, from: data))
                return true
            default:
                break
            }
            guard let (account, region, _) = KmsPersistence.splitKey(record.key) else { return false }
            switch record.namespace {
            case "key":
                let fields = record.value.starts(with: KmsRecords.binaryKeyMagic)
                    ? try KmsRecords.key(fromBinary: record.value) : try KmsRecords.key(from: try JSONValue.parse(record.value))
                let key = try KmsRecords.decode(fields)
                state.restore(account, region) { $0.insert(key) }
            case "alias":
                let alias = try decoder.decode(KmsRecords.Alias.self, from: data)
                state.restore(account, region) {
                    $0.setAlias(KmsAlias(name: alias.name, targetKeyId: alias.targetKeyId, creationDate: alias.creationDate,
                                         lastUpdatedDate: alias.lastUpdatedDate))
                }
            case "cks":
                let customStore = try decoder.decode(KmsCustomKeyStore.self, from: data)
                state.restore(account, region) { $0.setCustomKeyStore(customStore) }
            case "grant":
                let grant = try decoder.decode(KmsRecords.Grant.self, from: data)
                state.restore(account, region) { store in
                    store.addGrant(KmsGrant(
                        grantId: grant.grantId, keyId: grant.keyId, name: grant.name, creationDate: grant.creationDate,
                        granteePrincipal: grant.granteePrincipal, retiringPrincipal: grant.retiringPrincipal,
                        issuingAccount: grant.issuingAccount, operations: grant.operations,
                        contextSubset: grant.contextSubset, contextEquals: grant.contextEquals))
                    for token in grant.tokens { store.addGrantToken(token, grantId: grant.grantId) }
                }
            default:
                host.error("unknown KMS record namespace \(record.namespace)")
                return false
            }
            return true
        } catch {
            host.error("KMS record \(record.namespace)/\(record.key) could not be read: \(error)")
            return false
        }
    }

    /// Hands over again the AWS managed keys (and their aliases) created by requests that failed. Called after
    /// the handler, within the request: if this request succeeds, its commit carries them.
    func saveUnsavedKeys() {
        let pending = unsavedKeys.withLock { set in defer { set.removeAll() }; return set }
        guard host.persistenceEnabled, RequestScope.current != nil else { return }
        for entry in pending {
            let parts = entry.split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { continue }
            state.writeStore(id: "\(parts[0])/\(parts[1])") { store in
                guard let key = store.keys[parts[2]] else { return }
                store.update(key)
                for name in store.aliasNames(for: key.keyId) {
                    if let alias = store.aliases[name] { store.setAlias(alias) }
                }
            }
        }
    }

    /// Stores what only time changes (last usage, the tracking start), within a tick's context.
    func flushBackgroundRecords(_ context: RequestContext) {
        guard host.persistenceEnabled else { return }
        saveUnsavedKeys()
        let encoder = JSONEncoder()
        if lastUsage.takeTrackingStartDirty() {
            let start = KmsPersistence.trackingStartRecord(lastUsage.trackingStartDate)
            try? host.statePut(context, namespace: start.namespace, key: start.key, value: start.value)
        }
        for (arn, usage) in lastUsage.takeDirty() {
            if let record = try? KmsPersistence.usageRecord(arn: arn, usage, encoder) {
                try? host.statePut(context, namespace: record.namespace, key: record.key, value: record.value)
            }
        }
    }
}
