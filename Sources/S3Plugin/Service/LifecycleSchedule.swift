/// When a bucket's lifecycle rules act on an object or an upload, by the host clock (which tests move forward).
///
/// S3 adds a rule's days to the object's creation and rounds up to the next midnight UTC; the action is then due
/// (S3 itself carries it out some time after, asynchronously; here the next clock tick does).
enum LifecycleSchedule {
    static let day: Int64 = 86_400_000
    static let minimumTransitionSize: Int64 = 128 * 1024

    /// `start` plus `days`, rounded up to midnight UTC.
    static func due(after start: Int64, days: Int) -> Int64 {
        let moment = start + Int64(days) * day
        return moment % day == 0 ? moment : (moment / day + 1) * day
    }

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

    /// The storage class an object's transitions have brought it to by `now`, or nil when none is due. Small
    /// objects stay: by default S3 moves nothing under 128 KiB, and with `varies_by_storage_class` only the Glacier
    /// Flexible Retrieval and Deep Archive classes take them.
    static func storageClass(of object: S3Object, under rules: [LifecycleRule], minimumSize: String, now: Int64)
        -> String?
    {
        var latest: (date: Int64, storageClass: String)?
        for rule in rules where rule.enabled && rule.filter.matches(key: object.key, tags: object.headers.tags, size: object.size) {
            for transition in rule.transitions {
                let smallAllowed = minimumSize == "varies_by_storage_class"
                    && (transition.storageClass == "GLACIER" || transition.storageClass == "DEEP_ARCHIVE")
                guard object.size >= minimumTransitionSize || smallAllowed else { continue }
                let date = transition.days.map { due(after: object.lastModified, days: $0) } ?? transition.date ?? .max
                guard date <= now else { continue }
                if latest == nil || date > latest!.date { latest = (date, transition.storageClass) }
            }
        }
        guard let latest, latest.storageClass != object.storageClass else { return nil }
        return latest.storageClass
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
