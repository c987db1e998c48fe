import EmuPluginKit

/// PutBucketLifecycleConfiguration's `<LifecycleConfiguration>`: parsed into rules, checked as S3 checks it, and
/// written back for GetBucketLifecycleConfiguration. Codes and messages are those AWS answered recorded requests
/// (LocalStack's snapshots, users' quoted errors); where none was found the wording is ours and says so.
enum LifecycleDocument {
    static let maximumRules = 1000
    /// Transitions whose objects must be at least 128 KiB, unless the bucket's minimum says otherwise.
    static let transitionClasses: Set<String> = [
        "GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR",
    ]
    /// `x-amz-transition-default-minimum-object-size`: S3's default, and the alternative.
    static let minimumSizes: Set<String> = ["all_storage_classes_128K", "varies_by_storage_class"]
    static let defaultMinimumSize = "all_storage_classes_128K"
    private static let largestObject: Int64 = 5 * 1024 * 1024 * 1024 * 1024

    static func parse(_ bytes: [UInt8]) throws(AWSError) -> [LifecycleRule] {
        let document = try XMLTag.parse(bytes)
        guard document.name == "LifecycleConfiguration" else { throw S3Errors.malformedXML() }
        let elements = document.children("Rule")
        guard !elements.isEmpty, elements.count <= maximumRules else { throw S3Errors.malformedXML() }
        var rules: [LifecycleRule] = []
        var ids = Set<String>()
        for element in elements {
            let rule = try parseRule(element)
            guard ids.insert(rule.id).inserted else {
                throw S3Errors.invalidArgument("Rule ID must be unique. Found same ID for more than one rule")
            }
            rules.append(rule)
        }
        return rules
    }

    /// The elements a `<Rule>` may hold.
    private static let ruleElements: Set<String> = [
        "ID", "Prefix", "Filter", "Status", "Expiration", "Transition", "NoncurrentVersionExpiration",
        "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload",
    ]

    private static func parseRule(_ element: XMLTag) throws(AWSError) -> LifecycleRule {
        guard element.children.allSatisfy({ ruleElements.contains($0.name) }),
            let status = element.simpleText("Status"), status == "Enabled" || status == "Disabled"
        else { throw S3Errors.malformedXML() }
        // The ID is optional in S3's model; S3 makes one up for a rule without.
        let idElement = try optionalSingle(element, "ID")
        guard idElement?.children.isEmpty ?? true else { throw S3Errors.malformedXML() }
        let id = idElement?.text ?? generatedId()
        // The wording is ours: no recorded answer for a long ID was found.
        guard id.unicodeScalars.count <= S3Errors.maximumRuleIdLength else { throw S3Errors.ruleIdTooLong() }
        let filter = try parseFilter(element)
        var rule = LifecycleRule(id: id, enabled: status == "Enabled", filter: filter)
        if let expiration = try optionalSingle(element, "Expiration") {
            rule.expiration = try parseExpiration(expiration)
        }
        for transition in element.children("Transition") {
            rule.transitions.append(try parseTransition(transition))
        }
        if let noncurrent = try optionalSingle(element, "NoncurrentVersionExpiration") {
            let days = try integer(noncurrent, "NoncurrentDays")
            let newer = try integer(noncurrent, "NewerNoncurrentVersions")
            guard days != nil || newer != nil else { throw S3Errors.malformedXML() }
            if let days, days <= 0 {
                throw S3Errors.invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a "
                    + "positive integer")
            }
            rule.noncurrentVersionExpiration = .init(noncurrentDays: days, newerNoncurrentVersions: newer)
        }
        for transition in element.children("NoncurrentVersionTransition") {
            guard let storageClass = transition.simpleText("StorageClass"), transitionClasses.contains(storageClass)
            else { throw S3Errors.malformedXML() }
            let days = try integer(transition, "NoncurrentDays")
            // The wording is ours, after the Expiration action's.
            if let days, days < 0 {
                throw S3Errors.invalidArgument("'NoncurrentDays' for NoncurrentVersionTransition action must be a "
                    + "nonnegative integer")
            }
            rule.noncurrentVersionTransitions.append(.init(noncurrentDays: days,
                                                           newerNoncurrentVersions: try integer(transition, "NewerNoncurrentVersions"),
                                                           storageClass: storageClass))
        }
        if let abort = try optionalSingle(element, "AbortIncompleteMultipartUpload") {
            guard let days = try integer(abort, "DaysAfterInitiation") else { throw S3Errors.malformedXML() }
            guard days > 0 else {
                throw S3Errors.invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must "
                    + "be a positive integer")
            }
            if !filter.tags.isEmpty {
                throw S3Errors.invalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.")
            }
            if filter.objectSizeGreaterThan != nil || filter.objectSizeLessThan != nil {
                throw S3Errors.invalidRequest("AbortIncompleteMultipartUpload cannot be specified with Object Size.")
            }
            rule.abortIncompleteMultipartUploadDays = days
        }
        guard rule.expiration != nil || !rule.transitions.isEmpty || rule.noncurrentVersionExpiration != nil
            || !rule.noncurrentVersionTransitions.isEmpty || rule.abortIncompleteMultipartUploadDays != nil
        else { throw S3Errors.invalidRequest("At least one action needs to be specified in a rule") }
        try checkSchedule(rule)
        return rule
    }

    /// The actions of one rule must agree in time: all counted in days or all on dates, each transition further down
    /// S3's storage classes than the one before it, and the expiration after every transition. S3 refuses such rules;
    /// the wording here is ours except where noted.
    private static func checkSchedule(_ rule: LifecycleRule) throws(AWSError) {
        let prefix = rule.filter.prefix ?? ""
        let usesDays = rule.transitions.contains { $0.days != nil } || rule.expiration?.days != nil
        let usesDates = rule.transitions.contains { $0.date != nil } || rule.expiration?.date != nil
        if usesDays, usesDates {
            throw S3Errors.invalidRequest("Found mixed 'Date' and 'Days' based Expiration and Transition actions in "
                + "lifecycle rule for prefix '\(prefix)'")
        }
        // Once mixing is refused, days and dates each compare among themselves.
        func when(_ days: Int?, _ date: Int64?) -> Int64 { days.map(Int64.init) ?? date ?? 0 }
        let ordered = rule.transitions.sorted { when($0.days, $0.date) < when($1.days, $1.date) }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) {
            guard when(later.days, later.date) > when(earlier.days, earlier.date),
                LifecycleSchedule.rank(later.storageClass) > LifecycleSchedule.rank(earlier.storageClass)
            else {
                throw S3Errors.invalidArgument("Transition to '\(later.storageClass)' must come later than, and move "
                    + "further down the storage classes than, the transition to '\(earlier.storageClass)'")
            }
        }
        // An expiration by ExpiredObjectDeleteMarker alone has no time.
        if let expiration = rule.expiration, expiration.days != nil || expiration.date != nil, let last = ordered.last {
            if when(expiration.days, expiration.date) <= when(last.days, last.date) {
                throw S3Errors.invalidArgument("'Days' in the Expiration action for filter '(prefix=\(prefix))' must "
                    + "be greater than 'Days' in the Transition action")
            }
        }
    }

    /// An ID for a rule given without one: 48 random letters and digits.
    private static func generatedId() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<48).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    /// A rule's `<Filter>` (one condition, or an `<And>` of several), or the older rule-level `<Prefix>`; a rule
    /// needs one of the two.
    private static func parseFilter(_ rule: XMLTag) throws(AWSError) -> LifecycleFilter {
        let rulePrefix = try optionalSingle(rule, "Prefix")
        let filterElement = try optionalSingle(rule, "Filter")
        if let rulePrefix {
            guard filterElement == nil else { throw S3Errors.malformedXML() }
            return LifecycleFilter(form: .rulePrefix, prefix: rulePrefix.text)
        }
        guard let filterElement else { throw S3Errors.malformedXML() }
        guard filterElement.children.count <= 1 else { throw S3Errors.malformedXML() }
        guard let condition = filterElement.children.first else { return LifecycleFilter(form: .filter) }
        if condition.name == "And" {
            guard !condition.children.isEmpty else { throw S3Errors.malformedXML() }
            var filter = LifecycleFilter(form: .and)
            try readConditions(condition.children, into: &filter, allowingTags: true)
            return filter
        }
        var filter = LifecycleFilter(form: .filter)
        try readConditions([condition], into: &filter, allowingTags: false)
        return filter
    }

    private static func readConditions(_ conditions: [XMLTag], into filter: inout LifecycleFilter, allowingTags: Bool)
        throws(AWSError)
    {
        for condition in conditions {
            switch condition.name {
            case "Prefix" where filter.prefix == nil:
                filter.prefix = condition.text
            case "Tag" where allowingTags || filter.tags.isEmpty:
                guard let key = condition.simpleText("Key"), let value = condition.simpleText("Value") else {
                    throw S3Errors.malformedXML()
                }
                guard !filter.tags.contains(where: { $0.key == key }) else {
                    throw S3Errors.invalidRequest("Duplicate Tag Keys are not allowed.")
                }
                filter.tags.append(S3Tag(key: key, value: value))
            case "ObjectSizeGreaterThan" where filter.objectSizeGreaterThan == nil:
                filter.objectSizeGreaterThan = try size(condition, "ObjectSizeGreaterThan", minimum: 0)
            case "ObjectSizeLessThan" where filter.objectSizeLessThan == nil:
                filter.objectSizeLessThan = try size(condition, "ObjectSizeLessThan", minimum: 1)
            default:
                throw S3Errors.malformedXML()
            }
        }
    }

    /// An object-size bound. The upper end of the message is ours: S3 answered "between 1 and …" in the one
    /// recorded refusal, without showing the end.
    private static func size(_ element: XMLTag, _ name: String, minimum: Int64) throws(AWSError) -> Int64 {
        guard let value = Int64(element.text.trimmingSpaces()) else { throw S3Errors.malformedXML() }
        guard (minimum...largestObject).contains(value) else {
            throw S3Errors.invalidRequest("'\(name)' should be between \(minimum) and \(largestObject)")
        }
        return value
    }

    private static func parseExpiration(_ element: XMLTag) throws(AWSError) -> LifecycleRule.Expiration {
        let days = try integer(element, "Days")
        let date = try midnight(element)
        let marker = try optionalSingle(element, "ExpiredObjectDeleteMarker").map { $0.text.lowercased() == "true" }
        // Exactly one of the three.
        guard [days != nil, date != nil, marker != nil].filter({ $0 }).count == 1 else { throw S3Errors.malformedXML() }
        if let days, days <= 0 {
            throw S3Errors.invalidArgument("'Days' for Expiration action must be a positive integer")
        }
        return .init(days: days, date: date, expiredObjectDeleteMarker: marker)
    }

    private static func parseTransition(_ element: XMLTag) throws(AWSError) -> LifecycleRule.Transition {
        let days = try integer(element, "Days")
        let date = try midnight(element)
        guard (days == nil) != (date == nil), let storageClass = element.simpleText("StorageClass"),
            transitionClasses.contains(storageClass)
        else { throw S3Errors.malformedXML() }
        if let days {
            // The wording for a negative count is ours.
            guard days >= 0 else {
                throw S3Errors.invalidArgument("'Days' for Transition action must be a nonnegative integer")
            }
            if (storageClass == "STANDARD_IA" || storageClass == "ONEZONE_IA"), days < 30 {
                throw S3Errors.invalidArgument("'Days' in Transition action must be greater than or equal to 30 for "
                    + "storageClass '\(storageClass)'")
            }
        }
        return .init(days: days, date: date, storageClass: storageClass)
    }

    /// An action's `<Date>`, which must be midnight UTC.
    private static func midnight(_ action: XMLTag) throws(AWSError) -> Int64? {
        guard let element = try optionalSingle(action, "Date") else { return nil }
        guard let date = HTTPDate.parseISO8601(element.text.trimmingSpaces()) else { throw S3Errors.malformedXML() }
        guard date % 86_400_000 == 0 else {
            throw S3Errors.invalidArgument("'Date' must be at midnight GMT", argument: ("Date", element.text))
        }
        return date
    }

    /// An integer element: S3's schema types them as 32-bit, so a larger number is malformed (and day counts stay
    /// far from overflowing when turned into milliseconds).
    private static func integer(_ parent: XMLTag, _ name: String) throws(AWSError) -> Int? {
        guard let element = try optionalSingle(parent, name) else { return nil }
        guard let value = Int32(element.text.trimmingSpaces()) else { throw S3Errors.malformedXML() }
        return Int(value)
    }

    /// At most one child of that name.
    private static func optionalSingle(_ parent: XMLTag, _ name: String) throws(AWSError) -> XMLTag? {
        let found = parent.children(name)
        guard found.count <= 1 else { throw S3Errors.malformedXML() }
        return found.first
    }

    // MARK: - Writing

    /// GetBucketLifecycleConfiguration's answer, each rule in the form it was given.
    static func output(_ rules: [LifecycleRule], minimumSize: String) -> OperationOutput {
        var xml = XMLWriter(root: "LifecycleConfiguration")
        for rule in rules {
            xml.group("Rule") { xml in
                xml.element("ID", rule.id)
                write(rule.filter, to: &xml)
                xml.element("Status", rule.enabled ? "Enabled" : "Disabled")
                for transition in rule.transitions {
                    xml.group("Transition") { xml in
                        xml.element("Date", transition.date.map(HTTPDate.iso8601))
                        if let days = transition.days { xml.element("Days", days) }
                        xml.element("StorageClass", transition.storageClass)
                    }
                }
                if let expiration = rule.expiration {
                    xml.group("Expiration") { xml in
                        xml.element("Date", expiration.date.map(HTTPDate.iso8601))
                        if let days = expiration.days { xml.element("Days", days) }
                        if let marker = expiration.expiredObjectDeleteMarker {
                            xml.element("ExpiredObjectDeleteMarker", marker)
                        }
                    }
                }
                for transition in rule.noncurrentVersionTransitions {
                    xml.group("NoncurrentVersionTransition") { xml in
                        if let days = transition.noncurrentDays { xml.element("NoncurrentDays", days) }
                        xml.element("StorageClass", transition.storageClass)
                        if let newer = transition.newerNoncurrentVersions { xml.element("NewerNoncurrentVersions", newer) }
                    }
                }
                if let noncurrent = rule.noncurrentVersionExpiration {
                    xml.group("NoncurrentVersionExpiration") { xml in
                        if let days = noncurrent.noncurrentDays { xml.element("NoncurrentDays", days) }
                        if let newer = noncurrent.newerNoncurrentVersions { xml.element("NewerNoncurrentVersions", newer) }
                    }
                }
                if let days = rule.abortIncompleteMultipartUploadDays {
                    xml.group("AbortIncompleteMultipartUpload") { xml in xml.element("DaysAfterInitiation", days) }
                }
            }
        }
        return xml.output(headers: [("x-amz-transition-default-minimum-object-size", minimumSize)])
    }

    private static func write(_ filter: LifecycleFilter, to xml: inout XMLWriter) {
        func conditions(_ xml: inout XMLWriter) {
            xml.element("Prefix", filter.prefix)
            for tag in filter.tags {
                xml.group("Tag") { xml in
                    xml.element("Key", tag.key)
                    xml.element("Value", tag.value)
                }
            }
            if let size = filter.objectSizeGreaterThan { xml.element("ObjectSizeGreaterThan", size) }
            if let size = filter.objectSizeLessThan { xml.element("ObjectSizeLessThan", size) }
        }
        switch filter.form {
        case .rulePrefix: xml.element("Prefix", filter.prefix ?? "")
        case .filter: xml.group("Filter") { conditions(&$0) }
        case .and: xml.group("Filter") { xml in xml.group("And") { conditions(&$0) } }
        }
    }
}
