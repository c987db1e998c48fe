import EmuPluginKit
import Synchronization

/// Every bucket, object, multipart upload and part in the process, behind one lock.
///
/// The lock guards dictionary work only. Cryptography, KMS calls and blob I/O happen outside it: a write seals its
/// body into a new blob first, then commits the metadata with `update`, which re-checks what it relied on (the
/// bucket still exists, the upload is still open). Changes are handed to the host's persistence inside `update`,
/// under the lock, so stored records follow the order of the changes in memory.
final class S3Store: Sendable {
    struct State: Sendable {
        var buckets: [String: Bucket] = [:]
        /// bucket name → key → its current object (see `S3Store+Versions` for the rest of its versions).
        var objects: [String: [String: S3Object]] = [:]
        /// bucket name → key → its other versions and delete markers, newest first (versioned buckets only).
        var history: [String: [String: [S3Object]]] = [:]
        /// The last `S3Object.sequence` or `MultipartUpload.sequence` given out (one counter: only the order matters).
        var lastSequence: Int64 = 0
        var uploads: [String: MultipartUpload] = [:]
        /// upload id → part number → part.
        var parts: [String: [Int: UploadedPart]] = [:]
    }

    private let state = LockedBox(State())

    func read<R>(_ body: (State) -> R) -> R {
        state.withLock { body($0) }
    }

    /// Runs `body` on the state; throwing leaves the changes `body` made so far in place, so bodies check
    /// everything before they change anything.
    func update<R>(_ body: (inout State) throws(AWSError) -> R) throws(AWSError) -> R {
        let result: Result<R, AWSError> = state.withLock { current in
            do throws(AWSError) {
                return .success(try body(&current))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func removeAll() {
        state.withLock { $0 = State() }
    }

    /// Every blob id a record names (the start-up sweep keeps exactly these).
    func referencedBlobIds() -> Set<String> {
        state.withLock { current in
            var ids = Set<String>()
            for objects in current.objects.values {
                for object in objects.values { ids.formUnion(object.blobs.map(\.id)) }
            }
            for keys in current.history.values {
                for versions in keys.values { ids.formUnion(versions.flatMap { $0.blobs.map(\.id) }) }
            }
            for parts in current.parts.values {
                for part in parts.values { ids.insert(part.blob.id) }
            }
            return ids
        }
    }
}

extension S3Store {
    /// Puts stored records back at start-up; nothing is recorded.
    func restore(_ body: (inout State) -> Void) {
        state.withLock { body(&$0) }
    }
}
