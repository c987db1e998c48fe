import EmuCrypto
import EmuPluginKit
import Testing

@testable import S3Plugin

/// The sealed body format and the listing algorithm, with in-memory blobs.
@Suite struct S3StorageTests {
    @Test func bodiesRoundTripAcrossChunksAndRanges() throws {
        let store = BlobStore(directory: nil)
        let key = SecureRandom.bytes(32)
        let body = (0..<(2 * BlobCipher.chunkSize + 12345)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let sealed = try BodySealer.seal(body, key: key, store: store)
        #expect(sealed.blob.size == Int64(body.count))
        #expect(sealed.md5 == MD5.digest(body))
        let opener = BodyOpener(store: store, key: key)
        #expect(try opener.read([sealed.blob], range: 0...Int64(body.count - 1)) == body)
        let start = BlobCipher.chunkSize - 5
        #expect(try opener.read([sealed.blob], range: Int64(start)...Int64(start + 9)) == Array(body[start...(start + 9)]))
        // Two blobs read as one body, as a multipart object's parts are.
        let second = try BodySealer.seal(Array("tail".utf8), key: key, store: store)
        let whole = try opener.read([sealed.blob, second.blob], range: Int64(body.count - 2)...Int64(body.count + 3))
        #expect(whole == Array(body.suffix(2)) + Array("tail".utf8))
    }

    @Test func storedBytesNeitherShowNorAcceptChanges() throws {
        let store = BlobStore(directory: nil)
        let key = SecureRandom.bytes(32)
        let plaintext = Array("a very recognisable plaintext".utf8)
        let sealed = try BodySealer.seal(plaintext, key: key, store: store)
        let stored = try store.read(sealed.blob.id, offset: 0,
                                    length: Int(BlobCipher.storedSize(plaintextSize: Int64(plaintext.count))))
        #expect(!stored.starts(with: plaintext) && stored.count == plaintext.count + BlobCipher.overhead)
        #expect(throws: AWSError.self) {
            try BodyOpener(store: store, key: SecureRandom.bytes(32)).read([sealed.blob], range: 0...3)
        }
        // A chunk presented under another blob's id (moved between bodies) does not open.
        let cipher = BlobCipher(key: key, blobId: "another")
        #expect(throws: AWSError.self) { try cipher.open(stored[...], index: 0, isLast: true) }
        #expect(try BlobCipher(key: key, blobId: sealed.blob.id).open(stored[...], index: 0, isLast: true) == plaintext)
        #expect(throws: AWSError.self) {
            try BlobCipher(key: key, blobId: sealed.blob.id).open(stored[...], index: 0, isLast: false)
        }
    }

    @Test func emptyBodiesAreSealedToo() throws {
        let store = BlobStore(directory: nil)
        let sealed = try BodySealer.seal([], key: SecureRandom.bytes(32), store: store)
        #expect(sealed.blob.size == 0)
        #expect(try store.read(sealed.blob.id, offset: 0, length: BlobCipher.overhead).count == BlobCipher.overhead)
    }

    private func object(_ key: String) -> S3Object {
        S3Object(bucket: "b", key: key, size: 1, etag: "e", lastModified: 0,
                 headers: ObjectHeaders(metadata: [:]), storageClass: "STANDARD", blobs: [], partsCount: nil,
                 encryption: ObjectEncryption(algorithm: .aes256, wrappedKey: nil, kmsKeyArn: nil, kmsContext: nil,
                                              contextHeader: nil, bucketKeyEnabled: false))
    }

    @Test func listingRollsUpCommonPrefixesAndResumes() {
        let keys = ["a", "b/1", "b/2", "c/x/1", "d"].map(object)
        let first = ListingPage(keys, prefix: "", delimiter: "/", after: nil, maxKeys: 2)
        #expect(first.contents.map(\.key) == ["a"] && first.commonPrefixes == ["b/"] && first.isTruncated)
        let token = first.last!.token
        let second = ListingPage(keys, prefix: "", delimiter: "/", after: ListingMarker(token: token), maxKeys: 2)
        #expect(second.commonPrefixes == ["c/"] && second.contents.map(\.key) == ["d"] && !second.isTruncated)
        let nested = ListingPage(keys, prefix: "c/", delimiter: "/", after: nil, maxKeys: 10)
        #expect(nested.commonPrefixes == ["c/x/"] && nested.contents.isEmpty)
        #expect(ListingMarker(token: "not a token") == nil)
    }
}
