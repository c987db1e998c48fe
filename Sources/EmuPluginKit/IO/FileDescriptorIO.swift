#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to a file descriptor that finish what they start: the host's ready line and messages, a
/// request body spooled to disk, an S3 body sealed to its blob file.
public enum FileDescriptorIO {
    /// Writes every byte of `bytes` to `descriptor`, with pwrite(2) at `offset` when one is given, else write(2),
    /// retrying after a signal and after a partial write.
    /// - Returns: false when the system refused (disk full, an I/O error, a closed pipe).
    @discardableResult
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, at offset: Int64? = nil) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var done = 0
        while done < bytes.count {
            let count = offset.map { pwrite(descriptor, base + done, bytes.count - done, off_t($0) + off_t(done)) }
                ?? write(descriptor, base + done, bytes.count - done)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }
}
