import Foundation
import Testing
@testable import EmuHostCore

/// The state store's thin layer over SQLite's C API: values come back as they went in (an empty blob is not NULL),
/// a failed write transaction leaves nothing behind, and a file that is not a database is refused.
@Suite struct SQLiteDatabaseTests {
    private func temporaryPath() -> String {
        NSTemporaryDirectory() + "/awsemu-sqlite-\(UUID().uuidString).sqlite"
    }

    @Test func valuesRoundTrip() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.withConnection { db in
            try db.execute("CREATE TABLE t (name TEXT, number INTEGER, bytes BLOB)")
            try db.query("INSERT INTO t VALUES (?, ?, ?)", [.text("empty"), .integer(-1), .blob([])])
            try db.query("INSERT INTO t VALUES (?, ?, ?)", [.text("null"), .integer(Int64.max), .blob(nil)])
            try db.query("INSERT INTO t VALUES (?, ?, ?)", [.text("ünïcode"), .integer(0), .blob([0, 255, 1])])
        }
        var rows: [String] = []
        try database.withConnection { db in
            try db.query("SELECT name, number, bytes FROM t ORDER BY rowid") { row in
                rows.append("\(row.text(0)) \(row.integer(1)) \(row.blob(2).map { "\($0)" } ?? "NULL")")
            }
        }
        #expect(rows == ["empty -1 []", "null 9223372036854775807 NULL", "ünïcode 0 [0, 255, 1]"])
        let count = try database.withConnection { db in try db.scalar("SELECT COUNT(*) FROM t") { $0.integer(0) } }
        #expect(count == 3)
        let none = try database.withConnection { db in try db.scalar("SELECT name FROM t WHERE 0") { $0.text(0) } }
        #expect(none == nil)
    }

    /// One statement compiled once and run for many argument lists (a group commit's rows); an upsert sees the rows
    /// before it.
    @Test func oneStatementForManyRows() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.write { db in
            try db.execute("CREATE TABLE t (name TEXT PRIMARY KEY, number INTEGER)")
            try db.run("INSERT INTO t VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET number = excluded.number "
                       + "WHERE excluded.number > t.number",
                       forEach: [[.text("a"), .integer(1)], [.text("b"), .integer(2)], [.text("a"), .integer(3)],
                                 [.text("b"), .integer(0)]])
        }
        var rows: [String] = []
        try database.withConnection { db in
            try db.run("SELECT name, number FROM t WHERE number >= ? ORDER BY name", forEach: [[.integer(0)], [.integer(3)]]) {
                rows.append("\($0.text(0))=\($0.integer(1))")
            }
        }
        #expect(rows == ["a=3", "b=2", "a=3"])
    }

    @Test func failedWriteLeavesNothing() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.withConnection { db in try db.execute("CREATE TABLE t (name TEXT PRIMARY KEY)") }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try database.write { db in
                try db.query("INSERT INTO t VALUES (?)", [.text("a")])
                throw Stop()
            }
        }
        #expect(throws: SQLiteError.self) {
            try database.write { db in
                try db.query("INSERT INTO t VALUES (?)", [.text("b")])
                try db.query("INSERT INTO t VALUES (?)", [.text("b")])  // violates the key
            }
        }
        let count = try database.withConnection { db in try db.scalar("SELECT COUNT(*) FROM t") { $0.integer(0) } }
        #expect(count == 0)
        try database.write { db in try db.query("INSERT INTO t VALUES (?)", [.text("c")]) }
        let after = try database.withConnection { db in try db.scalar("SELECT name FROM t") { $0.text(0) } }
        #expect(after == "c")
    }

    @Test func refusesWhatIsNotADatabase() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let database = try SQLiteDatabase(path: path)
        #expect(throws: SQLiteError.self) {
            try database.withConnection { db in _ = try db.scalar("PRAGMA quick_check") { $0.text(0) } }
        }
        #expect(throws: SQLiteError.self) { try database.withConnection { db in try db.execute("SELEC 1") } }
    }
}
