import EmuPluginKit

/// A bucket's versions, kept as S3 keeps them: `objects` holds each key's current object, and `history` the key's
/// other versions and delete markers, newest first. When a key's latest version is a delete marker, the key has no
/// current object and the marker is first in its history. A bucket whose versioning was never enabled has no history;
/// its objects are each their one version, "null".
///
/// Like `removeObject`, these run inside `S3Store.update` and record what they change; the caller retires the
/// returned blobs once the lock is released.
extension S3Store.State {
    /// The latest version of a key: its current object, or the delete marker that hides it.
    func latest(bucket: String, key: String) -> S3Object? {
        objects[bucket]?[key] ?? history[bucket]?[key]?.first
    }

    /// Every version of a key, newest first, delete markers included.
    func versions(bucket: String, key: String) -> [S3Object] {
        (objects[bucket]?[key].map { [$0] } ?? []) + (history[bucket]?[key] ?? [])
    }

    /// The version `id` of a key ("null" names the null version).
    func version(bucket: String, key: String, id: String) -> S3Object? {
        versions(bucket: bucket, key: key).first { $0.versionIdText == id }
    }

    /// The versioning of the bucket a write goes to, read under the same lock as the write.
    /// - Throws: NoSuchBucket when the bucket went away meanwhile.
    func versioning(of bucket: String) throws(AWSError) -> VersioningStatus? {
        guard let found = buckets[bucket] else { throw S3Errors.noSuchBucket(bucket) }
        return found.versioning
    }

    /// Makes a new object or delete marker the key's latest version under the bucket's versioning. Enabled, it gets
    /// a version id and every version before it stays; otherwise it is the null version and takes the place of the
    /// null version there was, current or not (without versioning, every object is that one).
    /// - Returns: the version as stored, and the blobs of what it replaced.
    mutating func putLatest(_ written: S3Object, versioning: VersioningStatus?, _ context: RequestContext)
        throws(AWSError) -> (stored: S3Object, retired: [String])
    {
        var version = written
        version.versionId = versioning == .enabled ? S3Object.newVersionId() : nil
        version.sequence = nextSequence()
        var all = versions(bucket: version.bucket, key: version.key)
        let retired = versioning == .enabled ? [] : Self.removeNullVersion(from: &all)
        all.insert(version, at: 0)
        try setVersions(bucket: version.bucket, key: version.key, all, context)
        return (version, retired)
    }

    /// DeleteObject without a version: under versioning, a delete marker becomes the latest version (the null one
    /// when versioning is suspended), even over a marker and for a key that never existed, as in S3; otherwise the
    /// object is removed.
    /// - Returns: the delete marker made, if any, and the blobs of what was removed.
    mutating func deleteLatest(bucket: String, key: String, versioning: VersioningStatus?, now: Int64,
                               _ context: RequestContext) throws(AWSError) -> (marker: S3Object?, retired: [String])
    {
        guard versioning != nil else { return (nil, try removeObject(bucket: bucket, key: key, context)) }
        let (marker, retired) = try putLatest(S3Object.deleteMarker(bucket: bucket, key: key, lastModified: now),
                                              versioning: versioning, context)
        return (marker, retired)
    }

    /// Removes one version for good. When it was the current object, the version before it becomes current,
    /// unless that is a delete marker.
    /// - Returns: the version removed (nil when there was none) and its blobs.
    mutating func deleteVersion(bucket: String, key: String, id: String, _ context: RequestContext)
        throws(AWSError) -> (removed: S3Object?, retired: [String])
    {
        var all = versions(bucket: bucket, key: key)
        guard let index = all.firstIndex(where: { $0.versionIdText == id }) else { return (nil, []) }
        let removed = all.remove(at: index)
        try setVersions(bucket: bucket, key: key, all, context)
        return (removed, removed.blobs.map(\.id))
    }

    /// Replaces one version in place (its tags), wherever it is kept.
    mutating func replaceVersion(_ object: S3Object, _ context: RequestContext) throws(AWSError) {
        var all = versions(bucket: object.bucket, key: object.key)
        guard let index = all.firstIndex(where: { $0.versionIdText == object.versionIdText }) else { return }
        all[index] = object
        try setVersions(bucket: object.bucket, key: object.key, all, context)
    }

    /// Whether a bucket holds any version at all, delete markers included (DeleteBucket refuses it then).
    func hasVersions(bucket: String) -> Bool {
        !(objects[bucket]?.isEmpty ?? true) || !(history[bucket]?.isEmpty ?? true)
    }

    // MARK: - Keeping the two maps and their records in step

    /// Takes the null version out of a key's versions. - Returns: its blobs.
    private static func removeNullVersion(from versions: inout [S3Object]) -> [String] {
        let retired = versions.filter { $0.versionId == nil }.flatMap { $0.blobs.map(\.id) }
        versions.removeAll { $0.versionId == nil }
        return retired
    }

    /// Stores a key's versions, newest first: the first is the current object unless it is a delete marker.
    mutating func setVersions(bucket: String, key: String, _ all: [S3Object], _ context: RequestContext)
        throws(AWSError)
    {
        let current = all.first.flatMap { $0.isDeleteMarker ? nil : $0 }
        let older = current == nil ? all : Array(all.dropFirst())
        if objects[bucket]?[key] != current {
            try S3Persistence.object(context, bucket: bucket, key: key, current)
            objects[bucket, default: [:]][key] = current
        }
        try setHistory(bucket: bucket, key: key, older, context)
    }

    /// Each older version is a record of its own, so a write records what changed, not the whole history.
    private mutating func setHistory(bucket: String, key: String, _ older: [S3Object], _ context: RequestContext)
        throws(AWSError)
    {
        let before = history[bucket]?[key] ?? []
        guard before != older else { return }
        let kept = Dictionary(older.map { ($0.versionIdText, $0) }, uniquingKeysWith: { first, _ in first })
        for version in before where kept[version.versionIdText] == nil {
            try S3Persistence.version(context, bucket: bucket, key: key, id: version.versionIdText, nil)
        }
        let was = Dictionary(before.map { ($0.versionIdText, $0) }, uniquingKeysWith: { first, _ in first })
        for version in older where was[version.versionIdText] != version {
            try S3Persistence.version(context, bucket: bucket, key: key, id: version.versionIdText, version)
        }
        history[bucket, default: [:]][key] = older.isEmpty ? nil : older
    }

    mutating func nextSequence() -> Int64 {
        lastSequence += 1
        return lastSequence
    }

    /// Puts a stored older version back at start-up, in its place among the key's others (newest first).
    mutating func restoreVersion(_ version: S3Object) {
        lastSequence = max(lastSequence, version.sequence ?? 0)
        var older = history[version.bucket]?[version.key] ?? []
        let index = older.firstIndex { ($0.sequence ?? 0) < (version.sequence ?? 0) } ?? older.endIndex
        older.insert(version, at: index)
        history[version.bucket, default: [:]][version.key] = older
    }
}
