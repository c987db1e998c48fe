import EmuPluginKit
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The host's crash-safe store: SQLite in WAL mode with `synchronous = FULL`, so a commit is on disk before the
/// response that depends on it leaves, and concurrent requests' changes share one transaction and one fsync
/// (group commit) so throughput holds.
public final class StateStore: Sendable {
    public typealias Completion = @Sendable (Result<Void, StateStoreError>) -> Void

    private let database: SQLiteDatabase
    private let cipher: StateCipher?
    private let committer: GroupCommitter
    /// The last sequence number handed out; continues from the database's highest after a restart.
    private let sequence: Atomic<UInt64>

    /// Opens (creating if needed) the store in `directory`, checking its integrity and the encryption key.
    /// - Throws: `StateStoreError` for an unreadable or corrupt database, or a wrong or missing key.
    public init(directory: String, encryptionSecret: String?) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
            try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        } catch {
            throw StateStoreError("DATA_DIR \(directory) cannot be created: \(SystemErrorText.describe(error, besides: directory))")
        }
        let path = directory + "/awsemu-state.sqlite"
        let previousMask = umask(0o077)
        defer { umask(previousMask) }
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(path: path)
            try database.withConnection { db in
                try db.execute("PRAGMA synchronous = FULL")
                _ = try db.scalar("PRAGMA journal_mode = WAL") { $0.text(0) }
                let check = try db.scalar("PRAGMA quick_check") { $0.text(0) } ?? ""
                guard check == "ok" else { throw StateStoreError("integrity check failed: \(check)") }
                try db.execute("""
                    CREATE TABLE IF NOT EXISTS records (
                        plugin TEXT NOT NULL, ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB,
                        format INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (plugin, ns, key));
                    CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
                    CREATE INDEX IF NOT EXISTS records_by_plugin_seq ON records (plugin, seq);
                    """)
            }
        } catch {
            throw StateStoreError("the state database \(path) is corrupt or unreadable (\(error)); "
                + "move it aside to start empty, or restore a backup")
        }
        for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
            try? fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path + suffix)
        }
        let cipher = try encryptionSecret.flatMap { $0.isEmpty ? nil : try StateCipher(secret: $0) }
        try Self.checkEncryption(database, cipher: cipher, path: path)
        let highest = try database.withConnection { db in
            try db.scalar("SELECT MAX(seq) FROM records") { $0.integer(0) } ?? 0
        }
        self.database = database
        self.cipher = cipher
        self.sequence = Atomic(UInt64(max(highest, 0)))
        self.committer = GroupCommitter(database: database)
    }

    /// The marker row tells the three cases apart: same key, wrong key, and a key given for plain data (or none
    /// given for encrypted data).
    private static func checkEncryption(_ database: SQLiteDatabase, cipher: StateCipher?, path: String) throws {
        let stored = try database.withConnection { db in
            try db.scalar("SELECT value FROM meta WHERE name = 'encryption-check'") { $0.blob(0) ?? [] }
        }
        let hasRecords = try database.withConnection { db in
            try db.scalar("SELECT EXISTS(SELECT 1 FROM records)") { $0.integer(0) != 0 } ?? false
        }
        switch (stored, cipher) {
        case (let marker?, let cipher?):
            guard (try? cipher.open(marker)) == StateCipher.marker else {
                throw StateStoreError("STATE_ENCRYPTION_KEY does not match the key \(path) was written with")
            }
        case (.some, nil):
            throw StateStoreError("\(path) is encrypted: set STATE_ENCRYPTION_KEY to the key it was written with")
        case (nil, let cipher?):
            if hasRecords {
                throw StateStoreError("\(path) holds unencrypted records; STATE_ENCRYPTION_KEY cannot be added to it")
            }
            let marker = try cipher.seal(StateCipher.marker)
            try database.write { db in
                try db.query("INSERT INTO meta (name, value) VALUES ('encryption-check', ?)", [.blob(marker)])
            }
        case (nil, nil):
            break
        }
    }

    /// The next sequence number, taken when a plugin hands over a change.
    public func nextSequence() -> UInt64 { sequence.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Commits changes; `completion` runs (on the committer thread) once they are durable.
    public func commit(_ rows: [StateRecordRow], completion: @escaping Completion) {
        do {
            committer.submit(try sealed(rows), completion: completion)
        } catch {
            completion(.failure(StateStoreError("a record could not be encrypted: \(error)")))
        }
    }

    /// Commits and waits (host endpoints, import).
    public func commitAndWait(_ rows: [StateRecordRow]) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = LockedBox<Result<Void, StateStoreError>>(.success(()))
        commit(rows) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        try outcome.withLock { try $0.get() }
    }

    /// Every live record of `plugin`, in the order the changes happened, decrypted.
    public func records(plugin: String) throws -> [StateRecordRow] {
        var rows: [StateRecordRow] = []
        try forEachRecord(plugin: plugin) { rows.append($0) }
        return rows
    }

    /// Walks every live record of `plugin` in change order without holding them all in memory (a store of
    /// 100,000 keys would otherwise cost its whole size again at start-up); returns how many it visited.
    @discardableResult
    public func forEachRecord(plugin: String, _ body: (StateRecordRow) throws -> Void) throws -> Int {
        try database.withConnection { db in
            var count = 0
            try db.query("""
                SELECT ns, key, value, format, seq FROM records WHERE plugin = ? AND value IS NOT NULL ORDER BY seq
                """, [.text(plugin)]) { row in
                let stored = row.blob(2) ?? []
                let value = try cipher.map { try $0.open(stored) } ?? stored
                guard let format = UInt32(exactly: row.integer(3)), let sequence = UInt64(exactly: row.integer(4)) else {
                    throw StateStoreError("record \(row.text(0))/\(row.text(1)) of plugin \(plugin) has a format version "
                        + "or sequence number out of range; the state database is corrupt")
                }
                try body(StateRecordRow(plugin: plugin, namespace: row.text(0), key: row.text(1), value: value,
                                        formatVersion: format, sequence: sequence))
                count += 1
            }
            return count
        }
    }

    /// Every plugin that has records.
    public func pluginNames() throws -> [String] {
        try database.withConnection { db in
            var names: [String] = []
            try db.query("SELECT DISTINCT plugin FROM records WHERE value IS NOT NULL") { names.append($0.text(0)) }
            return names
        }
    }

    /// Replaces every record of `plugins` with `rows` in one transaction (import): a crash leaves either the old
    /// state or the new one. The connection's lock serialises it with the group committer's transactions.
    public func replaceAll(plugins: [String], with rows: [StateRecordRow]) throws {
        let sealed = try sealed(rows)
        try database.write { db in
            for plugin in plugins { try db.query("DELETE FROM records WHERE plugin = ?", [.text(plugin)]) }
            try db.run(Self.upsert, forEach: sealed.lazy.map(\.arguments))
        }
    }

    /// Forgets every record of `plugin` (POST /_emu/state/reset).
    public func removeAll(plugin: String) throws {
        try database.write { db in try db.query("DELETE FROM records WHERE plugin = ?", [.text(plugin)]) }
    }

    /// Stores one change (parameters: `StateRecordRow.arguments`) unless the stored record is newer: changes that
    /// commit out of order cannot leave the older value behind, and of two rows for one record in an import (whose
    /// sequence numbers follow the file's order) the later wins.
    static let upsert = """
        INSERT INTO records (plugin, ns, key, value, format, seq) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (plugin, ns, key) DO UPDATE SET value = excluded.value, format = excluded.format,
            seq = excluded.seq WHERE excluded.seq > records.seq
        """

    /// `rows` with their values encrypted under STATE_ENCRYPTION_KEY, when one is set.
    private func sealed(_ rows: [StateRecordRow]) throws -> [StateRecordRow] {
        guard let cipher else { return rows }
        return try rows.map { row in
            var copy = row
            copy.value = try row.value.map { try cipher.seal($0) }
            return copy
        }
    }
}

extension StateRecordRow {
    /// The values for the parameters of an INSERT into `records` (plugin, ns, key, value, format, seq).
    var arguments: [SQLiteValue] {
        [.text(plugin), .text(namespace), .text(key), .blob(value), .integer(Int64(formatVersion)),
         .integer(Int64(clamping: sequence))]
    }
}
