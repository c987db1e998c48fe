import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Tags and resource policies: metadata only, no KMS involved.
extension SecretsService {
    func tagResource(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        let tags = try parseTags(input["Tags"])
        try modify(secret, context) { stored throws(AWSError) in
            try requireNotDeleted(stored)
            stored.merge(tags: tags)
        }
        return [:]
    }

    func untagResource(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        let keys = Set(input["TagKeys"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        try modify(secret, context) { stored throws(AWSError) in
            try requireNotDeleted(stored)
            // A secret stored before hasBeenTagged was kept, with tags, learns it here.
            if !stored.tags.isEmpty { stored.hasBeenTagged = true }
            stored.tags.removeAll { keys.contains($0.key) }
        }
        return [:]
    }

    func putResourcePolicy(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        try requireDefaultPolicyName(input, "attach")
        let policy = try input.requiredString("ResourcePolicy")
        let document = try Self.policyDocument(policy)
        if input["BlockPublicPolicy"]?.boolValue == true, Self.grantsPublicAccess(document) {
            throw AWSError("PublicPolicyException", "This resource policy grants public access to the secret, which "
                + "BlockPublicPolicy does not allow.")
        }
        try modify(secret, context) { stored throws(AWSError) in
            try requireNotDeleted(stored)
            stored.resourcePolicy = policy
        }
        return ["ARN": .string(secret.arn), "Name": .string(secret.name), "PolicyName": .string(Self.defaultPolicyName)]
    }

    /// GetResourcePolicy of the default policy (`PolicyName` may name it); any other name is not found, since only
    /// AWS services attach others and there are none here.
    func getResourcePolicy(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        // Refused for a secret scheduled for deletion, as AWS refuses it (the Terraform provider reads this answer
        // as "the secret is gone").
        try requireNotDeleted(secret)
        if let name = string(input, "PolicyName"), name != Self.defaultPolicyName {
            throw AWSError("ResourceNotFoundException", "Secrets Manager can't find the resource policy \(name).")
        }
        var output: [String: JSONValue] = ["ARN": .string(secret.arn), "Name": .string(secret.name)]
        if let policy = secret.resourcePolicy {
            output["ResourcePolicy"] = .string(policy)
            output["PolicyName"] = .string(Self.defaultPolicyName)
        }
        return .object(output)
    }

    func deleteResourcePolicy(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        try requireDefaultPolicyName(input, "delete")
        try modify(secret, context) { stored throws(AWSError) in
            try requireNotDeleted(stored)
            stored.resourcePolicy = nil
        }
        return ["ARN": .string(secret.arn), "Name": .string(secret.name), "PolicyName": .string(Self.defaultPolicyName)]
    }

    /// ListResourcePolicies: the names of the secret's policies, `default` first. Only the default one can exist
    /// here, so there is at most one name and never a next page.
    func listResourcePolicies(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        try requireNotDeleted(secret)
        let names: [JSONValue] = secret.resourcePolicy == nil ? [] : [["PolicyName": .string(Self.defaultPolicyName)]]
        let page = try Page(names, maxResults: input["MaxResults"]?.intValue, defaultSize: 100,
                            token: string(input, "NextToken"))
        var output: [String: JSONValue] = ["ResourcePolicies": .array(page.items)]
        if let next = page.nextToken { output["NextToken"] = .string(next) }
        return .object(output)
    }

    /// The one policy a caller may attach or delete, as AWS documents it.
    static let defaultPolicyName = "default"

    /// - Throws: InvalidParameterException for a `PolicyName` other than `default` (the wording is ours).
    private func requireDefaultPolicyName(_ input: JSONValue, _ verb: String) throws(AWSError) {
        if let name = string(input, "PolicyName"), name != Self.defaultPolicyName {
            throw AWSError("InvalidParameterException",
                           "You can only \(verb) the default resource policy, not \(name).")
        }
    }

    /// The checks PutResourcePolicy would make, without storing anything: the syntax (an error, as PutResourcePolicy
    /// answers it) and broad access (a failed check in the answer, which BlockPublicPolicy would refuse). The
    /// `SecretId`, where given, must name a secret. AWS documents the checks but not their names: `PUBLIC_POLICY` is
    /// ours.
    func validateResourcePolicy(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        if let secretId = input["SecretId"]?.stringValue { _ = try resolve(secretId, context) }
        let document = try Self.policyDocument(try input.requiredString("ResourcePolicy"))
        var errors: [JSONValue] = []
        if Self.grantsPublicAccess(document) {
            errors.append(["CheckName": "PUBLIC_POLICY",
                           "ErrorMessage": "This resource policy grants public access to the secret."])
        }
        return ["PolicyValidationPassed": .bool(errors.isEmpty), "ValidationErrors": .array(errors)]
    }

    /// A resource policy's document: a JSON object whose `Statement` is one statement or a non-empty list of them,
    /// each with an `Effect` of Allow or Deny, exactly one of `Action` and `NotAction`, and (a resource policy names
    /// who it is for) exactly one of `Principal` and `NotPrincipal`, as IAM's policy grammar has them; an action is a
    /// string or a list of one or more.
    /// - Throws: MalformedPolicyDocumentException, in AWS's words.
    static func policyDocument(_ policy: String) throws(AWSError) -> JSONValue {
        let malformed = AWSError("MalformedPolicyDocumentException", "This resource policy contains a syntax error.")
        guard let document = try? JSONValue.parse(Array(policy.utf8)), document.objectValue != nil,
            let statements = statements(of: document), !statements.isEmpty
        else { throw malformed }
        for statement in statements {
            guard statement.objectValue != nil, ["Allow", "Deny"].contains(statement["Effect"]?.stringValue ?? ""),
                let actions = exactlyOne(of: "Action", "NotAction", in: statement), isStringOrStrings(actions),
                exactlyOne(of: "Principal", "NotPrincipal", in: statement) != nil
            else { throw malformed }
        }
        return document
    }

    /// The value of whichever of the two elements a statement has, when it has exactly one of them.
    private static func exactlyOne(of name: String, _ negated: String, in statement: JSONValue) -> JSONValue? {
        switch (statement[name], statement[negated]) {
        case (let value?, nil), (nil, let value?): value
        default: nil
        }
    }

    /// A string, or a list of one or more strings.
    private static func isStringOrStrings(_ value: JSONValue) -> Bool {
        if value.stringValue != nil { return true }
        guard let list = value.arrayValue, !list.isEmpty else { return false }
        return list.allSatisfy { $0.stringValue != nil }
    }

    /// A document's statements: its `Statement` object, or the members of its `Statement` list; nil for anything
    /// else.
    private static func statements(of document: JSONValue) -> [JSONValue]? {
        switch document["Statement"] {
        case .object(let statement)?: return [.object(statement)]
        case .array(let list)?: return list
        default: return nil
        }
    }

    /// An Allow statement without a condition whose principal is broad: everyone (`"*"`), a principal with a
    /// wildcard (`{"AWS": "*"}`, `arn:aws:iam::*:root`, `{"Service": "*"}`), or everyone but some (`NotPrincipal`).
    /// That is what AWS's BlockPublicPolicy refuses and ValidateResourcePolicy reports.
    static func grantsPublicAccess(_ document: JSONValue) -> Bool {
        (statements(of: document) ?? []).contains { statement in
            guard statement["Effect"]?.stringValue == "Allow", statement["Condition"] == nil else { return false }
            if statement["NotPrincipal"] != nil { return true }
            guard let principal = statement["Principal"] else { return false }
            // `*` or `?` anywhere counts as broad. IAM documents no partial wildcards in principals, so AWS may
            // well refuse `…:11112222333?:root` as malformed; calling it public is the cautious reading here.
            func isWildcard(_ name: String) -> Bool { name.contains("*") || name.contains("?") }
            if let everyone = principal.stringValue { return isWildcard(everyone) }
            return (principal.objectValue ?? [:]).values.contains { value in
                let names = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
                return names.contains(where: isWildcard)
            }
        }
    }
}
