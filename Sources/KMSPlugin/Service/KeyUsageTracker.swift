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

    private let usages = LockedBox<[String: Usage]>([:])
    /// Usages not yet handed to persistence (flushed on the clock tick).
    private let dirty = LockedBox<Set<String>>([])
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
        var arns: [String] = []
        if let arn = output["KeyId"]?.stringValue { arns.append(arn) }
        if let arn = output["SourceKeyId"]?.stringValue, !arns.contains(arn) { arns.append(arn) }
        guard !arns.isEmpty else { return }
        let usage = Usage(operation: operation, timestamp: now, requestId: context.requestId)
        usages.withLock { all in
            for arn in arns { all[arn] = usage }
        }
        dirty.withLock { $0.formUnion(arns) }
    }

    func usage(for arn: String) -> Usage? { usages.withLock { $0[arn] } }

    func removeAll() {
        usages.withLock { $0.removeAll() }
        dirty.withLock { $0.removeAll() }
    }

    func restore(arn: String, usage: Usage) { usages.withLock { $0[arn] = usage } }

    /// The usages recorded since the last call, for persistence.
    func takeDirty() -> [(String, Usage)] {
        let arns = dirty.withLock { set in defer { set.removeAll() }; return set }
        return usages.withLock { all in arns.compactMap { arn in all[arn].map { (arn, $0) } } }
    }

    func takeTrackingStartDirty() -> Bool { trackingStartDirty.withLock { flag in defer { flag = false }; return flag } }
}
