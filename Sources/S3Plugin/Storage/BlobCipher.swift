import EmuCrypto
import EmuPluginKit

/// The at-rest format of one body (a whole object, or one part of a multipart upload): the plaintext cut into
/// 1 MiB chunks, each sealed on its own with AES-256-GCM under the object's data key.
///
/// A stored chunk is `nonce (12) | ciphertext | tag (16)`, so chunk `i` starts at `i * (chunkSize + 28)` and a
/// ranged GET decrypts only the chunks it needs instead of the whole object. Each chunk's associated data names
/// the blob, the chunk's index and whether it is the last, so chunks cannot be moved between bodies, reordered,
/// or dropped from the end without the tag failing. Nonces are random: a data key seals at most a few thousand
/// chunks (one object, or one multipart upload), far below the 2^32 a random 96-bit nonce allows.
struct BlobCipher {
    static let chunkSize = 1 << 20
    static let overhead = AESGCM.ivLength + AESGCM.tagLength

    let key: [UInt8]
    let blobId: String

    /// How many chunks a body of `size` bytes takes; an empty body still has one (empty) chunk, so that its end
    /// is authenticated too.
    static func chunkCount(plaintextSize size: Int64) -> Int {
        max(1, Int((size + Int64(chunkSize) - 1) / Int64(chunkSize)))
    }

    static func storedSize(plaintextSize size: Int64) -> Int64 {
        size + Int64(chunkCount(plaintextSize: size) * overhead)
    }

    private func associatedData(index: Int, isLast: Bool) -> [UInt8] {
        Array("awsemu-s3-chunk-v1\n\(blobId)\n\(index)\n\(isLast ? 1 : 0)".utf8)
    }

    /// Seals one chunk of plaintext.
    func seal(_ chunk: [UInt8], index: Int, isLast: Bool) throws(AWSError) -> [UInt8] {
        do {
            return try AESGCM.sealCombined(key: key, plaintext: chunk, aad: associatedData(index: index, isLast: isLast))
        } catch {
            PluginHost.current?.error("AES-256-GCM sealing failed: \(error)")
            throw S3Errors.internalError()
        }
    }

    /// Opens one stored chunk.
    /// - Throws: InternalError when the chunk does not authenticate (tampered, truncated or misplaced data).
    func open(_ stored: ArraySlice<UInt8>, index: Int, isLast: Bool) throws(AWSError) -> [UInt8] {
        guard let opened = try? AESGCM.openCombined(key: key, stored, aad: associatedData(index: index, isLast: isLast))
        else { throw corrupt() }
        return opened
    }

    private func corrupt() -> AWSError {
        PluginHost.current?.error("stored body \(blobId) does not authenticate: it was changed or truncated on disk")
        return S3Errors.internalError()
    }
}
