import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Hands changed secrets to the host (state_put / state_delete) within the request that changed them, and reads
/// them back at start-up (on_state_load).
///
/// One record per secret, namespace `secret`, key `<account>/<region>/<name>`, value the JSON of `Secret`.
/// The record holds every version's value only as ciphertext and KMS-wrapped data key, so the SQLite file and
/// its WAL never see a plaintext.
enum SecretsPersistence {
    /// The format written by this plugin; `load` reads every format up to it.
    /// 2 added replicas (`primaryRegion`, `replicas`): an older plugin must not load a replica as a writable secret.
    static let formatVersion: UInt32 = 2
    static let namespace = "secret"

    /// Records the new state of one secret (nil: deleted). A no-op when persistence is off.
    /// - Throws: InternalFailure when the host cannot take the record, so the change is not acknowledged.
    static func record(_ context: RequestContext, key: String, secret: Secret?) throws(AWSError) {
        guard let host = PluginHost.current, host.persistenceEnabled else { return }
        guard let secret else {
            try host.stateDelete(context, namespace: namespace, key: key)
            return
        }
        try host.statePut(context, namespace: namespace, key: key, value: try encode(secret, key: key))
    }

    /// The record value of a secret.
    /// - Throws: InternalFailure when it cannot be encoded.
    private static func encode(_ secret: Secret, key: String) throws(AWSError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(secret))
        } catch {
            PluginHost.current?.error("secret record \(key) could not be encoded: \(error)")
            throw AWSError.internalFailure()
        }
    }

    /// Every secret's record (on_state_snapshot): the records `record` has put. nil when one cannot be encoded.
    static func snapshot(of store: SecretStore) -> [StateRecord]? {
        var records: [StateRecord] = []
        for (key, secret) in store.all() {
            guard let value = try? encode(secret, key: key) else { return nil }
            records.append(StateRecord(namespace: namespace, key: key, value: value, formatVersion: formatVersion))
        }
        return records
    }

    /// Restores one stored record into `store`. Returns false for a record this plugin cannot read, which stops
    /// the host from starting with part of its state missing.
    static func load(_ record: StateRecord, into store: SecretStore) -> Bool {
        let host = PluginHost.current
        guard record.formatVersion <= formatVersion else {
            host?.error("record \(record.namespace)/\(record.key) has format \(record.formatVersion), "
                + "newer than this plugin's \(formatVersion)")
            return false
        }
        guard record.namespace == namespace else {
            host?.error("unknown Secrets Manager record namespace \(record.namespace)")
            return false
        }
        do {
            let secret = try JSONDecoder().decode(Secret.self, from: Data(record.value))
            guard SecretStore.key(of: secret) == record.key else {
                host?.error("secret record \(record.key) names another secret")
                return false
            }
            store.restore(secret)
            return true
        } catch {
            host?.error("secret record \(record.key) could not be read: \(error)")
            return false
        }
    }
}
