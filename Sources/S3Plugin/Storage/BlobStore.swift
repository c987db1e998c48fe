import EmuCrypto
import EmuPluginKit
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

/// Where encrypted bodies live: files under `DATA_DIR/s3/blobs/` with persistence on; otherwise files in a private
/// temporary folder, so that a 1 GB object costs disk, not memory, either way.
///
/// The store only ever sees sealed bytes (see `BlobCipher`); it neither knows nor could use a key. A blob is
/// written once under a fresh random id and never changed, so readers need no lock: replacing or deleting an
/// object makes new blobs and *retires* the old ones, which are removed a few seconds later by the tick, after
/// any GET that had already looked the object up has finished reading them.
final class BlobStore: Sendable {
    /// The folder of blob files.
    let directory: String
    /// Files are synced before their record commits (persistence on); a temporary store skips that and is
    /// emptied on reset and removed at shutdown.
    let isDurable: Bool
    private let retired = LockedBox<[(id: String, at: ContinuousClock.Instant)]>([])
    /// Blobs a streamed GET is reading, with how many streams read each: retired blobs stay while pinned.
    private let pinned = LockedBox<[String: Int]>([:])
    /// The locked file that marks a temporary folder as in use (held open, locked, for the process's life).
    private let folderLock = LockedBox<Int32>(-1)
    /// Files written before this instant (wall clock, seconds) belong to an earlier run of the host.
    private let startedAtSeconds: Int

    /// How long a retired blob stays readable.
    static let retirementGrace: Duration = .seconds(5)

    /// Whether the folder was made; it is made on the first write, so a host that loads the plugin without
    /// serving S3 leaves no trace in DATA_DIR.
    private let madeDirectory = Atomic<Bool>(false)

    /// - Parameter directory: the durable folder; nil for a temporary one (`TMPDIR/awsemu-s3-<pid>-<random>`).
    init(directory: String?) {
        if let directory {
            self.directory = directory
            isDurable = true
        } else {
            Self.removeAbandonedTemporaryFolders()
            self.directory = "\(Self.temporaryRoot)/\(Self.temporaryPrefix)\(getpid())-\(Hex.encode(SecureRandom.bytes(6)))"
            isDurable = false
        }
        self.startedAtSeconds = Int(time(nil))
    }

    private static var temporaryRoot: String {
        ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    private static let temporaryPrefix = "awsemu-s3-"

    /// Removes temporary folders of earlier hosts that were killed before they could clean up. A folder is in
    /// use while its host holds an exclusive `flock` on its `lock` file (released by the kernel when the process
    /// dies, whatever PID namespace it ran in); a folder whose lock can be taken is abandoned.
    private static func removeAbandonedTemporaryFolders() {
        let root = temporaryRoot
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for name in names where name.hasPrefix(temporaryPrefix) {
            let lockPath = "\(root)/\(name)/lock"
            let descriptor = open(lockPath, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }  // no lock file: being created, or not ours
            defer { close(descriptor) }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
            try? FileManager.default.removeItem(atPath: "\(root)/\(name)")
        }
    }

    /// Marks a new temporary folder as in use (see `removeAbandonedTemporaryFolders`).
    /// - Returns: the locked descriptor, kept open for the life of the process; -1 if the lock failed.
    /// The file is locked under a temporary name and only then renamed to `lock`, so a scanner never finds an
    /// unlocked `lock` in a live folder.
    private func lockTemporaryFolder() -> Int32 {
        let staging = "\(directory)/lock.new"
        let descriptor = open(staging, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return -1 }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, rename(staging, "\(directory)/lock") == 0 else {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    /// A fresh, unguessable blob id (also the file name).
    static func newId() -> String { Hex.encode(SecureRandom.publicBytes(16)) }

    private func path(_ id: String) -> String { "\(directory)/\(id).blob" }

    /// Starts writing a new blob.
    /// - Throws: InternalError when the file cannot be created.
    func makeWriter(id: String) throws(AWSError) -> BlobWriter {
        if !madeDirectory.load(ordering: .relaxed) {
            folderLock.withLock { lock in
                guard !madeDirectory.load(ordering: .relaxed) else { return }
                Self.makeDirectory(directory)
                if !isDurable { lock = lockTemporaryFolder() }
                madeDirectory.store(true, ordering: .relaxed)
            }
        }
        let temporary = "\(directory)/\(id).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.ioFailure("create \(temporary)") }
        return BlobWriter(id: id, store: self, descriptor: descriptor, temporaryPath: temporary)
    }

    /// Makes a finished file visible under its final name, durably (file and folder synced), before the metadata
    /// that names it is committed.
    func publish(_ temporaryPath: String, id: String) throws(AWSError) {
        guard rename(temporaryPath, path(id)) == 0 else { throw Self.ioFailure("rename \(temporaryPath)") }
        if isDurable {
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
        let descriptor = try openForReading(id)
        defer { close(descriptor) }
        return try Self.read(descriptor, id: id, offset: offset, length: length)
    }

    /// Opens a blob for a reader that must outlive its retirement (a long streamed GET): an open descriptor keeps
    /// the bytes even after the file is removed. The caller closes it.
    func openForReading(_ id: String) throws(AWSError) -> Int32 {
        let descriptor = open(path(id), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.missing(id) }
        return descriptor
    }

    /// Reads `length` stored bytes from `offset` of an open blob.
    static func read(_ descriptor: Int32, id: String, offset: Int64, length: Int) throws(AWSError) -> [UInt8] {
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
        guard ok else { throw missing(id) }
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
        unlink(path(id))
    }

    /// Keeps blobs from being removed while a streamed GET reads them, however long it takes.
    func pin(_ ids: [String]) {
        pinned.withLock { counts in for id in ids { counts[id, default: 0] += 1 } }
    }

    func unpin(_ ids: [String]) {
        pinned.withLock { counts in
            for id in ids {
                let left = (counts[id] ?? 1) - 1
                counts[id] = left > 0 ? left : nil
            }
        }
    }

    /// Removes the retired blobs whose grace period has ended and that no stream still reads (called from the
    /// tick).
    func collectRetired() {
        let now = ContinuousClock.now
        let reading = pinned.withLock { Set($0.keys) }
        let due = retired.withLock { list -> [String] in
            let isDue = { (entry: (id: String, at: ContinuousClock.Instant)) in
                now - entry.at >= Self.retirementGrace && !reading.contains(entry.id)
            }
            let due = list.filter(isDue).map(\.id)
            list.removeAll(where: isDue)
            return due
        }
        for id in due { discard(id) }
    }

    /// Removes files that no record names and that an earlier run left behind (a crash between writing a body and
    /// committing its record). Files of this run are never touched: a request may be about to commit them.
    func sweep(keeping referenced: Set<String>) -> Int {
        guard isDurable, let folder = opendir(directory) else { return 0 }
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

    /// State reset: a temporary store is emptied. A durable store's files stay: the host's reset empties memory,
    /// not the store, and the records that name them come back at the next start.
    func reset() {
        retired.withLock { $0.removeAll() }
        if !isDurable { removeTemporaryFiles() }
    }

    /// At shutdown a temporary store's folder goes with the process (nothing reads any more).
    func shutdown() {
        guard !isDurable else { return }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func removeTemporaryFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        // Only finished blobs: a `.tmp` file belongs to an upload still being written, which would fail to publish.
        // A blob a streamed GET still reads is retired instead, and goes when the stream ends.
        let reading = pinned.withLock { Set($0.keys) }
        var kept: [String] = []
        for name in names where name.hasSuffix(".blob") {
            let id = String(name.dropLast(5))
            if reading.contains(id) { kept.append(id) } else { unlink("\(directory)/\(name)") }
        }
        retire(kept)
    }

    private static func makeDirectory(_ directory: String) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            PluginHost.current?.error("cannot create the body folder \(directory): \(SystemErrorText.describe(error, besides: directory))")
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
