/// A condition operator as a policy spells it: `StringEquals`, `ArnLikeIfExists`,
/// `ForAllValues:StringLike`, ...
///
/// Names are case-sensitive, as IAM's parser treats them; an unknown name makes the policy malformed.
struct ConditionOperator: Sendable, Equatable {
    /// The comparison without its `IfExists` suffix or set qualifier.
    enum Base: String, Sendable, CaseIterable {
        case stringEquals = "StringEquals"
        case stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
        case stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike"
        case stringNotLike = "StringNotLike"
        case numericEquals = "NumericEquals"
        case numericNotEquals = "NumericNotEquals"
        case numericLessThan = "NumericLessThan"
        case numericLessThanEquals = "NumericLessThanEquals"
        case numericGreaterThan = "NumericGreaterThan"
        case numericGreaterThanEquals = "NumericGreaterThanEquals"
        case dateEquals = "DateEquals"
        case dateNotEquals = "DateNotEquals"
        case dateLessThan = "DateLessThan"
        case dateLessThanEquals = "DateLessThanEquals"
        case dateGreaterThan = "DateGreaterThan"
        case dateGreaterThanEquals = "DateGreaterThanEquals"
        case bool = "Bool"
        case binaryEquals = "BinaryEquals"
        case ipAddress = "IpAddress"
        case notIpAddress = "NotIpAddress"
        case arnEquals = "ArnEquals"
        case arnNotEquals = "ArnNotEquals"
        case arnLike = "ArnLike"
        case arnNotLike = "ArnNotLike"
        case null = "Null"

        /// Negated operators hold when the request value matches *none* of the policy values (IAM's NOR), and
        /// when the key is absent.
        var isNegated: Bool {
            switch self {
            case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .numericNotEquals, .dateNotEquals,
                .notIpAddress, .arnNotEquals, .arnNotLike:
                true
            default:
                false
            }
        }

        /// Whether policy variables are substituted in the policy values (IAM supports them in the string,
        /// ARN and Bool operators only).
        var supportsVariables: Bool {
            switch self {
            case .stringEquals, .stringNotEquals, .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase, .stringLike,
                .stringNotLike, .arnEquals, .arnNotEquals, .arnLike, .arnNotLike, .bool:
                true
            default:
                false
            }
        }

        /// The non-negated comparison of one request value with one (resolved) policy value.
        func positiveMatch(request: String, policy: [WildcardPattern.Token]) -> Bool {
            let literal = { WildcardPattern(tokens: policy).literalText }
            switch self {
            case .stringEquals, .stringNotEquals:
                return request == literal()
            case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
                return request.lowercased() == literal().lowercased()
            case .stringLike, .stringNotLike:
                return WildcardPattern(tokens: policy).matches(request)
            case .arnEquals, .arnNotEquals, .arnLike, .arnNotLike:
                return WildcardPattern(tokens: policy).matchesArn(request)
            case .numericEquals, .numericNotEquals:
                return Self.compare(request, literal(), parse: Self.number) { $0 == $1 }
            case .numericLessThan:
                return Self.compare(request, literal(), parse: Self.number) { $0 < $1 }
            case .numericLessThanEquals:
                return Self.compare(request, literal(), parse: Self.number) { $0 <= $1 }
            case .numericGreaterThan:
                return Self.compare(request, literal(), parse: Self.number) { $0 > $1 }
            case .numericGreaterThanEquals:
                return Self.compare(request, literal(), parse: Self.number) { $0 >= $1 }
            case .dateEquals, .dateNotEquals:
                return Self.compare(request, literal(), parse: PolicyDate.seconds) { $0 == $1 }
            case .dateLessThan:
                return Self.compare(request, literal(), parse: PolicyDate.seconds) { $0 < $1 }
            case .dateLessThanEquals:
                return Self.compare(request, literal(), parse: PolicyDate.seconds) { $0 <= $1 }
            case .dateGreaterThan:
                return Self.compare(request, literal(), parse: PolicyDate.seconds) { $0 > $1 }
            case .dateGreaterThanEquals:
                return Self.compare(request, literal(), parse: PolicyDate.seconds) { $0 >= $1 }
            case .bool:
                let value = literal().lowercased()
                return (value == "true" || value == "false") && request.lowercased() == value
            case .binaryEquals:
                return request == literal()
            case .ipAddress, .notIpAddress:
                return IPAddressRange(literal())?.contains(request) ?? false
            case .null:
                return false  // evaluated on presence, not on values: see PolicyCondition
            }
        }

        private static func number(_ text: String) -> Double? {
            guard let value = Double(text), value.isFinite else { return nil }
            return value
        }

        /// Compares parsed values; a value that does not parse matches nothing.
        private static func compare(_ request: String, _ policy: String, parse: (String) -> Double?,
                                    _ relation: (Double, Double) -> Bool) -> Bool
        {
            guard let left = parse(request), let right = parse(policy) else { return false }
            return relation(left, right)
        }
    }

    /// `ForAnyValue:` and `ForAllValues:` compare a multi-valued key as a set.
    enum SetQualifier: String, Sendable {
        case forAnyValue = "ForAnyValue:"
        case forAllValues = "ForAllValues:"
    }

    let name: String
    let base: Base
    let ifExists: Bool
    let qualifier: SetQualifier?

    /// - Returns: nil for a name IAM does not know.
    init?(_ name: String) {
        var rest = Substring(name)
        var qualifier: SetQualifier?
        for candidate in [SetQualifier.forAnyValue, .forAllValues] where rest.hasPrefix(candidate.rawValue) {
            qualifier = candidate
            rest = rest.dropFirst(candidate.rawValue.count)
        }
        var ifExists = false
        if rest.hasSuffix("IfExists") {
            ifExists = true
            rest = rest.dropLast("IfExists".count)
        }
        guard let base = Base(rawValue: String(rest)) else { return nil }
        self.name = name
        self.base = base
        self.ifExists = ifExists
        self.qualifier = qualifier
    }
}
