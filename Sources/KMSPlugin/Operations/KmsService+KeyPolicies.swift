import EmuPluginKit

extension KmsService {
    /// KMS keys have exactly one policy, named "default".
    private func requireDefaultPolicyName(_ input: JSONValue, _ key: KmsKey) throws(AWSError) {
        if let name = string(input, "PolicyName"), name != "default" {
            throw AWSError.notFound("Policy \(name) does not exist on key \(key.arn).")
        }
    }

    func getKeyPolicy(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        try requireDefaultPolicyName(input, key)
        return ["Policy": .string(key.policy), "PolicyName": "default"]
    }

    func putKeyPolicy(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        try requireDefaultPolicyName(input, key)
        guard !key.isAWSManaged else { throw AWSError("AccessDeniedException", "You cannot change the policy of an AWS managed key.") }
        let policy = try validatedPolicy(try input.requiredString("Policy"), context: context,
                                         bypassLockoutCheck: input["BypassPolicyLockoutSafetyCheck"]?.boolValue ?? false)
        try updateKey(key) { (key: inout KmsKey) throws(AWSError) in key.policy = policy }
        return [:]
    }

    func listKeyPolicies(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        _ = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        return ["PolicyNames": ["default"], "Truncated": false]
    }
}
