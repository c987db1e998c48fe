import PluginABI

extension StateRecordRow {
    /// Calls `body` with a borrowed C view of the record, for on_state_load.
    func withCRecord<R>(_ body: (UnsafePointer<emu_state_record>) -> R) -> R {
        var storage = Array(namespace.utf8) + Array(key.utf8)
        let namespaceLength = namespace.utf8.count
        let bytes = value ?? []
        return storage.withUnsafeMutableBufferPointer { text in
            bytes.withUnsafeBufferPointer { valueBuffer in
                let base = UnsafeRawPointer(text.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var record = emu_state_record(
                    struct_size: UInt32(MemoryLayout<emu_state_record>.size),
                    ns: emu_str(ptr: base, len: namespaceLength),
                    key: emu_str(ptr: base.map { $0 + namespaceLength }, len: text.count - namespaceLength),
                    value: valueBuffer.baseAddress, value_len: valueBuffer.count, format_version: formatVersion)
                return withUnsafePointer(to: &record) { body($0) }
            }
        }
    }
}
