/// A principal ARN taken apart: partition, account and what it names.
struct PrincipalArn: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case root
        /// The user's path and name, `division/alice`.
        case user(String)
        /// The role's path and name, `service-role/Admin`.
        case role(String)
        /// The role's name (no path) and the session name.
        case assumedRole(role: String, session: String)
        case federatedUser(String)
    }

    let partition: String
    let account: String
    let kind: Kind

    /// Parses `arn:PARTITION:iam::ACCOUNT:root|user/...|role/...` or
    /// `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION|federated-user/NAME`.
    init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[3].isEmpty,
            PolicyPrincipal.isAccountId(String(parts[4]))
        else { return nil }
        partition = String(parts[1])
        account = String(parts[4])
        let resource = parts[5]
        func names(after prefix: String) -> [Substring]? {
            guard resource.hasPrefix(prefix) else { return nil }
            let rest = resource.dropFirst(prefix.count)
            let components = rest.split(separator: "/", omittingEmptySubsequences: false)
            guard !components.isEmpty, components.allSatisfy({ !$0.isEmpty && $0.allSatisfy(Self.isNameCharacter) })
            else { return nil }
            return components
        }
        switch parts[2] {
        case "iam":
            if resource == "root" {
                kind = .root
            } else if let components = names(after: "user/") {
                kind = .user(components.joined(separator: "/"))
            } else if let components = names(after: "role/") {
                kind = .role(components.joined(separator: "/"))
            } else {
                return nil
            }
        case "sts":
            if let components = names(after: "assumed-role/"), components.count == 2 {
                kind = .assumedRole(role: String(components[0]), session: String(components[1]))
            } else if let components = names(after: "federated-user/"), components.count == 1 {
                kind = .federatedUser(String(components[0]))
            } else {
                return nil
            }
        default:
            return nil
        }
    }

    /// IAM's name characters (`[\w+=,.@-]`); sessions allow the same set.
    private static func isNameCharacter(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "_+=,.@-".contains(character)
    }
}
