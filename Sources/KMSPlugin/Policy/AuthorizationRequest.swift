/// One request as the policy engine sees it: who is calling, which action on which key, and the request's
/// condition keys.
///
/// The engine does not read `RequestContext` or operation input itself: the operation knows which condition
/// keys it produces (`kms:EncryptionContext:*`, `kms:EncryptionAlgorithm`, `kms:GrantOperations`, ...), so it
/// builds them here and the engine stays a pure function that is easy to test.
struct AuthorizationRequest: Sendable, Equatable {
    /// The caller's ARN as the gateway resolved it: `arn:aws:iam::111122223333:root`, an IAM user or role ARN,
    /// an STS assumed-role session ARN, or a service principal name (`s3.amazonaws.com`) when a service acts
    /// on its own behalf. Empty for an anonymous caller.
    var principalArn: String
    /// The caller's account (`kms:CallerAccount`, `aws:PrincipalAccount`).
    var principalAccount: String
    /// The IAM action, `kms:Encrypt`; compared case-insensitively.
    var action: String
    /// The key ARN. Empty means "not known yet" (a key that CreateKey is about to create): every `Resource`
    /// element is then taken to match.
    var resourceArn: String
    /// Condition keys and their values. Multi-valued keys (`kms:EncryptionContextKeys`, `aws:TagKeys`,
    /// `kms:GrantOperations`) carry several values; single-valued keys one. A key with no values is treated
    /// as absent. Names are compared case-insensitively, including the part after
    /// `kms:EncryptionContext:` (AWS documents that the context key in that condition key is not case
    /// sensitive; values are).
    var conditionKeys: [String: [String]]

    init(principalArn: String, principalAccount: String, action: String, resourceArn: String = "",
         conditionKeys: [String: [String]] = [:])
    {
        self.principalArn = principalArn
        self.principalAccount = principalAccount
        self.action = action
        self.resourceArn = resourceArn
        self.conditionKeys = conditionKeys
    }
}
