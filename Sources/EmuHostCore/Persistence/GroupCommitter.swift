import Dispatch
import EmuPluginKit
import NIOPosix

/// One writer thread that commits whatever has queued up since its last commit in a single transaction: under
/// load, many requests share one fsync; alone, a request waits for exactly one.
final class GroupCommitter: Sendable {
    private struct Batch: Sendable {
        var rows: [StateRecordRow]
        var completion: StateStore.Completion
    }

    private let database: SQLiteDatabase
    private let queue = LockedBox<[Batch]>([])
    private let wakeup = DispatchSemaphore(value: 0)

    /// The committer's own thread: it blocks in fsync, so it is not one of the request thread pool's.
    private let thread = NIOThreadPool(numberOfThreads: 1)

    init(database: SQLiteDatabase) {
        self.database = database
        thread.start()
        thread.submit { [self] _ in self.run() }
    }

    func submit(_ rows: [StateRecordRow], completion: @escaping StateStore.Completion) {
        queue.withLock { $0.append(Batch(rows: rows, completion: completion)) }
        wakeup.signal()
    }

    private func run() {
        while true {
            wakeup.wait()
            let batches = queue.withLock { pending in defer { pending.removeAll() }; return pending }
            guard !batches.isEmpty else { continue }
            let result: Result<Void, StateStoreError>
            do {
                try database.write { db in
                    try db.run(StateStore.upsert, forEach: batches.lazy.flatMap(\.rows).map(\.arguments))
                }
                result = .success(())
            } catch {
                result = .failure(StateStoreError("commit failed: \(error)"))
            }
            for batch in batches { batch.completion(result) }
        }
    }
}
