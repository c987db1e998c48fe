import EmuPluginKit
import Synchronization

/// Parsed key policies by their text, so that authorising a request does not parse JSON each time.
///
/// Parsing a typical policy costs about 150 µs (Foundation's JSON decoder), evaluating it about 13 µs (release
/// build); keys store their policy as text (GetKeyPolicy must return it verbatim), so the cache is keyed by
/// that text and needs no invalidation: a new policy is a new key. It is bounded and simply emptied when
/// full, which is cheap and enough for the few distinct policies a test run uses.
final class PolicyDocumentCache: Sendable {
    private let documents = LockedBox<[String: PolicyDocument]>([:])
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The parsed policy for stored text.
    ///
    /// Stored policies are read leniently (`requireResource: false`): one stored before KMS began to require
    /// `Resource` still loads, and its statements without one simply have no effect.
    /// - Throws: `MalformedPolicyDocumentException` if the stored text is not a policy at all.
    func document(for text: String) throws(AWSError) -> PolicyDocument {
        if let cached = documents.withLock({ $0[text] }) { return cached }
        let document = try PolicyDocument(parsing: text, requireResource: false)
        documents.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = document
        }
        return document
    }
}
