import EmuPluginKit
import Synchronization

extension S3Service {
    /// PutBucketLifecycleConfiguration: replaces the bucket's rules. The body must come with its Content-MD5 or an
    /// additional checksum; `x-amz-transition-default-minimum-object-size` may choose how small objects transition.
    func putBucketLifecycle(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.requireDocumentDigest(request, namingChecksums: true)
        let minimumSize = request.header("x-amz-transition-default-minimum-object-size")
            ?? LifecycleDocument.defaultMinimumSize
        // The wording is ours: no recorded refusal of another value was found.
        guard LifecycleDocument.minimumSizes.contains(minimumSize) else {
            throw S3Errors.invalidArgument("Invalid value for x-amz-transition-default-minimum-object-size",
                                           argument: ("x-amz-transition-default-minimum-object-size", minimumSize))
        }
        let rules = try LifecycleDocument.parse(request.body)
        try updateBucket(name, context) { $0.lifecycle = BucketLifecycle(rules: rules, transitionMinimumSize: minimumSize) }
        // No day has been applied now: the next tick applies the new rules.
        lifecycleDay.store(-1, ordering: .relaxed)
        return OperationOutput(body: [], headers: [("x-amz-transition-default-minimum-object-size", minimumSize)])
    }

    /// GetBucketLifecycleConfiguration: the rules; NoSuchLifecycleConfiguration when the bucket has none.
    func getBucketLifecycle(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        guard let lifecycle = bucket.lifecycle else {
            throw S3Errors.noSuchConfiguration("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist",
                                               bucket: name)
        }
        return LifecycleDocument.output(lifecycle.rules, minimumSize: lifecycle.transitionMinimumSize)
    }

    /// DeleteBucketLifecycle: 204, whether or not the bucket had rules.
    func deleteBucketLifecycle(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        try updateBucket(name, context) { $0.lifecycle = nil }
        return OperationOutput(body: [], status: 204)
    }

    /// The `x-amz-expiration` header for an object, when a rule of its bucket (as the request read it) expires it.
    static func expirationHeader(_ object: S3Object, in bucket: Bucket) -> [(String, String)] {
        guard let rules = bucket.lifecycle?.rules, let expiration = LifecycleSchedule.expiration(of: object, under: rules)
        else { return [] }
        return [LifecycleSchedule.header(expiration)]
    }

    /// The clock tick's lifecycle work, once per day of the host clock (S3 runs it daily; every due time is a
    /// midnight UTC) or when rules changed: expires the objects whose day has come, moves those due for another
    /// storage class, and aborts incomplete uploads past their days. Changes are recorded under the tick's context.
    func applyLifecycle(_ context: RequestContext) {
        let now = self.now
        let today = now / LifecycleSchedule.day
        guard lifecycleDay.exchange(today, ordering: .relaxed) != today else { return }
        // Blobs of what was removed, kept even if a later change fails to be recorded (the changes before it stand).
        var retired: [String] = []
        defer { blobs.retire(retired) }
        do {
            try store.update { state throws(AWSError) in
                for (name, bucket) in state.buckets {
                    guard let lifecycle = bucket.lifecycle else { continue }
                    for (key, object) in state.objects[name] ?? [:] {
                        if let expiration = LifecycleSchedule.expiration(of: object, under: lifecycle.rules),
                            expiration.date <= now
                        {
                            // Under versioning the object stays as a noncurrent version behind a delete marker.
                            retired += try state.deleteLatest(bucket: name, key: key, versioning: bucket.versioning,
                                                              now: now, context).retired
                        } else if let storageClass = LifecycleSchedule.storageClass(
                            of: object, under: lifecycle.rules, minimumSize: lifecycle.transitionMinimumSize, now: now)
                        {
                            var moved = object
                            moved.storageClass = storageClass
                            try state.replaceVersion(moved, context)
                        }
                    }
                    if bucket.versioning != nil {
                        retired += try applyToVersions(bucket: name, lifecycle, in: &state, now: now, context)
                    }
                    for upload in state.uploads.values where upload.bucket == name
                        && LifecycleSchedule.abortIsDue(upload, under: lifecycle.rules, now: now)
                    {
                        retired += try state.removeUpload(upload.uploadId, context)
                    }
                }
            }
        } catch {
            host.error("the lifecycle rules could not be applied: \(error.message)")
        }
    }

    /// The rules' work on a versioned bucket's older versions: noncurrent versions expire or move down the storage
    /// classes, counted from when their successor was written, and a delete marker left as its key's only version is
    /// removed. - Returns: the blobs of the versions removed.
    private func applyToVersions(bucket name: String, _ lifecycle: BucketLifecycle, in state: inout S3Store.State,
                                 now: Int64, _ context: RequestContext) throws(AWSError) -> [String]
    {
        var retired: [String] = []
        for key in Array((state.history[name] ?? [:]).keys) {
            let all = state.versions(bucket: name, key: key)
            var kept = [all[0]]
            var newerCount = 0
            for index in all.indices.dropFirst() {
                var version = all[index]
                guard !version.isDeleteMarker else {
                    kept.append(version)
                    continue
                }
                // How many noncurrent versions are newer than this one (expiring ones count: they were newer).
                let newer = newerCount
                newerCount += 1
                let since = all[index - 1].lastModified
                if LifecycleSchedule.noncurrentExpires(version, newer: newer, since: since, under: lifecycle.rules,
                                                       now: now)
                {
                    retired += version.blobs.map(\.id)
                    continue
                }
                if let storageClass = LifecycleSchedule.noncurrentStorageClass(
                    version, newer: newer, since: since, under: lifecycle.rules,
                    minimumSize: lifecycle.transitionMinimumSize, now: now)
                {
                    version.storageClass = storageClass
                }
                kept.append(version)
            }
            if kept.count == 1, kept[0].isDeleteMarker,
                LifecycleSchedule.removesLoneDeleteMarker(kept[0], under: lifecycle.rules)
            {
                kept = []
            }
            if kept != all { try state.setVersions(bucket: name, key: key, kept, context) }
        }
        return retired
    }
}
