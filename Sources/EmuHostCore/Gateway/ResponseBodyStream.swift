import NIOConcurrencyHelpers
import NIOCore
import PluginABI

/// A response body a plugin handed over with `respond_stream`: the host pulls it piece by piece into the
/// connection, so a large object never sits in memory.
///
/// The ABI promises the plugin that `close` is called exactly once, whatever happens to the response (sent,
/// replaced by an error, client gone, HEAD): `close()` is idempotent and `deinit` calls it as a last resort.
public final class ResponseBodyStream: @unchecked Sendable {
    /// The length announced in Content-Length.
    public let length: UInt64
    private let source: emu_body_source
    private let lock = NIOLock()
    private var closed = false
    private var delivered: UInt64 = 0

    init(length: UInt64, source: emu_body_source) {
        self.length = length
        self.source = source
    }

    deinit { close() }

    /// Whether every announced byte has been read.
    public var isComplete: Bool { lock.withLock { delivered == length } }

    /// The next piece, at most `maximum` bytes; empty at the end. Called from a thread that may block.
    /// - Throws: `Failure` when the source fails or gives more than it announced.
    func next(maximum: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        try lock.withLock { () throws -> ByteBuffer in
            guard !closed, let read = source.read else { throw Failure() }
            let wanted = Int(min(UInt64(maximum), length - delivered))
            var buffer = allocator.buffer(capacity: wanted)
            guard wanted > 0 else { return buffer }
            var status = EMU_OK
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { raw in
                var produced = 0
                status = read(source.source_data, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), wanted,
                              &produced)
                return status == EMU_OK && produced <= wanted ? produced : 0
            }
            guard status == EMU_OK, buffer.readableBytes > 0 else { throw Failure() }
            delivered += UInt64(buffer.readableBytes)
            return buffer
        }
    }

    /// Drains the whole body into memory: for a bus call, whose answer is one buffer by contract.
    func drain() throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Int(min(length, 64 << 20)))
        let allocator = ByteBufferAllocator()
        while true {
            let piece = try next(maximum: 1 << 20, allocator: allocator)
            if piece.readableBytes == 0 { break }
            out.append(contentsOf: piece.readableBytesView)
        }
        close()
        return out
    }

    /// Hands the source back to the plugin; later calls do nothing.
    public func close() {
        let shouldClose = lock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        if shouldClose { source.close?(source.source_data) }
    }

    struct Failure: Error {}
}
