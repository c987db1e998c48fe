import PluginABI

extension emu_str {
    /// Copies the borrowed bytes into a Swift string; invalid UTF-8 is repaired rather than trapping, because
    /// the bytes come from across the boundary.
    public var string: String {
        guard let ptr, len > 0 else { return "" }
        return ptr.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }

    /// Copies the borrowed bytes.
    public var bytes: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return ptr.withMemoryRebound(to: UInt8.self, capacity: len) {
            Array(UnsafeBufferPointer(start: $0, count: len))
        }
    }
}

/// Calls `body` with an `emu_str` that borrows `string`'s UTF-8 bytes for the duration of the call.
public func withEmuString<R>(_ string: String, _ body: (emu_str) throws -> R) rethrows -> R {
    var copy = string
    return try copy.withUTF8 { buffer in
        try buffer.withMemoryRebound(to: CChar.self) { chars in
            try body(emu_str(ptr: chars.baseAddress, len: chars.count))
        }
    }
}

/// Calls `body` with an `emu_str` that borrows `bytes` for the duration of the call.
public func withEmuString<R>(bytes: [UInt8], _ body: (emu_str) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { buffer in
        try buffer.withMemoryRebound(to: CChar.self) { chars in
            try body(emu_str(ptr: chars.baseAddress, len: chars.count))
        }
    }
}

/// Calls `body` with `emu_header`s that borrow the names and values of `headers` for the duration of the call:
/// one buffer holds every string, so a C verb gets stable pointers without a copy per header.
public func withEmuHeaders<R>(_ headers: [(String, String)], _ body: (UnsafeBufferPointer<emu_header>) throws -> R)
    rethrows -> R
{
    var storage: [UInt8] = []
    var spans: [(start: Int, count: Int)] = []
    for (name, value) in headers {
        for text in [name, value] {
            spans.append((storage.count, text.utf8.count))
            storage.append(contentsOf: text.utf8)
        }
    }
    return try storage.withUnsafeBufferPointer { text in
        let base = UnsafeRawPointer(text.baseAddress)?.assumingMemoryBound(to: CChar.self)
        let strings = spans.map { span in emu_str(ptr: base.map { $0 + span.start }, len: span.count) }
        let cHeaders = (0..<headers.count).map { emu_header(name: strings[2 * $0], value: strings[2 * $0 + 1]) }
        return try cHeaders.withUnsafeBufferPointer(body)
    }
}

/// A NUL-terminated copy of `string` that lives for the rest of the process: descriptors are static by contract.
public func permanentCString(_ string: String) -> UnsafePointer<CChar> {
    let utf8 = Array(string.utf8CString)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
    storage.initialize(from: utf8, count: utf8.count)
    return UnsafePointer(storage)
}
