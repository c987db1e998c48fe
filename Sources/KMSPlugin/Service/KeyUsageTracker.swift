import EmuPluginKit
import Synchronization

/// GetKeyLastUsage's memory: the last successful cryptographic operation on each key.
///
/// Kept apart from the key records so that Encrypt does not rewrite (and, with persistence, re-store) the whole
/// key on every call; AWS's own record is eventually consistent too. Only successful calls reach `record`:
/// failures and DryRun calls throw before it.
final class KeyUsageTracker: Sendable {
    struct Usage: Sendable, Codable, Equatable {
        var operation: String
        var timestamp: Double
        var requestId: String
    }

    /// The operations AWS tracks (GetKeyLastUsage's Operation enum).
    static let trackedOperations: Set<String> = [
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign",
        "Verify", "VerifyMac", "Encapsulate", "Decapsulate",
    ]

    /// The usages by key ARN, and those not yet handed to persistence (flushed on the clock tick): one lock for
    /// both, since every tracked operation changes both.
    private struct Records {
        struct Entry {
            var usage: Usage
            var dirty: Bool
        }
        var entries: [String: Entry] = [:]
        /// The ARNs whose entry is dirty, each once: an Encrypt hashes its key's ARN once, to update the entry,
        /// where a set of dirty ARNs beside the usages hashed it twice.
        var dirty: [String] = []

        mutating func note(_ usage: Usage, for arn: String) {
            if entries.updateValue(Entry(usage: usage, dirty: true), forKey: arn)?.dirty != true { dirty.append(arn) }
        }
    }
    private let records = LockedBox(Records())
    private let trackingStartDirty = LockedBox<Bool>(true)
    /// When this emulator started tracking (AWS reports the later of this and the key's creation).
    private let trackingStart = LockedBox<Double>(0)

    var trackingStartDate: Double { trackingStart.withLock { $0 } }

    /// Sets the tracking start once; a restored value (persistence) wins over a later start.
    func startTracking(at date: Double) {
        trackingStart.withLock { if $0 == 0 || date < $0 { $0 = date } }
    }

    /// Records a successful operation against the key ARNs its output names (ReEncrypt names two).
    func record(operation: String, output: JSONValue, context: RequestContext, now: Double) {
        guard Self.trackedOperations.contains(operation) else { return }
        let keyArn = output["KeyId"]?.stringValue
        let sourceArn = output["SourceKeyId"]?.stringValue
        guard keyArn != nil || sourceArn != nil else { return }
        let usage = Usage(operation: operation, timestamp: now, requestId: context.requestId)
        records.withLock { records in
            if let keyArn { records.note(usage, for: keyArn) }
            if let sourceArn { records.note(usage, for: sourceArn) }
        }
    }

    func usage(for arn: String) -> Usage? { records.withLock { $0.entries[arn]?.usage } }

    func removeAll() {
        records.withLock { $0 = Records() }
    }

    /// Every usage recorded, by key ARN (a state snapshot).
    func allUsages() -> [(String, Usage)] {
        records.withLock { $0.entries.map { ($0.key, $0.value.usage) }.sorted { $0.0 < $1.0 } }
    }

    func restore(arn: String, usage: Usage) {
        records.withLock { records in
            let wasDirty = records.entries[arn]?.dirty == true
            records.entries[arn] = Records.Entry(usage: usage, dirty: wasDirty)
        }
    }

    /// The usages recorded since the last call, for persistence.
    func takeDirty() -> [(String, Usage)] {
        records.withLock { records in
            defer { records.dirty.removeAll() }
            return records.dirty.compactMap { arn in
                guard let entry = records.entries[arn], entry.dirty else { return nil }
                records.entries[arn]?.dirty = false
                return (arn, entry.usage)
            }
        }
    }

    func takeTrackingStartDirty() -> Bool { trackingStartDirty.withLock { flag in defer { flag = false }; return flag } }
}
