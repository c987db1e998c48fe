/// A member's `pattern` from an AWS model, compiled the first time a request carries that member.
///
/// The patterns are ICU syntax, and AWS matches them with whole-string semantics on code points. They are matched
/// with the standard library's `Regex` (not NSRegularExpression, which is ICU's and would load Foundation's ICU tables
/// into every plugin: megabytes of an idle host's memory), with scalar semantics and `.` matching a line break.
/// `ModelPatternTests` checks that `Regex` reads every pattern of the generated models and agrees with ICU.
///
/// `Regex` is slow on long text (9 ms for a 32 KB key policy against `[\u0009\u000A\u000D\u0020-\u00FF]+`, where
/// ICU takes 0.1 ms), and most model patterns are one character class repeated (`^[a-zA-Z0-9:/_-]+$`). Those are
/// checked scalar by scalar instead: the class's answer for each Latin-1 scalar is asked of `Regex` once and kept;
/// other scalars are asked as they come. Immutable once built, so shared by every thread.
final class ModelPattern: @unchecked Sendable {
    /// The pattern as the model writes it (and AWS's messages quote it).
    let source: String
    /// nil until the first use; then the matcher, or nil inside when `Regex` cannot read the pattern (not checked).
    private let state = LockedBox<Matcher??>(nil)

    private enum Matcher {
        /// `^[class]+$`, `[class]*` and the like: the text matches when every scalar is in the class.
        case characterClass(latin1: [Bool], member: Regex<AnyRegexOutput>, allowsEmpty: Bool)
        case regex(Regex<AnyRegexOutput>)
    }

    init(_ pattern: String) {
        source = pattern
    }

    /// Whether the whole of `text` matches; nil when the pattern cannot be read, so it is not checked.
    func matches(_ text: String) -> Bool? {
        switch matcher {
        case nil:
            return nil
        case .characterClass(let latin1, let member, let allowsEmpty):
            var isEmpty = true
            for scalar in text.unicodeScalars {
                isEmpty = false
                if scalar.value < 256 {
                    guard latin1[Int(scalar.value)] else { return false }
                } else if (try? member.wholeMatch(in: String(scalar))) == nil {
                    return false
                }
            }
            return allowsEmpty || !isEmpty
        case .regex(let regex):
            return (try? regex.wholeMatch(in: text)) != nil
        }
    }

    private var matcher: Matcher? {
        state.withLock { state in
            if let known = state { return known }
            let built = Self.build(Self.icuWordClass(source))
            state = .some(built)
            return built
        }
    }

    private static func build(_ pattern: String) -> Matcher? {
        func compile(_ text: String) -> Regex<AnyRegexOutput>? {
            guard let regex = try? Regex(text).matchingSemantics(.unicodeScalar).dotMatchesNewlines() else { return nil }
            _ = try? regex.wholeMatch(in: "")  // compiled here, under the lock, not by the first concurrent matches
            return regex
        }
        if let (characterClass, allowsEmpty) = singleClass(pattern), let member = compile(characterClass) {
            let latin1 = (0..<256).map { value in
                (try? member.wholeMatch(in: String(Unicode.Scalar(UInt8(value))))) != nil
            }
            return .characterClass(latin1: latin1, member: member, allowsEmpty: allowsEmpty)
        }
        return compile(pattern).map { .regex($0) }
    }

    /// The class and whether it may match nothing, when the whole pattern is one bracketed class repeated with `+` or
    /// `*`, optionally between `^` and `$` (which change nothing for a whole-string match).
    static func singleClass(_ pattern: String) -> (characterClass: String, allowsEmpty: Bool)? {
        var body = Substring(pattern)
        if body.hasPrefix("^") { body = body.dropFirst() }
        if body.hasSuffix("$"), !body.hasSuffix("\\$") { body = body.dropLast() }
        guard let quantifier = body.last, quantifier == "+" || quantifier == "*" else { return nil }
        body = body.dropLast()
        guard body.count >= 2, body.first == "[", body.last == "]" else { return nil }
        var escaped = false
        for character in body.dropFirst().dropLast() {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "[" || character == "]" {
                return nil  // a nested or second class: not one class
            }
        }
        guard !escaped else { return nil }
        return (String(body), quantifier == "*")
    }

    /// ICU's `\w` also takes combining marks and join controls, `Regex`'s does not (`[\w]+` must accept "é" spelt
    /// e + U+0301), so each unescaped `\w` becomes ICU's definition, written with properties both understand.
    static func icuWordClass(_ pattern: String) -> String {
        let properties = #"\p{Alphabetic}\p{Mark}\p{Nd}\p{Pc}\p{Join_Control}"#
        var out = ""
        var inClass = false
        var escaped = false
        for character in pattern {
            if escaped {
                escaped = false
                if character == "w" {
                    out += inClass ? properties : "[" + properties + "]"
                } else {
                    out += "\\" + String(character)
                }
                continue
            }
            switch character {
            case "\\": escaped = true; continue
            case "[": inClass = true
            case "]": inClass = false
            default: break
            }
            out.append(character)
        }
        if escaped { out += "\\" }
        return out
    }
}
