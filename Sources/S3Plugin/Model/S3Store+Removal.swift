import EmuPluginKit

/// Removing an object or an upload from the state, with its records, the same way wherever it happens (a delete,
/// an abort, DeleteBucket, a lifecycle rule). Called inside `S3Store.update`; the caller retires the returned
/// blobs once the lock is released.
extension S3Store.State {
    /// - Returns: the blobs of the object removed; none when there was no such object.
    mutating func removeObject(bucket: String, key: String, _ context: RequestContext) throws(AWSError) -> [String] {
        guard let object = objects[bucket]?[key] else { return [] }
        try S3Persistence.object(context, bucket: bucket, key: key, nil)
        objects[bucket]?[key] = nil
        return object.blobs.map(\.id)
    }

    /// - Returns: the blobs of the upload's parts.
    mutating func removeUpload(_ uploadId: String, _ context: RequestContext) throws(AWSError) -> [String] {
        let removed = parts[uploadId] ?? [:]
        for number in removed.keys { try S3Persistence.part(context, uploadId: uploadId, number: number, nil) }
        try S3Persistence.upload(context, uploadId, nil)
        parts[uploadId] = nil
        uploads[uploadId] = nil
        return removed.values.map(\.blob.id)
    }
}
