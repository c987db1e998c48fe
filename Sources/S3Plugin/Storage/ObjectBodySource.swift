import EmuPluginKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GET's plaintext handed to the host piece by piece (`respond_stream`), decrypting one 1 MiB chunk at a time
/// as the client reads: a 1 GB download holds one chunk, not the object.
///
/// The blobs are opened when the GET is answered, so an object replaced or deleted while a slow client is
/// still reading keeps its bytes until the last piece (an open descriptor outlives the file's removal). The
/// descriptors are closed and the data key dropped in `close`, which the host calls exactly once.
final class ObjectBodySource: ResponseBodySource, @unchecked Sendable {
    let length: UInt64
    private let state: LockedBox<State>

    private struct State {
        var opener: BodyOpener
        var blobs: [BlobRef]
        var descriptors: [Int32]
        var pieces: [BodyOpener.Piece]
        var next = 0
        var pending: ArraySlice<UInt8> = []
        var closed = false
    }

    /// Opens every blob of `range`. - Throws: InternalError when a blob is missing.
    init(store: BlobStore, key: [UInt8], blobs: [BlobRef], range: ClosedRange<Int64>) throws(AWSError) {
        length = UInt64(range.upperBound - range.lowerBound + 1)
        let pieces = BodyOpener.plan(blobs, range: range)
        var descriptors = [Int32](repeating: -1, count: blobs.count)
        do {
            for index in Set(pieces.map(\.blob)) { descriptors[index] = try store.openForReading(blobs[index].id) }
        } catch {
            for descriptor in descriptors where descriptor >= 0 { closeDescriptor(descriptor) }
            throw error
        }
        state = LockedBox(State(opener: BodyOpener(store: store, key: key), blobs: blobs, descriptors: descriptors,
                                pieces: pieces))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            if state.pending.isEmpty {
                guard state.next < state.pieces.count else { return 0 }
                let piece = state.pieces[state.next]
                state.next += 1
                do {
                    let stored = try BlobStore.read(state.descriptors[piece.blob], id: state.blobs[piece.blob].id,
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

    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            for descriptor in state.descriptors where descriptor >= 0 { closeDescriptor(descriptor) }
            state.descriptors = []
            state.pending = []
            state.opener = BodyOpener(store: state.opener.store, key: [])
        }
    }
}

/// `close(2)`, named apart from the source's own `close()`.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
