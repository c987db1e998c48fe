#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `text` to `descriptor` with write(2), retrying after a signal and after a partial write, without
/// the C library's buffered streams: the ready line must reach a pipe at once (scripts and testcontainers wait for
/// it), and the pass-through's messages are written just before exec replaces the process.
func writeAll(_ text: String, to descriptor: Int32) {
    let bytes = Array(text.utf8)
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                break
            }
        }
    }
}
