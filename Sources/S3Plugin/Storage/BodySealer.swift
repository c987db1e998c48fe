import EmuPluginKit

/// Writes one plaintext body of a known size into a new blob, sealing it chunk by chunk as it arrives, and
/// computes its MD5 (the ETag) and any additional checksums on the way. Plaintext is held one chunk at a time at most, so a copy of a large
/// object needs no more memory than a chunk.
final class BodySealer {
    let size: Int64
    private let cipher: BlobCipher
    private let writer: BlobWriter
    /// The additional checksums asked for and MD5 (the ETag), each computed once.
    private let hashers: [ChecksumHasher]
    private var pending: [UInt8] = []
    private var chunkIndex = 0
    private var received: Int64 = 0
    private let chunkCount: Int

    /// - Parameters:
    ///   - size: the plaintext size; it decides which chunk is the last, which the format authenticates.
    ///   - checksums: the additional checksums to compute.
    init(size: Int64, key: [UInt8], store: BlobStore, checksums: [ChecksumAlgorithm] = []) throws(AWSError) {
        var hashers: [ChecksumHasher] = []
        for algorithm in Set(checksums + [.md5]) {
            guard let hasher = ChecksumHasher(algorithm) else { throw S3Errors.internalError() }
            hashers.append(hasher)
        }
        self.hashers = hashers
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
        bytes.withUnsafeBytes { buffer in
            for hasher in hashers { hasher.update(buffer) }
        }
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
    /// - Returns: the blob, the plaintext's MD5 and its checksums.
    func finish() throws(AWSError) -> SealedBody {
        guard received == size else { throw S3Errors.internalError() }
        try flushChunk()
        try writer.finish()
        var checksums: [ChecksumAlgorithm: [UInt8]] = [:]
        for hasher in hashers { checksums[hasher.algorithm] = hasher.finish() }
        return SealedBody(blob: BlobRef(id: writer.id, size: size), checksums: checksums)
    }

    /// Drops the blob (the request failed).
    func abandon() { writer.abandon() }

    /// Seals a whole body held in memory.
    static func seal(_ body: [UInt8], key: [UInt8], store: BlobStore, checksums: [ChecksumAlgorithm] = [])
        throws(AWSError) -> SealedBody
    {
        let sealer = try BodySealer(size: Int64(body.count), key: key, store: store, checksums: checksums)
        do {
            try sealer.append(body[...])
            return try sealer.finish()
        } catch {
            sealer.abandon()
            throw error
        }
    }
}
