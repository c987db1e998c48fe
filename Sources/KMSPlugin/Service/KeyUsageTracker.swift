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

    private let usages = Mutex<[String: Usage]>([:])
    /// When this emulator started tracking (AWS reports the later of this and the key's creation).
    private let trackingStart = Mutex<Double>(0)

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
    }

    func usage(for arn: String) -> Usage? { usages.withLock { $0[arn] } }

    func removeAll() { usages.withLock { $0.removeAll() } }
}
