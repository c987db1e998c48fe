#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import EmuPluginKit
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request body too large to hold in memory, kept in a temporary file for a streaming REST service to read
/// with `read_body`.
///
/// The file is unlinked as soon as it is created: only the descriptor names it, so the bytes vanish when the
/// request ends, however it ends (answered, client gone, host killed). The gateway appends from its thread pool,
/// one write at a time; the handler reads after the last write, front to back.
public final class SpooledBody: @unchecked Sendable {
    private let descriptor: Int32
    private let lock = NIOLock()
    private var written: Int64 = 0
    private var readOffset: Int64 = 0

    /// Creates the file in `TMPDIR` (or /tmp). - Returns: nil when no file can be made.
    public init?() {
        let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        // mkstemp, but with O_CLOEXEC in the same call (no window in which a fork could inherit the descriptor).
        var descriptor: Int32 = -1
        for _ in 0..<8 where descriptor < 0 {
            let path = "\(folder)/awsemu-body-\(UInt64.random(in: 0...UInt64.max))"
            descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { unlink(path) } else if errno != EEXIST { break }
        }
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The bytes written so far: the whole body once the gateway hands it to a handler.
    public var length: Int64 { lock.withLock { written } }

    /// Appends `buffer`. - Returns: false when the disk refused (full, I/O error).
    func append(_ buffer: ByteBuffer) -> Bool {
        lock.withLock {
            buffer.withUnsafeReadableBytes { raw -> Bool in
                guard FileDescriptorIO.writeAll(raw, to: descriptor, at: written) else { return false }
                written += Int64(raw.count)
                return true
            }
        }
    }

    /// Reads the next bytes into `buffer`. - Returns: how many (0 at the end), or nil on an I/O error.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        lock.withLock {
            let wanted = Int(min(Int64(buffer.count), written - readOffset))
            guard wanted > 0, let base = buffer.baseAddress else { return 0 }
            while true {
                let count = pread(descriptor, base, wanted, off_t(readOffset))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return nil }
                readOffset += Int64(count)
                return count
            }
        }
    }
}
