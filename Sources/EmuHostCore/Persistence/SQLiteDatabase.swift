import CSQLite
import NIOConcurrencyHelpers

/// One SQLite connection, used by one thread at a time (every use goes through `withConnection`).
///
/// The state store needs a handful of statements on one table, so it calls SQLite's C API here rather than through
/// GRDB: GRDB imports Foundation, and Foundation with its ICU data is megabytes of an idle host's memory that
/// nothing else loads (the host and plugins import only FoundationEssentials).
final class SQLiteDatabase: @unchecked Sendable {
    /// Guards `handle`: SQLite connections are not to be used from two threads at once.
    private let lock = NIOLock()
    private let handle: OpaquePointer

    /// Opens (creating if needed) the database file at `path`.
    init(path: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let status = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(handle)
            throw SQLiteError(message)
        }
        self.handle = handle
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs `body` with the connection, one caller at a time.
    func withConnection<R>(_ body: (SQLiteConnection) throws -> R) throws -> R {
        try lock.withLock { try body(SQLiteConnection(handle: handle)) }
    }

    /// Runs `body` in one write transaction: all of it is committed, or (when it throws) none of it.
    func write<R>(_ body: (SQLiteConnection) throws -> R) throws -> R {
        try withConnection { connection in
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }
}

/// The connection lent to one `withConnection` body; not to be kept beyond it.
struct SQLiteConnection {
    fileprivate let handle: OpaquePointer

    /// Runs one or more statements that take no arguments and whose rows are not needed.
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw SQLiteError(text)
        }
    }

    /// Runs one statement with `arguments` bound to its `?` parameters, calling `row` for each result row.
    func query(_ sql: String, _ arguments: [SQLiteValue] = [], row: (SQLiteRow) throws -> Void = { _ in }) throws {
        try run(sql, forEach: CollectionOfOne(arguments), row: row)
    }

    /// Runs one statement once for each element of `argumentLists`, compiled once (a group commit's rows).
    func run(_ sql: String, forEach argumentLists: some Sequence<[SQLiteValue]>,
             row: (SQLiteRow) throws -> Void = { _ in }) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw SQLiteError(lastError)
        }
        defer { sqlite3_finalize(statement) }
        for arguments in argumentLists {
            sqlite3_reset(statement)
            for (offset, argument) in arguments.enumerated() {
                try argument.bind(to: statement, at: Int32(offset + 1), connection: self)
            }
            stepping: while true {
                switch sqlite3_step(statement) {
                case SQLITE_ROW: try row(SQLiteRow(statement: statement))
                case SQLITE_DONE: break stepping
                default: throw SQLiteError(lastError)
                }
            }
        }
    }

    /// The first column of the first row, or nil when there is no row.
    func scalar<T>(_ sql: String, _ arguments: [SQLiteValue] = [], _ read: (SQLiteRow) -> T) throws -> T? {
        var value: T?
        try query(sql, arguments) { row in if value == nil { value = read(row) } }
        return value
    }

    fileprivate var lastError: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A value bound to a statement's parameter.
enum SQLiteValue {
    case text(String)
    case integer(Int64)
    /// nil binds SQL NULL.
    case blob([UInt8]?)

    fileprivate func bind(to statement: OpaquePointer, at index: Int32, connection: SQLiteConnection) throws(SQLiteError) {
        // SQLITE_TRANSIENT: SQLite copies the bytes, which live only for this call.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let status: Int32
        switch self {
        case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, transient)
        case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
        case .blob(nil): status = sqlite3_bind_null(statement, index)
        case .blob(let bytes?) where bytes.isEmpty:
            // A null pointer would bind NULL, not an empty blob.
            status = sqlite3_bind_zeroblob(statement, index, 0)
        case .blob(let bytes?):
            status = bytes.withUnsafeBytes {
                sqlite3_bind_blob64(statement, index, $0.baseAddress, sqlite3_uint64($0.count), transient)
            }
        }
        guard status == SQLITE_OK else { throw SQLiteError(connection.lastError) }
    }
}

/// The current row of a running query; its columns are read by position.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func text(_ column: Int32) -> String {
        sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
    }

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    /// nil for SQL NULL; an empty blob is `[]`.
    func blob(_ column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}

/// SQLite's own message for a failed call.
struct SQLiteError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
