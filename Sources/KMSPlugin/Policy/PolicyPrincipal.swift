/// One entry of a statement's `Principal` or `NotPrincipal` element.
///
/// Key policies name principals as `"*"`, `{"AWS": ...}` (an account, an IAM user or role, an STS session),
/// `{"Service": ...}` or `{"Federated": ...}`. Real KMS also checks that each IAM principal exists; the
/// emulator has no IAM, so it checks only the shape, which is what catches typos and unfilled templates.
enum PolicyPrincipal: Sendable, Equatable {
    /// `"*"` or `{"AWS": "*"}`: every caller, including anonymous ones.
    case anyone
    /// An account (`111122223333` or `arn:aws:iam::111122223333:root`). In a key policy this delegates to
    /// IAM in that account; the emulator has no IAM policies, so it lets every principal of the account in.
    case account(String)
    /// An IAM user, an IAM role, an STS assumed-role session or federated-user ARN.
    case arn(String)
    /// A service principal, `s3.amazonaws.com`.
    case service(String)
    /// An identity provider (`cognito-identity.amazonaws.com`, a SAML or OIDC provider ARN).
    case federated(String)

    /// The message AWS gives for any principal it cannot accept.
    static let invalidMessage = "Policy contains a statement with one or more invalid principals."

    /// Parses an `AWS` principal value.
    /// - Returns: nil when the value is not an account id, `*`, or an IAM/STS principal ARN without wildcards.
    static func aws(_ text: String) -> PolicyPrincipal? {
        if text == "*" { return .anyone }
        if isAccountId(text) { return .account(text) }
        guard !WildcardPattern.containsWildcard(text), let arn = PrincipalArn(text) else { return nil }
        switch arn.kind {
        case .root: return .account(arn.account)
        case .user, .role, .assumedRole, .federatedUser: return .arn(text)
        }
    }

    /// Parses a `Service` principal value: a DNS name under `amazonaws.com` (or `.amazonaws.com.cn`), as
    /// service principals are spelled.
    static func service(named text: String) -> PolicyPrincipal? {
        let suffixes = [".amazonaws.com", ".amazonaws.com.cn", ".amazon.com"]
        guard suffixes.contains(where: { text.hasSuffix($0) && text.count > $0.count }),
            text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
        else { return nil }
        return .service(text)
    }

    /// Parses a `Federated` principal value: a provider host name or a SAML/OIDC provider ARN.
    static func federated(named text: String) -> PolicyPrincipal? {
        guard !text.isEmpty, !WildcardPattern.containsWildcard(text),
            !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        else { return nil }
        if text.hasPrefix("arn:") {
            let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, parts[2] == "iam", isAccountId(String(parts[4])),
                parts[5].hasPrefix("saml-provider/") || parts[5].hasPrefix("oidc-provider/")
            else { return nil }
        }
        return .federated(text)
    }

    static func isAccountId(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Whether this entry names the caller.
    ///
    /// An IAM role also names every session of that role (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`),
    /// whatever the role's path, because a session ARN carries only the role's name. IAM user and role names
    /// are unique regardless of case, so names compare without case; a session's name compares exactly.
    func matches(_ request: AuthorizationRequest) -> Bool {
        switch self {
        case .anyone:
            return true
        case .account(let account):
            return !request.principalAccount.isEmpty && request.principalAccount == account
        case .service(let name), .federated(let name):
            return request.principalArn.lowercased() == name.lowercased()
        case .arn(let text):
            guard let policy = PrincipalArn(text), let caller = PrincipalArn(request.principalArn),
                policy.partition == caller.partition, policy.account == caller.account
            else { return false }
            switch (policy.kind, caller.kind) {
            case (.user(let a), .user(let b)), (.federatedUser(let a), .federatedUser(let b)):
                return a.lowercased() == b.lowercased()
            case (.role(let a), .role(let b)):
                return a.lowercased() == b.lowercased()
            case (.role(let path), .assumedRole(let role, _)):
                return Self.lastComponent(path).lowercased() == role.lowercased()
            case (.assumedRole(let roleA, let sessionA), .assumedRole(let roleB, let sessionB)):
                return roleA.lowercased() == roleB.lowercased() && sessionA == sessionB
            default:
                return false
            }
        }
    }

    private static func lastComponent(_ path: String) -> Substring {
        path.split(separator: "/").last ?? Substring(path)
    }
}
