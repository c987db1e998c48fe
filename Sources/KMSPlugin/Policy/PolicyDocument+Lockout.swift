import EmuPluginKit

extension PolicyDocument {
    /// AWS's message when a new policy would lock its author out.
    static let lockoutMessage = "The new key policy will not allow you to update the key policy in the future."

    /// The policy lockout safety check: whether this policy lets `principalArn` call `kms:PutKeyPolicy` on the
    /// key afterwards.
    ///
    /// CreateKey, PutKeyPolicy and ReplicateKey refuse a policy that fails it unless the request sets
    /// `BypassPolicyLockoutSafetyCheck`; that way nobody makes a key unmanageable by accident.
    /// - Parameters:
    ///   - keyArn: the key's ARN when known (CreateKey can compute it before storing the key); without it,
    ///     every `Resource` element is taken to match.
    ///   - conditionKeys: the current request's condition keys, against which `Condition` blocks are tested.
    func allowsPutKeyPolicy(for principalArn: String, account: String, keyArn: String = "",
                            conditionKeys: [String: [String]] = [:]) -> Bool
    {
        let request = AuthorizationRequest(
            principalArn: principalArn, principalAccount: account, action: "kms:PutKeyPolicy", resourceArn: keyArn,
            conditionKeys: conditionKeys)
        return PolicyEvaluator.evaluate(self, request) == .allow
    }

    /// Everything CreateKey, PutKeyPolicy and ReplicateKey check on a new policy, in AWS's order: size,
    /// JSON, grammar, principals, then (unless bypassed) the lockout safety check.
    /// - Throws: `LimitExceededException` or `MalformedPolicyDocumentException`.
    static func validateNewKeyPolicy(_ text: String, callerArn: String, callerAccount: String, keyArn: String = "",
                                     conditionKeys: [String: [String]] = [:],
                                     bypassLockoutSafetyCheck: Bool) throws(AWSError) -> PolicyDocument
    {
        let document = try PolicyDocument(parsing: text)
        if !bypassLockoutSafetyCheck,
            !document.allowsPutKeyPolicy(
                for: callerArn, account: callerAccount, keyArn: keyArn, conditionKeys: conditionKeys)
        {
            throw malformed(lockoutMessage)
        }
        return document
    }
}
