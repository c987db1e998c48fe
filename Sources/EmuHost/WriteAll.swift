import EmuPluginKit

/// Writes all of `text` to `descriptor` with write(2) (FileDescriptorIO), without the C library's buffered
/// streams: the ready line must reach a pipe at once (scripts and testcontainers wait for it), and the
/// pass-through's messages are written just before exec replaces the process.
func writeAll(_ text: String, to descriptor: Int32) {
    _ = Array(text.utf8).withUnsafeBytes { FileDescriptorIO.writeAll($0, to: descriptor) }
}
