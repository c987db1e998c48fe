import EmuPluginKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends sealed chunks to one new blob; `finish` makes it durable and visible.
final class BlobWriter {
    let id: String
    private let store: BlobStore
    private let descriptor: Int32
    private let temporaryPath: String
    private var finished = false

    init(id: String, store: BlobStore, descriptor: Int32, temporaryPath: String) {
        self.id = id
        self.store = store
        self.descriptor = descriptor
        self.temporaryPath = temporaryPath
    }

    deinit {
        if !finished { abandon() }
    }

    func append(_ bytes: [UInt8]) throws(AWSError) {
        let ok = bytes.withUnsafeBytes { FileDescriptorIO.writeAll($0, to: descriptor) }
        guard ok else { throw BlobStore.ioFailure("write body \(id)") }
    }

    /// Flushes the file to disk (a durable store) and gives it its final name.
    func finish() throws(AWSError) {
        finished = true
        let synced = !store.isDurable || fsync(descriptor) == 0
        close(descriptor)
        guard synced else {
            unlink(temporaryPath)
            throw BlobStore.ioFailure("sync body \(id)")
        }
        do {
            try store.publish(temporaryPath, id: id)
        } catch {
            unlink(temporaryPath)
            throw error
        }
    }

    /// Drops a blob that will not be used (the request failed before it was finished).
    func abandon() {
        guard !finished else { return }  // a failed finish has already closed and removed the file
        finished = true
        close(descriptor)
        unlink(temporaryPath)
    }
}
