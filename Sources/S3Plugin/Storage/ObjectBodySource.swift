import EmuPluginKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GET's plaintext handed to the host piece by piece (`respond_stream`), decrypting one 1 MiB chunk at a time
/// as the client reads: a 1 GB download holds one chunk, not the object.
///
/// The object's blobs are pinned in the store while the stream lives, so an object replaced or deleted while a
/// slow client is still reading keeps its bytes until the last piece; each blob is opened only while its pieces
/// are read, so a GET of a 10,000-part object holds one descriptor, not 10,000. `close`, which the host calls
/// exactly once, unpins them and drops the data key; `deinit` does the same if a stream was never handed over.
final class ObjectBodySource: ResponseBodySource, @unchecked Sendable {
    let length: UInt64
    private let store: BlobStore
    private let pinnedIds: [String]
    private let state: LockedBox<State>

    private struct State {
        var opener: BodyOpener
        var blobs: [BlobRef]
        var pieces: [BodyOpener.Piece]
        var next = 0
        var pending: ArraySlice<UInt8> = []
        /// The blob being read and its descriptor.
        var open: (blob: Int, descriptor: Int32)?
        var closed = false
    }

    init(store: BlobStore, key: [UInt8], blobs: [BlobRef], range: ClosedRange<Int64>) {
        length = UInt64(range.upperBound - range.lowerBound + 1)
        self.store = store
        let pieces = BodyOpener.plan(blobs, range: range)
        pinnedIds = Array(Set(pieces.map { blobs[$0.blob].id }))
        store.pin(pinnedIds)
        state = LockedBox(State(opener: BodyOpener(store: store, key: key), blobs: blobs, pieces: pieces))
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            if state.pending.isEmpty {
                guard state.next < state.pieces.count else { return 0 }
                let piece = state.pieces[state.next]
                state.next += 1
                do {
                    let descriptor = try Self.descriptor(for: piece.blob, in: &state, store: store)
                    let stored = try BlobStore.read(descriptor, id: state.blobs[piece.blob].id,
                                                    offset: piece.storedOffset, length: piece.storedLength)
                    state.pending = try state.opener.open(piece, of: state.blobs, stored: stored)
                } catch {
                    return nil
                }
            }
            let count = min(buffer.count, state.pending.count)
            guard count > 0, let base = buffer.baseAddress else { return count }
            state.pending.prefix(count).withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: count) }
            state.pending = state.pending.dropFirst(count)
            return count
        }
    }

    /// The open descriptor of `blob`, closing the previous blob's first.
    private static func descriptor(for blob: Int, in state: inout State, store: BlobStore) throws(AWSError) -> Int32 {
        if let open = state.open, open.blob == blob { return open.descriptor }
        if let open = state.open { closeDescriptor(open.descriptor) }
        state.open = nil
        let descriptor = try store.openForReading(state.blobs[blob].id)
        state.open = (blob, descriptor)
        return descriptor
    }

    func close() {
        let wasOpen = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.closed = true
            if let open = state.open { closeDescriptor(open.descriptor) }
            state.open = nil
            state.pending = []
            state.opener = BodyOpener(store: state.opener.store, key: [])
            return true
        }
        if wasOpen { store.unpin(pinnedIds) }
    }
}

/// `close(2)`, named apart from the source's own `close()`.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
