import PluginABI

/// A plugin's array of `emu_service`, read at the stride the plugin was built with.
///
/// `emu_service` grows at the end between minor versions (ABI 1.2 appended `flags`), so an older plugin's array
/// has a smaller stride than this host's struct: indexing it with the host's layout would read the wrong bytes.
/// Each element is copied at the plugin's `struct_size` into a zeroed host struct, so fields the plugin does not
/// know read as 0.
struct ServiceTable {
    /// The size of an ABI 1.0/1.1 `emu_service`, the smallest a host accepts.
    static let minimumSize = MemoryLayout<emu_service>.offset(of: \emu_service.flags)!

    let base: UnsafeRawPointer
    let count: Int
    /// The plugin's struct_size, taken from the first element: every element of one array has the same.
    let stride: Int

    init(_ table: UnsafePointer<emu_service>, count: Int) {
        base = UnsafeRawPointer(table)
        self.count = count
        stride = Int(base.load(as: UInt32.self))
    }

    /// Whether the plugin's elements are at least as large as ABI 1.0 requires.
    var isReadable: Bool { stride >= Self.minimumSize }

    subscript(index: Int) -> emu_service {
        var service = emu_service()
        withUnsafeMutableBytes(of: &service) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: base + index * stride,
                                                           count: min(stride, target.count)))
        }
        return service
    }
}
