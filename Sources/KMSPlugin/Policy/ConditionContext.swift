/// The request's condition keys, looked up as IAM looks them up: by name, ignoring case.
///
/// It also supplies the global keys that follow from the caller alone (`aws:PrincipalArn`,
/// `aws:PrincipalAccount`, `kms:CallerAccount`), so that operations need not repeat them on every request and
/// the AWS managed key policies (which test `kms:CallerAccount`) work with no extra code. A value the caller
/// passes explicitly wins (pass `aws:PrincipalArn` when a role's path is known: see `principalArnKey`).
struct ConditionContext: Sendable {
    private var values: [String: [String]]

    init(_ request: AuthorizationRequest) {
        var values: [String: [String]] = [:]
        for (key, list) in request.conditionKeys {
            values[key.lowercased(), default: []].append(contentsOf: list)
        }
        func derive(_ key: String, _ value: String) {
            if !value.isEmpty, values[key] == nil { values[key] = [value] }
        }
        derive("aws:principalarn", Self.principalArnKey(request.principalArn))
        derive("aws:principalaccount", request.principalAccount)
        derive("kms:calleraccount", request.principalAccount)
        self.values = values
    }

    /// The values of a key, or nil when the request does not carry it (an empty list counts as absent).
    func values(for key: String) -> [String]? {
        guard let list = values[key.lowercased()], !list.isEmpty else { return nil }
        return list
    }

    /// `aws:PrincipalArn` for a caller: IAM gives the *role* ARN for an assumed-role session, not the session
    /// ARN. A session ARN does not carry the role's path, so the role ARN derived here has none.
    static func principalArnKey(_ principalArn: String) -> String {
        guard let arn = PrincipalArn(principalArn), case .assumedRole(let role, _) = arn.kind else {
            return principalArn
        }
        return "arn:\(arn.partition):iam::\(arn.account):role/\(role)"
    }
}
