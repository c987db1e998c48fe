/// One statement of a key policy: who (Principal), may or may not (Effect) do what (Action) to which key
/// (Resource), when (Condition).
///
/// The `Not...` forms are kept as flags next to their lists so that evaluation reads the same for both
/// forms: a negated element matches when none of its entries does.
struct PolicyStatement: Sendable, Equatable {
    enum Effect: String, Sendable {
        case allow = "Allow"
        case deny = "Deny"
    }

    var sid: String?
    var effect: Effect
    var principals: [PolicyPrincipal]
    /// True for `NotPrincipal`.
    var principalsNegated: Bool
    /// Action patterns (`kms:Encrypt`, `kms:Describe*`, `*`), matched without regard to case.
    var actions: [String]
    /// True for `NotAction`.
    var actionsNegated: Bool
    /// Resource patterns (`*` or a key ARN pattern); nil when the statement has neither `Resource` nor
    /// `NotResource`, which AWS documents as a statement with no effect.
    var resources: [String]?
    /// True for `NotResource`.
    var resourcesNegated: Bool
    var conditions: [PolicyCondition]

    /// Whether the statement applies to the request: principal, action, resource and every condition match.
    func applies(to request: AuthorizationRequest, context: ConditionContext, variables: Bool) -> Bool {
        guard !actions.isEmpty, let resources else { return false }
        let principalListed = principals.contains { $0.matches(request) }
        guard principalListed != principalsNegated else { return false }
        let actionListed = actions.contains { WildcardPattern($0, caseInsensitive: true).matches(request.action) }
        guard actionListed != actionsNegated else { return false }
        if !request.resourceArn.isEmpty {
            let resourceListed = resources.contains { pattern in
                guard let tokens = PolicyVariables.resolve(pattern, enabled: variables, context: context) else {
                    return false
                }
                return WildcardPattern(tokens: tokens).matchesArn(request.resourceArn)
            }
            guard resourceListed != resourcesNegated else { return false }
        }
        return conditions.allSatisfy { $0.evaluate(in: context, variables: variables) }
    }
}
