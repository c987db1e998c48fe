/// IAM's glob: `*` matches any run of characters (including none) and `?` exactly one.
///
/// Actions, resources, `StringLike` and `ArnLike` all use this one matcher. It is written by hand rather than
/// with a regular expression because policy text is user input: translating it into a regex would need
/// escaping of every metacharacter, and the backtracking below is linear in practice (it keeps only the last
/// star, as the classic wildcard algorithm does) so a hostile pattern cannot blow up evaluation time.
struct WildcardPattern: Sendable, Equatable {
    let pattern: String
    let caseInsensitive: Bool

    init(_ pattern: String, caseInsensitive: Bool = false) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
    }

    /// Whether `text` matches the whole pattern.
    func matches(_ text: String) -> Bool {
        if pattern == "*" { return true }
        let p = Array(caseInsensitive ? pattern.lowercased() : pattern)
        let t = Array(caseInsensitive ? text.lowercased() : text)
        var pi = 0
        var ti = 0
        var starIndex = -1
        var starMatch = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                starIndex = pi
                starMatch = ti
                pi += 1
            } else if starIndex >= 0 {
                pi = starIndex + 1
                starMatch += 1
                ti = starMatch
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Whether the text holds a wildcard character at all (principals may not).
    static func containsWildcard(_ text: String) -> Bool {
        text.contains("*") || text.contains("?")
    }

    /// IAM's ARN comparison (`ArnLike`, `ArnEquals`, and ARNs in `Resource`): the six colon-separated parts
    /// are matched one by one, so a `*` never spans a colon in the first five parts; the last part (the
    /// resource) keeps any colons it contains.
    ///
    /// - Returns: false when either side is not shaped like an ARN (fewer than six parts), except for a bare
    ///   `*` pattern, which matches anything.
    static func arnMatches(pattern: String, arn: String) -> Bool {
        if pattern == "*" { return true }
        let patternParts = pattern.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let arnParts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard patternParts.count == 6, arnParts.count == 6 else { return false }
        for (patternPart, arnPart) in zip(patternParts, arnParts) {
            guard WildcardPattern(String(patternPart)).matches(String(arnPart)) else { return false }
        }
        return true
    }
}
