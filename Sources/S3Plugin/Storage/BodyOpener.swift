import EmuPluginKit

/// Reads plaintext back out of an object's blobs: a byte range across its parts, decrypting only the chunks
/// that hold it.
struct BodyOpener {
    let store: BlobStore
    let key: [UInt8]

    /// Calls `body` with each piece of plaintext in `range` (inclusive), in order, one chunk at a time.
    func forEachPiece(of blobs: [BlobRef], range: ClosedRange<Int64>,
                      _ body: (ArraySlice<UInt8>) throws(AWSError) -> Void) throws(AWSError)
    {
        var blobStart: Int64 = 0
        for blob in blobs {
            let blobEnd = blobStart + blob.size  // exclusive
            defer { blobStart = blobEnd }
            guard blob.size > 0, range.lowerBound < blobEnd, range.upperBound >= blobStart else { continue }
            let localFirst = max(range.lowerBound, blobStart) - blobStart
            let localLast = min(range.upperBound, blobEnd - 1) - blobStart
            let chunk = Int64(BlobCipher.chunkSize)
            let stride = chunk + Int64(BlobCipher.overhead)
            let count = BlobCipher.chunkCount(plaintextSize: blob.size)
            let cipher = BlobCipher(key: key, blobId: blob.id)
            for index in Int(localFirst / chunk)...Int(localLast / chunk) {
                let plainStart = Int64(index) * chunk
                let plainLength = min(chunk, blob.size - plainStart)
                let stored = try store.read(blob.id, offset: Int64(index) * stride,
                                            length: Int(plainLength) + BlobCipher.overhead)
                let plain = try cipher.open(stored[...], index: index, isLast: index == count - 1)
                let from = Int(max(localFirst, plainStart) - plainStart)
                let to = Int(min(localLast, plainStart + plainLength - 1) - plainStart)
                try body(plain[from...to])
            }
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
