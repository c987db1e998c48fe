import EmuPluginKit

/// Reads plaintext back out of an object's blobs: a byte range across its parts, decrypting only the chunks
/// that hold it.
struct BodyOpener {
    let store: BlobStore
    let key: [UInt8]

    /// One stored chunk that holds part of the range, and which of its plaintext bytes belong to it.
    struct Piece {
        /// Index into the object's blobs.
        var blob: Int
        var chunk: Int
        var isLast: Bool
        /// Where the sealed chunk starts in its blob, and its stored length.
        var storedOffset: Int64
        var storedLength: Int
        /// The plaintext bytes of the chunk inside the range (inclusive).
        var from: Int
        var to: Int
    }

    /// The chunks that hold `range` (inclusive), in order: a handful of numbers per MiB, so even a 5 GB object
    /// plans in a few kilobytes.
    static func plan(_ blobs: [BlobRef], range: ClosedRange<Int64>) -> [Piece] {
        var pieces: [Piece] = []
        var blobStart: Int64 = 0
        for (blobIndex, blob) in blobs.enumerated() {
            let blobEnd = blobStart + blob.size  // exclusive
            defer { blobStart = blobEnd }
            guard blob.size > 0, range.lowerBound < blobEnd, range.upperBound >= blobStart else { continue }
            let localFirst = max(range.lowerBound, blobStart) - blobStart
            let localLast = min(range.upperBound, blobEnd - 1) - blobStart
            let chunk = Int64(BlobCipher.chunkSize)
            let stride = chunk + Int64(BlobCipher.overhead)
            let count = BlobCipher.chunkCount(plaintextSize: blob.size)
            for index in Int(localFirst / chunk)...Int(localLast / chunk) {
                let plainStart = Int64(index) * chunk
                let plainLength = min(chunk, blob.size - plainStart)
                pieces.append(Piece(
                    blob: blobIndex, chunk: index, isLast: index == count - 1, storedOffset: Int64(index) * stride,
                    storedLength: Int(plainLength) + BlobCipher.overhead,
                    from: Int(max(localFirst, plainStart) - plainStart),
                    to: Int(min(localLast, plainStart + plainLength - 1) - plainStart)))
            }
        }
        return pieces
    }

    /// Decrypts one planned piece from the sealed bytes of its chunk.
    func open(_ piece: Piece, of blobs: [BlobRef], stored: [UInt8]) throws(AWSError) -> ArraySlice<UInt8> {
        let plain = try BlobCipher(key: key, blobId: blobs[piece.blob].id)
            .open(stored[...], index: piece.chunk, isLast: piece.isLast)
        guard piece.to < plain.count else { throw S3Errors.internalError() }
        return plain[piece.from...piece.to]
    }

    /// Calls `body` with each piece of plaintext in `range` (inclusive), in order, one chunk at a time.
    func forEachPiece(of blobs: [BlobRef], range: ClosedRange<Int64>,
                      _ body: (ArraySlice<UInt8>) throws(AWSError) -> Void) throws(AWSError)
    {
        for piece in Self.plan(blobs, range: range) {
            let stored = try store.read(blobs[piece.blob].id, offset: piece.storedOffset, length: piece.storedLength)
            try body(try open(piece, of: blobs, stored: stored))
        }
    }

    /// The plaintext of `range` in one array.
    func read(_ blobs: [BlobRef], range: ClosedRange<Int64>) throws(AWSError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Int(range.upperBound - range.lowerBound + 1))
        try forEachPiece(of: blobs, range: range) { piece throws(AWSError) in out.append(contentsOf: piece) }
        return out
    }
}
