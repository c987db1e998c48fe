import EmuPluginKit

/// ListSecrets' and BatchGetSecretValue's `Filters`, matched as AWS documents them: filters combine with AND,
/// the values of one filter with OR, and a value that starts with `!` excludes what it matches.
///
/// - `name`, `tag-key`, `tag-value`: prefix match, case-sensitive.
/// - `description`: every word of the value must start a word of the description, not case-sensitive.
/// - `all`: the value is broken into words, any of which may start a word of the name, description, a tag key or
///   a tag value, not case-sensitive.
/// - `primary-region`: prefix match on the Region of a replicated secret's primary; a secret that is not replicated
///   has none.
/// - `owning-service`: no secret here is owned by another service, so it only ever matches when negated.
struct SecretFilter: Sendable {
    struct Clause: Sendable {
        var key: String
        var values: [String]
    }

    var clauses: [Clause]

    /// - Throws: InvalidParameterException for a filter without Key or Values, as AWS words it.
    init(_ json: JSONValue?) throws(AWSError) {
        clauses = []
        for entry in json?.arrayValue ?? [] {
            guard let key = entry["Key"]?.stringValue else {
                throw AWSError("InvalidParameterException", "Invalid filter key")
            }
            guard let values = entry["Values"]?.arrayValue?.compactMap(\.stringValue), !values.isEmpty else {
                throw AWSError("InvalidParameterException", "Invalid filter values for key: \(key)")
            }
            clauses.append(Clause(key: key, values: values))
        }
    }

    func matches(_ secret: Secret) -> Bool {
        clauses.allSatisfy { clause in Self.matches(clause, secret) }
    }

    /// Positive values: at least one must match. Negated values: none may match.
    private static func matches(_ clause: Clause, _ secret: Secret) -> Bool {
        let negated = clause.values.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) }
        let positive = clause.values.filter { !$0.hasPrefix("!") }
        if negated.contains(where: { matches(clause.key, $0, secret) }) { return false }
        return positive.isEmpty || positive.contains { matches(clause.key, $0, secret) }
    }

    private static func matches(_ key: String, _ value: String, _ secret: Secret) -> Bool {
        switch key {
        case "name": return secret.name.hasPrefix(value)
        case "tag-key": return secret.tags.contains { $0.key.hasPrefix(value) }
        case "tag-value": return secret.tags.contains { $0.value.hasPrefix(value) }
        case "primary-region":
            return secret.replicationPrimaryRegion?.hasPrefix(value) ?? false
        case "description":
            let words = Self.words(secret.description ?? "")
            let wanted = Self.words(value)
            return !wanted.isEmpty && wanted.allSatisfy { want in words.contains { $0.hasPrefix(want) } }
        case "all":
            let fields = [secret.name, secret.description ?? ""] + secret.tags.flatMap { [$0.key, $0.value] }
            let words = fields.flatMap(Self.words)
            return Self.words(value).contains { want in words.contains { $0.hasPrefix(want) } }
        default:
            return false
        }
    }

    /// Lower-cased words, split where AWS's search splits them: at anything that is not a letter or digit, at a
    /// change from lower to upper case, and between letters and digits (`credsDatabase#892` is creds, database, 892).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previous: Character?
        for character in text {
            guard character.isASCII, character.isLetter || character.isNumber else {
                if !current.isEmpty { words.append(current.lowercased()) }
                current = ""
                previous = nil
                continue
            }
            if let previous {
                let caseChange = previous.isLowercase && character.isUppercase
                let kindChange = previous.isNumber != character.isNumber
                if caseChange || kindChange {
                    words.append(current.lowercased())
                    current = ""
                }
            }
            current.append(character)
            previous = character
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }
}

/// One page of a list, with AWS's opaque NextToken (here: the offset, base64, so that clients cannot mistake it
/// for anything they should build themselves).
struct Page<Item> {
    var items: [Item]
    var nextToken: String?

    /// - Throws: InvalidNextTokenException for a token this plugin did not issue.
    init(_ all: [Item], maxResults: Int64?, defaultSize: Int, token: String?) throws(AWSError) {
        var start = 0
        if let token {
            guard let bytes = Base64.decode(token), let text = String(validating: bytes, as: UTF8.self),
                text.hasPrefix("offset:"), let offset = Int(text.dropFirst("offset:".count)), offset >= 0
            else {
                throw AWSError("InvalidNextTokenException", "The NextToken value is invalid.")
            }
            start = min(offset, all.count)
        }
        let size = maxResults.map { Int(max(1, $0)) } ?? defaultSize
        let end = min(all.count, start + size)
        items = Array(all[start..<end])
        nextToken = end < all.count ? Base64.encode(Array("offset:\(end)".utf8)) : nil
    }
}
