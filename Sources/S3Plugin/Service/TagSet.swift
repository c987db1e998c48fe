import EmuPluginKit

/// Reads and checks the tags of an object or a bucket, from a `<Tagging>` document or the `x-amz-tagging` header,
/// with S3's limits and errors (as AWS answered recorded requests).
enum TagSet {
    /// Whose tags: S3 allows 10 on an object and 50 on a bucket, and words some refusals differently for each.
    enum Owner {
        case object
        case bucket

        var limit: Int { self == .object ? 10 : 50 }
    }

    static let maximumKeyLength = 128
    static let maximumValueLength = 256

    /// PutObjectTagging's and PutBucketTagging's body: `<Tagging><TagSet><Tag><Key/><Value/></Tag>…`.
    /// - Throws: MalformedXML; the InvalidTag and BadRequest refusals of `check`.
    static func parse(document bytes: [UInt8], for owner: Owner) throws(AWSError) -> [S3Tag] {
        let document = try XMLTag.parse(bytes)
        let sets = document.children("TagSet")
        guard document.name == "Tagging", sets.count == 1, let set = sets.first else { throw S3Errors.malformedXML() }
        var tags: [S3Tag] = []
        for tag in set.children("Tag") {
            // One Key and one Value, text only, as S3's schema has them; a value may be empty.
            guard let key = tag.simpleText("Key"), let value = tag.simpleText("Value") else { throw S3Errors.malformedXML() }
            tags.append(S3Tag(key: key, value: value))
        }
        try check(tags, for: owner)
        return tags
    }

    /// The `x-amz-tagging` header of PutObject, CreateMultipartUpload and CopyObject: URL-encoded query parameters.
    /// A name without `=` is a tag with an empty value, as S3 stores it.
    /// - Throws: InvalidArgument naming the header for a duplicate name or a name or value S3 does not take;
    ///   BadRequest for more than 10 tags; InvalidTag for an empty, too long or `aws:` name.
    static func parse(header: String) throws(AWSError) -> [S3Tag] {
        let tags = FormDecoding.pairs(header).map { S3Tag(key: $0.0, value: $0.1) }
        switch violation(in: tags, for: .object) {
        case nil:
            return tags
        case .keyCharacters?, .value?, .duplicate?:
            throw S3Errors.invalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL "
                + "query parameters without tag name duplicates.", argument: ("x-amz-tagging", header))
        case let other?:
            throw other.error(for: .object)
        }
    }

    /// S3's rules for a set of tags: its size, unique keys, and the length and characters of each key and value.
    /// - Throws: the InvalidTag or BadRequest refusal S3 gives a `<Tagging>` document that breaks one.
    static func check(_ tags: [S3Tag], for owner: Owner) throws(AWSError) {
        if let violation = violation(in: tags, for: owner) { throw violation.error(for: owner) }
    }

    /// The first rule a set of tags breaks.
    enum Violation: Equatable {
        case tooMany
        case keyLength
        case keyCharacters(key: String)
        case systemKey(key: String)
        case value(key: String, value: String)
        case duplicate(key: String)

        /// How S3 refuses it in a `<Tagging>` document.
        func error(for owner: Owner) -> AWSError {
            switch self {
            case .tooMany:
                return AWSError("BadRequest", owner == .object ? "Object tags cannot be greater than 10"
                    : "Bucket tag count cannot be greater than 50")
            case .keyLength:
                return AWSError("InvalidTag", "The TagKey you have provided is invalid")
            case .keyCharacters(let key):
                return AWSError("InvalidTag", "The TagKey you have provided is invalid",
                                fields: [AWSErrorField("TagKey", key)])
            case .systemKey(let key):
                return AWSError("InvalidTag", owner == .object ? "Your TagKey cannot be prefixed with aws:"
                    : "System tags cannot be added/updated by requester", fields: [AWSErrorField("TagKey", key)])
            case .value(let key, let value):
                return AWSError("InvalidTag", "The TagValue you have provided is invalid",
                                fields: [AWSErrorField("TagKey", key), AWSErrorField("TagValue", value)])
            case .duplicate(let key):
                return AWSError("InvalidTag", "Cannot provide multiple Tags with the same key",
                                fields: [AWSErrorField("TagKey", key)])
            }
        }
    }

    static func violation(in tags: [S3Tag], for owner: Owner) -> Violation? {
        if tags.count > owner.limit { return .tooMany }
        var seen = Set<String>()
        for tag in tags {
            // Lengths count Unicode characters (code points), not what a reader sees as one.
            guard !tag.key.isEmpty, tag.key.unicodeScalars.count <= maximumKeyLength else { return .keyLength }
            guard allowed(tag.key) else { return .keyCharacters(key: tag.key) }
            if tag.key.hasPrefix("aws:") { return .systemKey(key: tag.key) }
            guard tag.value.unicodeScalars.count <= maximumValueLength, allowed(tag.value) else {
                return .value(key: tag.key, value: tag.value)
            }
            guard seen.insert(tag.key).inserted else { return .duplicate(key: tag.key) }
        }
        return nil
    }

    /// The characters S3 allows in tag keys and values: letters, numbers and spaces of any script, and
    /// `_ . : / = + - @`.
    private static func allowed(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber, .spaceSeparator, .lineSeparator, .paragraphSeparator:
                return true
            default:
                return "_.:/=+-@".unicodeScalars.contains(scalar)
            }
        }
    }

    /// GetObjectTagging's and GetBucketTagging's answer, the tags in the order they were given.
    static func output(_ tags: [S3Tag]) -> OperationOutput {
        var xml = XMLWriter(root: "Tagging")
        xml.group("TagSet") { xml in
            for tag in tags {
                xml.group("Tag") { xml in
                    xml.element("Key", tag.key)
                    xml.element("Value", tag.value)
                }
            }
        }
        return xml.output()
    }
}
