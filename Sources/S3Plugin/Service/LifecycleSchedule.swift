/// When a bucket's lifecycle rules act on an object or an upload, by the host clock (which tests move forward).
///
/// S3 adds a rule's days to the object's creation and rounds up to the next midnight UTC; the action is then due
/// (S3 itself carries it out some time after, asynchronously; here the next clock tick does).
enum LifecycleSchedule {
    static let day: Int64 = 86_400_000
    static let minimumTransitionSize: Int64 = 128 * 1024

    /// `start` plus `days`, rounded up to midnight UTC; never, for a count too large to reach.
    static func due(after start: Int64, days: Int) -> Int64 {
        let (span, spanOverflow) = Int64(days).multipliedReportingOverflow(by: day)
        let (moment, momentOverflow) = start.addingReportingOverflow(span)
        guard !spanOverflow, !momentOverflow, moment < Int64.max - day else { return .max }
        return moment % day == 0 ? moment : (moment / day + 1) * day
    }

    /// S3's storage classes in the order lifecycle transitions run (its "waterfall"): an object only ever moves
    /// further down, never back up.
    static let waterfall = ["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA",
                            "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]

    static func rank(_ storageClass: String) -> Int { waterfall.firstIndex(of: storageClass) ?? 0 }

    /// The expiration that applies to an object: the earliest of the enabled rules that match it, the first listed
    /// on a tie (S3 names that one in `x-amz-expiration`). nil when none expires it.
    static func expiration(of object: S3Object, under rules: [LifecycleRule]) -> (date: Int64, ruleId: String)? {
        var found: (date: Int64, ruleId: String)?
        for rule in rules where rule.enabled && rule.filter.matches(key: object.key, tags: object.headers.tags, size: object.size) {
            guard let expiration = rule.expiration else { continue }
            let date: Int64
            if let days = expiration.days {
                date = due(after: object.lastModified, days: days)
            } else if let fixed = expiration.date {
                date = fixed
            } else {
                continue
            }
            if found == nil || date < found!.date { found = (date, rule.id) }
        }
        return found
    }

    /// `x-amz-expiration`, as PutObject, GetObject and HeadObject answer it.
    static func header(_ expiration: (date: Int64, ruleId: String)) -> (String, String) {
        ("x-amz-expiration",
         "expiry-date=\"\(HTTPDate.rfc1123(expiration.date))\", rule-id=\"\(PercentEncoding.encodeForListing(expiration.ruleId))\"")
    }

    /// The storage class an object's due transitions bring it to by `now`: the furthest down the waterfall, and
    /// only if that is further than where it is; nil otherwise. Small objects stay: by default S3 moves nothing
    /// under 128 KiB, with `varies_by_storage_class` only the Glacier Flexible Retrieval and Deep Archive classes take
    /// them, and a rule that filters on object size sets its own bounds instead.
    static func storageClass(of object: S3Object, under rules: [LifecycleRule], minimumSize: String, now: Int64)
        -> String?
    {
        var target: String?
        for rule in rules where rule.enabled && rule.filter.matches(key: object.key, tags: object.headers.tags, size: object.size) {
            let transitions = rule.transitions.map { transition in
                (date: transition.days.map { due(after: object.lastModified, days: $0) } ?? transition.date ?? .max,
                 storageClass: transition.storageClass)
            }
            target = furthest(transitions, of: object, under: rule, minimumSize: minimumSize, now: now,
                              beyond: target) ?? target
        }
        return target
    }

    /// The furthest class down the waterfall that `transitions` (each with its due date) have brought `object` to
    /// by `now`, if further than `beyond` (or the object's own class): under S3's 128 KiB default minimum, which
    /// `varies_by_storage_class` lifts for the Glacier Flexible Retrieval and Deep Archive classes and a rule's own
    /// size filter replaces.
    private static func furthest(_ transitions: [(date: Int64, storageClass: String)], of object: S3Object,
                                 under rule: LifecycleRule, minimumSize: String, now: Int64, beyond: String?)
        -> String?
    {
        let customSize = rule.filter.objectSizeGreaterThan != nil || rule.filter.objectSizeLessThan != nil
        var target: String?
        for transition in transitions where transition.date <= now {
            let smallAllowed = customSize || (minimumSize == "varies_by_storage_class"
                && StorageClass.archived.contains(transition.storageClass))
            guard object.size >= minimumTransitionSize || smallAllowed else { continue }
            if rank(transition.storageClass) > rank(target ?? beyond ?? object.storageClass) {
                target = transition.storageClass
            }
        }
        return target
    }

    /// Whether a noncurrent version is due to be removed for good: an enabled rule that matches it has a
    /// NoncurrentVersionExpiration whose days, counted from when the version became noncurrent (`since`: its successor
    /// was written) and rounded up to midnight UTC, have passed, and that keeps fewer newer noncurrent versions than
    /// the version has (`newer`: 0 for the newest noncurrent version).
    static func noncurrentExpires(_ version: S3Object, newer: Int, since: Int64, under rules: [LifecycleRule],
                                  now: Int64) -> Bool
    {
        rules.contains { rule in
            guard rule.enabled, let expiration = rule.noncurrentVersionExpiration,
                rule.filter.matches(key: version.key, tags: version.headers.tags, size: version.size),
                newer >= (expiration.newerNoncurrentVersions ?? 0)
            else { return false }
            return due(after: since, days: expiration.noncurrentDays ?? 0) <= now
        }
    }

    /// The storage class a noncurrent version's due NoncurrentVersionTransitions bring it to by `now`, counted as
    /// `noncurrentExpires` counts, with the current object's size rules; nil when it stays where it is.
    static func noncurrentStorageClass(_ version: S3Object, newer: Int, since: Int64, under rules: [LifecycleRule],
                                       minimumSize: String, now: Int64) -> String?
    {
        var target: String?
        for rule in rules where rule.enabled && rule.filter.matches(key: version.key, tags: version.headers.tags, size: version.size) {
            let transitions = rule.noncurrentVersionTransitions
                .filter { newer >= ($0.newerNoncurrentVersions ?? 0) }
                .map { (date: due(after: since, days: $0.noncurrentDays ?? 0), storageClass: $0.storageClass) }
            target = furthest(transitions, of: version, under: rule, minimumSize: minimumSize, now: now,
                              beyond: target) ?? target
        }
        return target
    }

    /// Whether a delete marker that is its key's only version is to be removed: an enabled rule whose prefix the key
    /// has sets ExpiredObjectDeleteMarker (a marker has no tags and no size, so rules that filter on them pass it by).
    static func removesLoneDeleteMarker(_ marker: S3Object, under rules: [LifecycleRule]) -> Bool {
        rules.contains { rule in
            rule.enabled && rule.expiration?.expiredObjectDeleteMarker == true && rule.filter.tags.isEmpty
                && rule.filter.objectSizeGreaterThan == nil && rule.filter.objectSizeLessThan == nil
                && (rule.filter.prefix.map(marker.key.hasPrefix) ?? true)
        }
    }

    /// Whether an incomplete upload is due to be aborted: an enabled rule with AbortIncompleteMultipartUpload whose
    /// prefix its key has, counted from its initiation.
    static func abortIsDue(_ upload: MultipartUpload, under rules: [LifecycleRule], now: Int64) -> Bool {
        rules.contains { rule in
            guard rule.enabled, let days = rule.abortIncompleteMultipartUploadDays else { return false }
            guard rule.filter.prefix.map(upload.key.hasPrefix) ?? true else { return false }
            return due(after: upload.initiated, days: days) <= now
        }
    }
}
