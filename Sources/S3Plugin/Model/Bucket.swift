/// A bucket: its global name, owner and region, and its default encryption when one was set.
///
/// S3's bucket namespace is shared by every account and region, so buckets are keyed by name alone.
struct Bucket: Codable, Sendable, Equatable {
    var name: String
    var accountId: String
    var region: String
    /// Milliseconds since 1970 on the host clock.
    var creationDate: Int64
    /// PutBucketEncryption's rule; nil means S3's base level, SSE-S3, which every bucket has had since 2023.
    var encryption: BucketEncryption?
    /// The legacy `EU` constraint the bucket was created with, which GetBucketLocation answers as it was given
    /// (the bucket is in eu-west-1); nil for every other constraint.
    var legacyConstraint: String? = nil
    /// PutBucketTagging's tags; nil when the bucket has none.
    var tags: [S3Tag]? = nil
    /// PutBucketLifecycleConfiguration's rules; nil when the bucket has none.
    var lifecycle: BucketLifecycle? = nil
    /// PutBucketCors's rules; nil when the bucket has none.
    var cors: [CORSRule]? = nil
    /// PutBucketVersioning's status; nil while versioning was never enabled (a bucket cannot go back to that).
    var versioning: VersioningStatus? = nil
    /// PutBucketVersioning's MfaDelete (only ever "Disabled" here), answered back once a request named it.
    var mfaDelete: String? = nil

    var arn: String { "arn:aws:s3:::\(name)" }
}

/// A bucket's default encryption rule (`ApplyServerSideEncryptionByDefault` and `BucketKeyEnabled`).
struct BucketEncryption: Codable, Sendable, Equatable {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    var algorithm: String
    var kmsMasterKeyId: String?
    var bucketKeyEnabled: Bool
}

/// A bucket's lifecycle configuration: its rules, and the smallest object its transitions move
/// (`x-amz-transition-default-minimum-object-size`).
struct BucketLifecycle: Codable, Sendable, Equatable {
    var rules: [LifecycleRule]
    var transitionMinimumSize: String
}

/// A bucket's versioning, once it was ever configured.
enum VersioningStatus: String, Codable, Sendable {
    case enabled = "Enabled"
    case suspended = "Suspended"
}
