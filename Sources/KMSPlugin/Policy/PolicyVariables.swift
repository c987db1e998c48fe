/// IAM policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, `${kms:CallerAccount}` in
/// `Resource` and in condition values, replaced by the request's value of that condition key.
///
/// Only policies of version `2012-10-17` have variables; in `2008-10-17` policies `${...}` is literal text,
/// as IAM documents. `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$` (a literal `*` that is
/// not a wildcard), and `${key, 'default'}` supplies a value for an absent key. A variable whose key is
/// absent (with no default) or has several values cannot be resolved, and a pattern that contains one
/// matches nothing: IAM does not let multi-valued keys be policy variables.
enum PolicyVariables {
    /// The pattern for `text` in this request.
    /// - Returns: nil when a variable cannot be resolved.
    static func resolve(_ text: String, enabled: Bool, context: ConditionContext) -> [WildcardPattern.Token]? {
        guard enabled, text.contains("${") else { return WildcardPattern.tokens(of: text) }
        var tokens: [WildcardPattern.Token] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            tokens.append(contentsOf: WildcardPattern.tokens(of: String(rest[..<start.lowerBound])))
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                // No closing brace: the text is literal, as IAM treats it.
                tokens.append(contentsOf: WildcardPattern.tokens(of: String(rest[start.lowerBound...])))
                return tokens
            }
            let body = rest[start.upperBound..<end]
            guard let value = value(of: body, context: context) else { return nil }
            tokens.append(contentsOf: value.map(WildcardPattern.Token.literal))
            rest = rest[rest.index(after: end)...]
        }
        tokens.append(contentsOf: WildcardPattern.tokens(of: String(rest)))
        return tokens
    }

    /// The literal text a variable body stands for.
    private static func value(of body: Substring, context: ConditionContext) -> String? {
        switch body {
        case "*": return "*"
        case "?": return "?"
        case "$": return "$"
        default: break
        }
        var name = body
        var fallback: String?
        if let comma = body.firstIndex(of: ",") {
            name = body[..<comma]
            let defaultText = body[body.index(after: comma)...].trimmingSpaces
            if defaultText.count >= 2, defaultText.first == "'", defaultText.last == "'" {
                fallback = String(defaultText.dropFirst().dropLast())
            }
        }
        let key = String(name.trimmingSpaces)
        if let values = context.values(for: key) {
            return values.count == 1 ? values[0] : nil
        }
        return fallback
    }
}

extension Substring {
    /// The text without leading and trailing spaces (no Foundation needed for this one use).
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
