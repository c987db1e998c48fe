import EmuPluginKit
import Synchronization

/// The S3 plugin's operations over its state: routes each raw HTTP request to an operation by method, bucket,
/// key and sub-resource, as S3's REST API does.
final class S3Service: Sendable {
    let store = S3Store()
    let blobs: BlobStore
    let keys = DataKeys()
    /// The start-up sweep of orphaned blob files runs once, on the first tick (after every record was loaded).
    private let swept = Atomic<Bool>(false)
    /// The host-clock day (days since 1970) the lifecycle rules were last applied on: the tick applies them once a
    /// day, as S3 does, and after a change, which sets it back to -1.
    let lifecycleDay = Atomic<Int64>(-1)

    /// The smallest part S3 accepts in a completed multipart upload, except the last.
    static let minimumPartSize: Int64 = 5 * 1024 * 1024
    static let maximumKeyBytes = 1024

    /// Sub-resources of S3's API that this plugin does not implement: named in the NotImplemented answer rather
    /// than silently served as the wrong operation.
    static let unsupportedSubresources = [
        "accelerate", "analytics", "attributes", "intelligent-tiering", "inventory", "legal-hold", "logging",
        "metadataConfiguration", "metadataTable", "metrics", "notification", "object-lock", "policy", "policyStatus",
        "publicAccessBlock", "renameObject", "replication", "requestPayment", "restore", "retention", "select",
        "session", "torrent", "website",
    ]

    /// The bucket configurations served through a sub-resource: GET reads one, PUT replaces it, DELETE removes it
    /// (ACLs, disabled, and ownership controls answer as `S3Service+AccessControl` says).
    static let bucketConfigurations = ["acl", "cors", "lifecycle", "ownershipControls", "tagging"]
    /// Bucket sub-resources that name nothing on an object (tagging does): refused there as before, rather than
    /// served as a plain GET, PUT or DELETE of the object.
    static let bucketOnlySubresources = ["cors", "lifecycle", "ownershipControls", "versions"]

    init() {
        if let host = PluginHost.current, host.persistenceEnabled {
            let dataDirectory = host.config("DATA_DIR").flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
            blobs = BlobStore(directory: dataDirectory + "/s3/blobs")
        } else {
            blobs = BlobStore(directory: nil)
        }
    }

    var host: PluginHost {
        guard let host = PluginHost.current else { fatalError("the S3 plugin was used before its entry point ran") }
        return host
    }

    /// The host clock, which tests move forward.
    var now: Int64 { host.nowMilliseconds() }

    /// Every request's way in.
    func handle(_ context: RequestContext, _ view: HTTPRequestView) throws(AWSError) -> OperationOutput {
        let request = try S3Request(view)
        guard let bucket = request.bucket else {
            guard request.method == "GET" else { throw S3Errors.methodNotAllowed() }
            return try listBuckets(request, context)
        }
        if request.method == "OPTIONS" { return try preflight(request, bucket: bucket) }
        var output: OperationOutput
        if let key = request.key {
            output = try routeObject(request, bucket: bucket, key: key, context)
        } else {
            output = try routeBucket(request, bucket: bucket, context)
        }
        output.headers += corsHeaders(for: request)
        return output
    }

    private func routeBucket(_ request: S3Request, bucket: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        if let unsupported = Self.unsupportedSubresources.first(where: request.has) {
            throw S3Errors.notImplemented("the bucket sub-resource ?\(unsupported)")
        }
        if let configuration = Self.bucketConfigurations.first(where: request.has) {
            switch (configuration, request.method) {
            case ("acl", "GET"): return try getBucketAcl(bucket, context)
            case ("acl", "PUT"): return try putAcl(bucket: bucket, context)
            case ("ownershipControls", "GET"): return try getBucketOwnershipControls(bucket, context)
            case ("ownershipControls", "PUT"): return try putBucketOwnershipControls(request, bucket: bucket, context)
            case ("ownershipControls", "DELETE"): return try deleteBucketOwnershipControls(bucket, context)
            case ("cors", "GET"): return try getBucketCors(bucket, context)
            case ("cors", "PUT"): return try putBucketCors(request, bucket: bucket, context)
            case ("cors", "DELETE"): return try deleteBucketCors(bucket, context)
            case ("lifecycle", "GET"): return try getBucketLifecycle(bucket, context)
            case ("lifecycle", "PUT"): return try putBucketLifecycle(request, bucket: bucket, context)
            case ("lifecycle", "DELETE"): return try deleteBucketLifecycle(bucket, context)
            case ("tagging", "GET"): return try getBucketTagging(bucket, context)
            case ("tagging", "PUT"): return try putBucketTagging(request, bucket: bucket, context)
            case ("tagging", "DELETE"): return try deleteBucketTagging(bucket, context)
            default: throw S3Errors.methodNotAllowed()
            }
        }
        if request.has("versions") {
            guard request.method == "GET" else { throw S3Errors.methodNotAllowed() }
            return try listObjectVersions(request, bucket: bucket, context)
        }
        switch request.method {
        case "GET":
            if request.has("encryption") { return try getBucketEncryption(bucket, context) }
            if request.has("location") { return try getBucketLocation(bucket, context) }
            if request.has("versioning") { return try getBucketVersioning(bucket, context) }
            if request.has("uploads") { return try listMultipartUploads(request, bucket: bucket, context) }
            if request.query["list-type"] == "2" { return try listObjects(request, bucket: bucket, v2: true, context) }
            return try listObjects(request, bucket: bucket, v2: false, context)
        case "PUT":
            if request.has("encryption") { return try putBucketEncryption(request, bucket: bucket, context) }
            if request.has("versioning") { return try putBucketVersioning(request, bucket: bucket, context) }
            return try createBucket(request, bucket: bucket, context)
        case "HEAD":
            return try headBucket(bucket, context)
        case "DELETE":
            if request.has("encryption") { return try deleteBucketEncryption(bucket, context) }
            return try deleteBucket(bucket, context)
        case "POST":
            if request.has("delete") { return try deleteObjects(request, bucket: bucket, context) }
            throw S3Errors.methodNotAllowed()
        default:
            throw S3Errors.methodNotAllowed()
        }
    }

    private func routeObject(_ request: S3Request, bucket: String, key: String, _ context: RequestContext)
        throws(AWSError) -> OperationOutput
    {
        if request.method == "GET", request.has("attributes") {
            return try getObjectAttributes(request, bucket: bucket, key: key, context)
        }
        if let unsupported = (Self.unsupportedSubresources + Self.bucketOnlySubresources).first(where: request.has) {
            throw S3Errors.notImplemented("the object sub-resource ?\(unsupported)")
        }
        if request.has("acl") {
            switch request.method {
            case "GET": return try getObjectAcl(request, bucket: bucket, key: key, context)
            case "PUT": return try putAcl(bucket: bucket, context)
            default: throw S3Errors.methodNotAllowed()
            }
        }
        if request.has("tagging") {
            switch request.method {
            case "GET": return try getObjectTagging(request, bucket: bucket, key: key, context)
            case "PUT": return try putObjectTagging(request, bucket: bucket, key: key, context)
            case "DELETE": return try deleteObjectTagging(request, bucket: bucket, key: key, context)
            default: throw S3Errors.methodNotAllowed()
            }
        }
        switch request.method {
        case "GET":
            if request.has("uploadId") { return try listParts(request, bucket: bucket, key: key, context) }
            return try getObject(request, bucket: bucket, key: key, headOnly: false, context)
        case "HEAD":
            return try getObject(request, bucket: bucket, key: key, headOnly: true, context)
        case "PUT":
            if request.has("uploadId") || request.has("partNumber") {
                if request.header("x-amz-copy-source") != nil {
                    return try uploadPartCopy(request, bucket: bucket, key: key, context)
                }
                return try uploadPart(request, bucket: bucket, key: key, context)
            }
            if request.header("x-amz-copy-source") != nil {
                return try copyObject(request, bucket: bucket, key: key, context)
            }
            return try putObject(request, bucket: bucket, key: key, context)
        case "DELETE":
            if request.has("uploadId") { return try abortMultipartUpload(request, bucket: bucket, key: key, context) }
            return try deleteObject(request, bucket: bucket, key: key, context)
        case "POST":
            if request.has("uploads") { return try createMultipartUpload(request, bucket: bucket, key: key, context) }
            if request.has("uploadId") {
                return try completeMultipartUpload(request, bucket: bucket, key: key, context)
            }
            throw S3Errors.methodNotAllowed()
        default:
            throw S3Errors.methodNotAllowed()
        }
    }

    // MARK: - Shared checks

    /// The bucket a request names, which must exist and belong to the caller's account (this emulator has no
    /// bucket policies or ACLs, so another account's bucket is refused as S3 refuses it without one).
    func requireBucket(_ name: String, _ context: RequestContext) throws(AWSError) -> Bucket {
        guard let bucket = store.read({ $0.buckets[name] }) else { throw S3Errors.noSuchBucket(name) }
        guard bucket.accountId == context.accountId else { throw S3Errors.accessDenied() }
        return bucket
    }

    /// Changes one bucket under the store's lock and records it, unless the change left it as it was.
    /// - Throws: NoSuchBucket when the bucket went away meanwhile; a persistence failure.
    func updateBucket(_ name: String, _ context: RequestContext, _ change: (inout Bucket) -> Void) throws(AWSError) {
        try store.update { state throws(AWSError) in
            guard var bucket = state.buckets[name] else { throw S3Errors.noSuchBucket(name) }
            let before = bucket
            change(&bucket)
            guard bucket != before else { return }
            try S3Persistence.bucket(context, name, bucket)
            state.buckets[name] = bucket
        }
    }

    func requireKeyLength(_ key: String) throws(AWSError) {
        if key.utf8.count > Self.maximumKeyBytes {
            throw S3Errors.keyTooLong(size: key.utf8.count, maximum: Self.maximumKeyBytes)
        }
    }

    /// The S3 canonical user id of an account: 64 hex digits, stable per account.
    static func canonicalUserId(_ account: String) -> String {
        Hex.encode(MD5.digest(Array("awsemu-owner-\(account)".utf8)) + MD5.digest(Array("awsemu-id-\(account)".utf8)))
    }

    // MARK: - Hooks

    /// The clock tick: applies the buckets' lifecycle rules, removes retired blobs, and once after start-up sweeps
    /// blob files no record names.
    func tick(_ context: RequestContext) {
        applyLifecycle(context)
        blobs.collectRetired()
        if !swept.exchange(true, ordering: .relaxed) {
            let removed = blobs.sweep(keeping: store.referencedBlobIds())
            if removed > 0 { host.info("removed \(removed) orphaned body files left by an earlier run") }
        }
    }

    /// Empties the plugin (POST /_emu/state/reset). The SSE-S3 host key is kept: stored records written under it
    /// stay in the state database, which the host's reset does not empty.
    func reset() {
        store.removeAll()
        blobs.reset()
    }
}
