/// One test of a statement's `Condition` block: an operator, a condition key and the policy's values for it.
///
/// A block `{"StringEquals": {"kms:CallerAccount": ["1", "2"], "kms:ViaService": "s3..."}}` becomes two of
/// these. IAM's logic: the values of one test are OR-ed (NOR for negated operators), and all tests of a
/// statement are AND-ed.
struct PolicyCondition: Sendable, Equatable {
    let conditionOperator: ConditionOperator
    /// The condition key as the policy spells it; looked up without regard to case.
    let key: String
    /// The policy values as text: JSON numbers and booleans are accepted and compared by their spelling.
    let values: [String]

    /// Whether the test holds for the request.
    ///
    /// Absent keys, per IAM: `Null` tests presence; `...IfExists` holds; `ForAllValues:` holds (the empty set
    /// is a subset of anything); `ForAnyValue:` fails; a plain operator fails unless it is negated
    /// (`StringNotEquals`, `ArnNotLike`, ...), which holds.
    /// - Parameter variables: whether `${...}` policy variables are substituted (version 2012-10-17).
    func evaluate(in context: ConditionContext, variables: Bool) -> Bool {
        let op = conditionOperator
        let requestValues = context.values(for: key)
        if op.base == .null {
            let absent = requestValues == nil
            return values.contains { value in
                switch value.lowercased() {
                case "true": absent
                case "false": !absent
                default: false
                }
            }
        }
        guard let requestValues else {
            if op.ifExists { return true }
            switch op.qualifier {
            case .forAllValues: return true
            case .forAnyValue: return false
            case nil: return op.base.isNegated
            }
        }
        let patterns: [[WildcardPattern.Token]] = values.compactMap { value in
            op.base.supportsVariables
                ? PolicyVariables.resolve(value, enabled: variables, context: context)
                : WildcardPattern.tokens(of: value)
        }
        /// The per-value test: any policy value matches, or for a negated operator, none does.
        func satisfies(_ requestValue: String) -> Bool {
            let matched = patterns.contains { op.base.positiveMatch(request: requestValue, policy: $0) }
            return op.base.isNegated ? !matched : matched
        }
        switch op.qualifier {
        case .forAllValues:
            return requestValues.allSatisfy(satisfies)
        case .forAnyValue:
            return requestValues.contains(where: satisfies)
        case nil:
            // A plain operator on a key with several values: a positive operator needs one matching value; a
            // negated one needs no value to match.
            return op.base.isNegated ? requestValues.allSatisfy(satisfies) : requestValues.contains(where: satisfies)
        }
    }
}
