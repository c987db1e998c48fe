/// Decides one request against a key policy with IAM's logic.
///
/// An explicit `Deny` in any statement that applies wins over everything; otherwise an `Allow` that applies
/// allows; otherwise the request is implicitly denied. (Grants are a separate source of permission that the
/// operation consults after an implicit deny; an explicit deny is final.)
enum PolicyEvaluator {
    enum Decision: Sendable, Equatable {
        case allow
        /// A `Deny` statement applied: nothing else (not even a grant) can allow the request.
        case explicitDeny
        /// No statement allowed the request; a grant still may.
        case implicitDeny
    }

    static func evaluate(_ document: PolicyDocument, _ request: AuthorizationRequest) -> Decision {
        let context = ConditionContext(request)
        let variables = document.usesPolicyVariables
        var allowed = false
        for statement in document.statements
        where statement.applies(to: request, context: context, variables: variables) {
            switch statement.effect {
            case .deny: return .explicitDeny
            case .allow: allowed = true
            }
        }
        return allowed ? .allow : .implicitDeny
    }

    /// The Sids (or statement positions, `#1`…) of the statements that apply to the request: what an
    /// operation can log when it denies, so that a user can see which statement did it.
    static func applicableStatements(_ document: PolicyDocument, _ request: AuthorizationRequest) -> [String] {
        let context = ConditionContext(request)
        return document.statements.enumerated().compactMap { index, statement in
            guard statement.applies(to: request, context: context, variables: document.usesPolicyVariables) else {
                return nil
            }
            return statement.sid ?? "#\(index + 1)"
        }
    }
}
