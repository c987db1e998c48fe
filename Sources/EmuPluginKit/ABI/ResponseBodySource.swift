import PluginABI

/// A response body a REST handler produces piece by piece (`OperationOutput(streaming:)`).
///
/// The host calls `read` from its own threads, one call at a time, after the handler returned, and `close`
/// exactly once when it is done, whatever happened: a source that holds files or keys releases them there.
public protocol ResponseBodySource: AnyObject, Sendable {
    /// The exact number of bytes the source gives; the host announces it as Content-Length.
    var length: UInt64 { get }
    /// Fills the front of `buffer`. - Returns: the number of bytes written (0 only at the end), or nil on failure.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int?
    func close()
}

/// Hands a `ResponseBodySource` to the host as a C `emu_body_source`.
enum ResponseBodySourceBridge {
    /// Keeps the source alive until the host's `close`.
    private final class Box {
        let source: any ResponseBodySource
        init(_ source: any ResponseBodySource) { self.source = source }
    }

    static func respond(_ source: any ResponseBodySource, writer: OpaquePointer?, api: emu_host_api) {
        guard let respondStream = api.respond_stream else {
            // A host before ABI 1.2 cannot take a streamed body; plugins here are built with their host, so this
            // is a mismatched installation, answered as the internal error it is.
            source.close()
            withEmuString("InternalError") { code in
                withEmuString("This plugin streams bodies and needs a host with plugin ABI 1.2.") {
                    api.respond_error?(writer, code, $0, 500)
                }
            }
            return
        }
        var cSource = emu_body_source(
            struct_size: UInt32(MemoryLayout<emu_body_source>.size),
            read: { data, buffer, capacity, outLength in
                guard let data, let outLength else { return EMU_ERR_INVALID_ARGUMENT }
                let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
                guard let count = box.source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: capacity))
                else { return EMU_ERR_INTERNAL }
                outLength.pointee = count
                return EMU_OK
            },
            close: { data in
                guard let data else { return }
                let box = Unmanaged<Box>.fromOpaque(data).takeRetainedValue()
                box.source.close()
            },
            source_data: Unmanaged.passRetained(Box(source)).toOpaque())
        respondStream(writer, source.length, &cSource)
    }
}
