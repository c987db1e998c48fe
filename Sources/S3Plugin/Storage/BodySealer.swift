import EmuPluginKit

/// Writes one plaintext body of a known size into a new blob, sealing it chunk by chunk as it arrives, and
/// computes its MD5 on the way (the ETag). Plaintext is held one chunk at a time at most, so a copy of a large
/// object needs no more memory than a chunk.
final class BodySealer {
    let size: Int64
    private let cipher: BlobCipher
    private let writer: BlobWriter
    private let md5 = MD5()
    private var pending: [UInt8] = []
    private var chunkIndex = 0
    private var received: Int64 = 0
    private let chunkCount: Int

    /// - Parameters:
    ///   - size: the plaintext size; it decides which chunk is the last, which the format authenticates.
    init(size: Int64, key: [UInt8], store: BlobStore) throws(AWSError) {
        self.size = size
        let id = BlobStore.newId()
        cipher = BlobCipher(key: key, blobId: id)
        writer = try store.makeWriter(id: id)
        chunkCount = BlobCipher.chunkCount(plaintextSize: size)
        pending.reserveCapacity(min(Int(size), BlobCipher.chunkSize))
    }

    /// Adds the next plaintext bytes.
    func append(_ bytes: ArraySlice<UInt8>) throws(AWSError) {
        received += Int64(bytes.count)
        guard received <= size else { throw S3Errors.internalError() }
        bytes.withUnsafeBytes { md5?.update($0) }
        var rest = bytes
        while !rest.isEmpty {
            let take = min(BlobCipher.chunkSize - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            if pending.count == BlobCipher.chunkSize, chunkIndex < chunkCount - 1 { try flushChunk() }
        }
    }

    private func flushChunk() throws(AWSError) {
        let isLast = chunkIndex == chunkCount - 1
        try writer.append(try cipher.seal(pending, index: chunkIndex, isLast: isLast))
        chunkIndex += 1
        pending.removeAll(keepingCapacity: true)
    }

    /// Seals the last chunk and makes the blob durable.
    /// - Returns: the blob and the plaintext's MD5.
    func finish() throws(AWSError) -> (blob: BlobRef, md5: [UInt8]) {
        guard received == size, let md5 else { throw S3Errors.internalError() }
        try flushChunk()
        try writer.finish()
        return (BlobRef(id: writer.id, size: size), md5.finish())
    }

    /// Drops the blob (the request failed).
    func abandon() { writer.abandon() }

    /// Seals a whole body held in memory.
    static func seal(_ body: [UInt8], key: [UInt8], store: BlobStore) throws(AWSError) -> (blob: BlobRef, md5: [UInt8]) {
        let sealer = try BodySealer(size: Int64(body.count), key: key, store: store)
        do {
            try sealer.append(body[...])
            return try sealer.finish()
        } catch {
            sealer.abandon()
            throw error
        }
    }
}
