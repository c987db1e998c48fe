import EmuCrypto
import EmuPluginKit
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where encrypted bodies live: files under `DATA_DIR/s3/blobs/` with persistence on, memory otherwise.
///
/// The store only ever sees sealed bytes (see `BlobCipher`); it neither knows nor could use a key. A blob is
/// written once under a fresh random id and never changed, so readers need no lock: replacing or deleting an
/// object makes new blobs and *retires* the old ones, which are removed a few seconds later by the tick, after
/// any GET that had already looked the object up has finished reading them.
final class BlobStore: Sendable {
    /// The folder of blob files, or nil for in-memory blobs.
    let directory: String?
    private let memory = LockedBox<[String: [UInt8]]>([:])
    private let retired = LockedBox<[(id: String, at: ContinuousClock.Instant)]>([])
    /// Files written before this instant (wall clock, seconds) belong to an earlier run of the host.
    private let startedAtSeconds: Int

    /// How long a retired blob stays readable.
    static let retirementGrace: Duration = .seconds(5)

    /// Whether the folder was made; it is made on the first write, so a host that loads the plugin without
    /// serving S3 leaves no trace in DATA_DIR.
    private let madeDirectory = Atomic<Bool>(false)

    init(directory: String?) {
        self.directory = directory
        self.startedAtSeconds = Int(time(nil))
    }

    /// A fresh, unguessable blob id (also the file name).
    static func newId() -> String { Hex.encode(SecureRandom.bytes(16)) }

    private func path(_ id: String) -> String { "\(directory ?? "")/\(id).blob" }

    /// Starts writing a new blob.
    /// - Throws: InternalError when the file cannot be created.
    func makeWriter(id: String) throws(AWSError) -> BlobWriter {
        guard let directory else { return BlobWriter(id: id, store: self, descriptor: nil, temporaryPath: nil) }
        if !madeDirectory.load(ordering: .relaxed) {
            Self.makeDirectory(directory)
            madeDirectory.store(true, ordering: .relaxed)
        }
        let temporary = "\(directory)/\(id).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.ioFailure("create \(temporary)") }
        return BlobWriter(id: id, store: self, descriptor: descriptor, temporaryPath: temporary)
    }

    /// Called by a finished in-memory writer.
    func keepInMemory(_ id: String, _ bytes: [UInt8]) {
        memory.withLock { $0[id] = bytes }
    }

    /// Makes a finished file visible under its final name, durably (file and folder synced), before the metadata
    /// that names it is committed.
    func publish(_ temporaryPath: String, id: String) throws(AWSError) {
        guard rename(temporaryPath, path(id)) == 0 else { throw Self.ioFailure("rename \(temporaryPath)") }
        if let directory {
            let folder = open(directory, O_RDONLY | O_CLOEXEC)
            if folder >= 0 {
                _ = fsync(folder)
                close(folder)
            }
        }
    }

    /// Reads `length` stored bytes from `offset`.
    /// - Throws: InternalError when the blob is missing or short (removed behind the plugin's back).
    func read(_ id: String, offset: Int64, length: Int) throws(AWSError) -> [UInt8] {
        guard directory != nil else {
            guard let bytes = memory.withLock({ $0[id] }), offset >= 0, Int(offset) + length <= bytes.count else {
                throw Self.missing(id)
            }
            return Array(bytes[Int(offset)..<Int(offset) + length])
        }
        let descriptor = open(path(id), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.missing(id) }
        defer { close(descriptor) }
        var out = [UInt8](repeating: 0, count: length)
        var done = 0
        let ok = out.withUnsafeMutableBytes { buffer -> Bool in
            while done < length {
                let count = pread(descriptor, buffer.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                done += count
            }
            return true
        }
        guard ok else { throw Self.missing(id) }
        return out
    }

    /// Schedules blobs for removal after the grace period.
    func retire(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        let now = ContinuousClock.now
        retired.withLock { list in list.append(contentsOf: ids.map { (id: $0, at: now) }) }
    }

    /// Removes a blob at once: one that no committed record names (a failed request's upload).
    func discard(_ id: String) {
        if directory != nil {
            unlink(path(id))
        } else {
            memory.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    /// Removes the retired blobs whose grace period has ended (called from the tick).
    func collectRetired() {
        let now = ContinuousClock.now
        let due = retired.withLock { list -> [String] in
            let due = list.filter { now - $0.at >= Self.retirementGrace }.map(\.id)
            list.removeAll { now - $0.at >= Self.retirementGrace }
            return due
        }
        for id in due { discard(id) }
    }

    /// Removes files that no record names and that an earlier run left behind (a crash between writing a body and
    /// committing its record). Files of this run are never touched: a request may be about to commit them.
    func sweep(keeping referenced: Set<String>) -> Int {
        guard let directory, let folder = opendir(directory) else { return 0 }
        defer { closedir(folder) }
        var removed = 0
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let isBlob = name.hasSuffix(".blob")
            guard isBlob || name.hasSuffix(".tmp") else { continue }
            let id = String(name.dropLast(isBlob ? 5 : 4))
            guard !isBlob || !referenced.contains(id) else { continue }
            var info = stat()
            guard stat("\(directory)/\(name)", &info) == 0, Int(info.st_mtim.tv_sec) < startedAtSeconds else { continue }
            unlink("\(directory)/\(name)")
            removed += 1
        }
        return removed
    }

    /// Forgets every in-memory blob (state reset). Files stay: the host's reset empties memory, not the store,
    /// and the records that name them come back at the next start.
    func removeAllInMemory() {
        memory.withLock { $0.removeAll() }
        retired.withLock { $0.removeAll() }
    }

    private static func makeDirectory(_ directory: String) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            PluginHost.current?.error("cannot create the body folder \(directory): \(error)")
        }
    }

    static func ioFailure(_ what: String) -> AWSError {
        PluginHost.current?.error("body storage failed to \(what): \(String(cString: strerror(errno)))")
        return S3Errors.internalError()
    }

    private static func missing(_ id: String) -> AWSError {
        PluginHost.current?.error("stored body \(id) is missing or truncated")
        return S3Errors.internalError()
    }
}
