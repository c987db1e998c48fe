/// IAM's glob: `*` matches any run of characters (including none) and `?` exactly one.
///
/// Actions, resources, `StringLike` and `ArnLike` all use this one matcher. It is written by hand rather than
/// with a regular expression because policy text is user input: translating it into a regex would need
/// escaping of every metacharacter, and the algorithm below keeps only the last star (the classic wildcard
/// matcher), so a hostile pattern cannot make evaluation slow.
///
/// A pattern is a list of tokens rather than a string because policy variables can produce a *literal*
/// asterisk or question mark (`${*}`, `${?}`), which must not act as a wildcard.
struct WildcardPattern: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case literal(Character)
        /// `*`: any run of characters.
        case anyRun
        /// `?`: exactly one character.
        case anyOne
    }

    let tokens: [Token]
    let caseInsensitive: Bool

    /// A pattern from policy text, where every `*` and `?` is a wildcard.
    init(_ pattern: String, caseInsensitive: Bool = false) {
        self.init(tokens: Self.tokens(of: pattern), caseInsensitive: caseInsensitive)
    }

    init(tokens: [Token], caseInsensitive: Bool = false) {
        self.caseInsensitive = caseInsensitive
        guard caseInsensitive else {
            self.tokens = tokens
            return
        }
        var folded: [Token] = []
        folded.reserveCapacity(tokens.count)
        for token in tokens {
            if case .literal(let character) = token {
                folded.append(contentsOf: character.lowercased().map(Token.literal))
            } else {
                folded.append(token)
            }
        }
        self.tokens = folded
    }

    /// The tokens of policy text: `*` and `?` are wildcards, everything else is literal.
    static func tokens(of text: String) -> [Token] {
        text.map { character in
            switch character {
            case "*": .anyRun
            case "?": .anyOne
            default: .literal(character)
            }
        }
    }

    /// The pattern spelled back as text, wildcards as `*` and `?` (what `StringEquals` compares against, where
    /// no character is special).
    var literalText: String {
        String(tokens.map { token -> Character in
            switch token {
            case .literal(let character): character
            case .anyRun: "*"
            case .anyOne: "?"
            }
        })
    }

    /// Whether `text` matches the whole pattern.
    func matches(_ text: String) -> Bool {
        if tokens == [.anyRun] { return true }
        let t = Array(caseInsensitive ? text.lowercased() : text)
        let p = tokens
        var pi = 0
        var ti = 0
        var starIndex = -1
        var starMatch = 0
        while ti < t.count {
            if pi < p.count, Self.matchesOne(p[pi], t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == .anyRun {
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
        while pi < p.count, p[pi] == .anyRun { pi += 1 }
        return pi == p.count
    }

    private static func matchesOne(_ token: Token, _ character: Character) -> Bool {
        switch token {
        case .literal(let literal): literal == character
        case .anyOne: true
        case .anyRun: false
        }
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
    func matchesArn(_ arn: String) -> Bool {
        if tokens == [.anyRun] { return true }
        let patternParts = tokens.split(separator: .literal(":"), maxSplits: 5, omittingEmptySubsequences: false)
        let arnParts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard patternParts.count == 6, arnParts.count == 6 else { return false }
        for (patternPart, arnPart) in zip(patternParts, arnParts) {
            let part = WildcardPattern(tokens: Array(patternPart), caseInsensitive: caseInsensitive)
            guard part.matches(String(arnPart)) else { return false }
        }
        return true
    }
}
