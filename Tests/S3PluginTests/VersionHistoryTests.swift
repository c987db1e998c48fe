import EmuPluginKit
import Testing

@testable import S3Plugin

/// The store's versions: where each write, delete marker and permanent delete leaves a key's current object and
/// its history, and which bodies they hand back to retire.
@Suite struct VersionHistoryTests {
    private let context = RequestContext(accountId: "000000000000", region: "us-east-1")

    private func object(_ body: String) -> S3Object {
        S3Object(bucket: "b", key: "k", size: Int64(body.utf8.count), etag: body, lastModified: 0,
                 headers: ObjectHeaders(metadata: [:]), storageClass: "STANDARD",
                 blobs: [BlobRef(id: "blob-\(body)", size: 1)], partsCount: nil,
                 encryption: ObjectEncryption(algorithm: .aes256, bucketKeyEnabled: false))
    }

    private func ids(_ state: S3Store.State) -> [String] {
        state.versions(bucket: "b", key: "k").map { $0.isDeleteMarker ? "marker:\($0.versionIdText)" : $0.etag }
    }

    @Test func unversionedWritesReplaceTheObject() throws {
        var state = S3Store.State()
        #expect(try state.putLatest(object("one"), versioning: nil, context).retired.isEmpty)
        #expect(try state.putLatest(object("two"), versioning: nil, context).retired == ["blob-one"])
        #expect(ids(state) == ["two"])
        let (marker, retired) = try state.deleteLatest(bucket: "b", key: "k", versioning: nil, now: 1, context)
        #expect(marker == nil && retired == ["blob-two"] && ids(state).isEmpty)
    }

    @Test func enabledKeepsEveryVersionAndMarkersHideThem() throws {
        var state = S3Store.State()
        #expect(try state.putLatest(object("null"), versioning: nil, context).stored.versionId == nil)
        let v1 = try #require(try state.putLatest(object("v1"), versioning: .enabled, context).stored.versionId)
        let v2 = try #require(try state.putLatest(object("v2"), versioning: .enabled, context).stored.versionId)
        #expect(v1 != v2 && S3Object.isWellFormedVersionId(v1))
        #expect(ids(state) == ["v2", "v1", "null"])
        let (marker, retired) = try state.deleteLatest(bucket: "b", key: "k", versioning: .enabled, now: 5, context)
        let id = try #require(marker?.versionId)
        #expect(retired.isEmpty && state.objects["b"]?["k"] == nil)
        #expect(ids(state) == ["marker:\(id)", "v2", "v1", "null"])
        // Removing the marker makes the newest version current again; removing the current one, the next.
        #expect(try state.deleteVersion(bucket: "b", key: "k", id: id, context).removed?.isDeleteMarker == true)
        #expect(state.objects["b"]?["k"]?.etag == "v2")
        #expect(try state.deleteVersion(bucket: "b", key: "k", id: v2, context).retired == ["blob-v2"])
        #expect(state.objects["b"]?["k"]?.etag == "v1" && ids(state) == ["v1", "null"])
        #expect(try state.deleteVersion(bucket: "b", key: "k", id: "missing", context).removed == nil)
    }

    @Test func suspendedReplacesOnlyTheNullVersion() throws {
        var state = S3Store.State()
        _ = try state.putLatest(object("null-old"), versioning: nil, context)
        let v1 = try #require(try state.putLatest(object("v1"), versioning: .enabled, context).stored.versionId)
        #expect(try state.putLatest(object("null-new"), versioning: .suspended, context).retired == ["blob-null-old"])
        #expect(ids(state) == ["null-new", "v1"])
        // A delete while suspended makes the marker the null version, and the null object goes.
        let (marker, retired) = try state.deleteLatest(bucket: "b", key: "k", versioning: .suspended, now: 5, context)
        #expect(marker?.versionId == nil && retired == ["blob-null-new"])
        #expect(ids(state) == ["marker:null", "v1"])
        #expect(state.hasVersions(bucket: "b"))
        _ = try state.deleteVersion(bucket: "b", key: "k", id: "null", context)
        _ = try state.deleteVersion(bucket: "b", key: "k", id: v1, context)
        #expect(!state.hasVersions(bucket: "b"))
    }

    /// Older versions come back from records of their own, in any order, and take their places by sequence.
    @Test func restoredVersionsFallIntoOrder() throws {
        var written = S3Store.State()
        _ = try written.putLatest(object("null"), versioning: nil, context)
        for n in 1...3 { _ = try written.putLatest(object("v\(n)"), versioning: .enabled, context) }
        _ = try written.deleteLatest(bucket: "b", key: "k", versioning: .enabled, now: 9, context)
        var restored = S3Store.State()
        for version in (written.history["b"]?["k"] ?? []).shuffled() { restored.restoreVersion(version) }
        #expect(ids(restored) == ids(written))
        #expect(restored.lastSequence == written.lastSequence)
    }

    @Test func versionIdsHaveS3sForm() {
        let id = S3Object.newVersionId()
        #expect(S3Object.isWellFormedVersionId(id) && id != S3Object.newVersionId())
        #expect(S3Object.isWellFormedVersionId(".1HsQR7cm1P5ThXEsAZs83vpc4nayMJa"))
        #expect(!S3Object.isWellFormedVersionId("nonexistent-version-id-12345"))
        #expect(!S3Object.isWellFormedVersionId("null"))
    }
}
