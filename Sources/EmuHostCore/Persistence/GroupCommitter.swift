import EmuPluginKit
import Foundation
import GRDB
import Synchronization

/// One writer thread that commits whatever has queued up since its last commit in a single transaction: under
/// load, many requests share one fsync; alone, a request waits for exactly one.
final class GroupCommitter: Sendable {
    private struct Batch: Sendable {
        var rows: [StateRecordRow]
        var completion: StateStore.Completion
    }

    private let database: DatabaseQueue
    private let queue = LockedBox<[Batch]>([])
    private let wakeup = DispatchSemaphore(value: 0)

    init(database: DatabaseQueue) {
        self.database = database
        let thread = Thread { [self] in self.run() }
        thread.name = "awsemu-state-commit"
        thread.start()
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
                    for batch in batches {
                        for row in batch.rows {
                            try db.execute(sql: """
                                INSERT INTO records (plugin, ns, key, value, format, seq) VALUES (?, ?, ?, ?, ?, ?)
                                ON CONFLICT (plugin, ns, key) DO UPDATE SET value = excluded.value,
                                    format = excluded.format, seq = excluded.seq WHERE excluded.seq > records.seq
                                """, arguments: [row.plugin, row.namespace, row.key, row.value.map { Data($0) },
                                                 Int64(row.formatVersion), Int64(row.sequence)])
                        }
                    }
                }
                result = .success(())
            } catch {
                result = .failure(StateStoreError("commit failed: \(error)"))
            }
            for batch in batches { batch.completion(result) }
        }
    }
}
