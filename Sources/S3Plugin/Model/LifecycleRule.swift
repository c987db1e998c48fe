/// One rule of a bucket's lifecycle configuration, kept as parsed so GetBucketLifecycleConfiguration answers it
/// back element for element (the Terraform provider compares what it wrote with what it reads).
struct LifecycleRule: Codable, Sendable, Equatable {
    var id: String
    var enabled: Bool
    var filter: LifecycleFilter
    var expiration: Expiration?
    var transitions: [Transition] = []
    var noncurrentVersionExpiration: NoncurrentExpiration?
    var noncurrentVersionTransitions: [NoncurrentTransition] = []
    var abortIncompleteMultipartUploadDays: Int?

    struct Expiration: Codable, Sendable, Equatable {
        var days: Int?
        /// Midnight UTC, milliseconds since 1970.
        var date: Int64?
        var expiredObjectDeleteMarker: Bool?
    }

    struct Transition: Codable, Sendable, Equatable {
        var days: Int?
        var date: Int64?
        var storageClass: String
    }

    /// Noncurrent versions exist only in versioned buckets; S3 accepts these actions on an unversioned bucket,
    /// where they never apply.
    struct NoncurrentExpiration: Codable, Sendable, Equatable {
        var noncurrentDays: Int?
        var newerNoncurrentVersions: Int?
    }

    struct NoncurrentTransition: Codable, Sendable, Equatable {
        var noncurrentDays: Int?
        var newerNoncurrentVersions: Int?
        var storageClass: String
    }
}

/// Which objects a rule applies to, in the form the rule gave it: a rule-level `<Prefix>` (the older form), or a
/// `<Filter>` holding one condition or an `<And>` of several.
struct LifecycleFilter: Codable, Sendable, Equatable {
    enum Form: String, Codable, Sendable {
        /// `<Prefix>` directly in the rule.
        case rulePrefix
        /// `<Filter>` with at most one condition (or none: `<Filter/>`, every object).
        case filter
        /// `<Filter><And>…</And></Filter>`.
        case and
    }

    var form: Form
    var prefix: String?
    var tags: [S3Tag] = []
    var objectSizeGreaterThan: Int64?
    var objectSizeLessThan: Int64?

    /// Whether an object falls under the rule: its key starts with the prefix, it carries every tag, and its size is
    /// within the bounds.
    func matches(key: String, tags objectTags: [S3Tag]?, size: Int64) -> Bool {
        if let prefix, !key.hasPrefix(prefix) { return false }
        let carried = objectTags ?? []
        if !tags.allSatisfy(carried.contains) { return false }
        if let objectSizeGreaterThan, size <= objectSizeGreaterThan { return false }
        if let objectSizeLessThan, size >= objectSizeLessThan { return false }
        return true
    }
}
