import EmuPluginKit

extension KmsService {
    /// Checks an alias name against AWS's rules beyond the model's pattern: the `alias/` prefix and the
    /// reserved `alias/aws/` space.
    func validateAliasName(_ name: String) throws(AWSError) {
        guard name.hasPrefix("alias/") else {
            throw AWSError.validation("Alias must start with the prefix \"alias/\". Please see "
                + "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
        }
        // The prefix alone names nothing (the model's pattern lets it through; CloudFormation's does not).
        guard name.count > "alias/".count else {
            throw AWSError.validation("Alias must include a name after the prefix \"alias/\".")
        }
        if name.hasPrefix("alias/aws/") { throw AWSError("NotAuthorizedException", "") }
        // The model's pattern also lets ':' through; KMS itself takes only these characters.
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "/_-".unicodeScalars.contains(scalar))
        }
        guard allowed else { throw AWSError.validation("\(name) contains invalid characters for an alias") }
    }

    /// The key an alias may point at: a customer managed key in the caller's account, named by id or ARN.
    func aliasTarget(_ text: String, _ context: RequestContext) throws(AWSError) -> KmsKey {
        if KeyReference(text).isAlias {
            throw AWSError.validation("Aliases must refer to keys. Not aliases")
        }
        let key = try findKey(text, context, allowAlias: false)
        guard key.accountId == context.accountId else {
            throw AWSError.notFound("Key '\(key.arn)' does not exist")
        }
        if key.isAWSManaged {
            throw AWSError("NotAuthorizedException", "")
        }
        try authorize(context.operation, on: key, context)
        return key
    }

    func createAlias(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let name = try input.requiredString("AliasName")
        try validateAliasName(name)
        let key = try aliasTarget(try input.requiredString("TargetKeyId"), context)
        try KeyStateRule.management.check(key)
        let now = self.now
        try state.write(context.accountId, context.region) { store throws(AWSError) in
            guard store.aliases[name] == nil else {
                throw AWSError("AlreadyExistsException", "An alias with the name "
                    + "\(KmsArn.alias(region: context.region, account: context.accountId, name: name)) already exists")
            }
            guard store.aliasCount(for: key.keyId) < 50 else {
                throw AWSError("LimitExceededException", "Too many aliases for key \(key.arn): the limit is 50.")
            }
            store.setAlias(KmsAlias(name: name, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now))
        }
        return [:]
    }

    func updateAlias(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let name = try input.requiredString("AliasName")
        try validateAliasName(name)
        let target = try aliasTarget(try input.requiredString("TargetKeyId"), context)
        // The source key may be pending deletion; the new target may not.
        try KeyStateRule.management.check(target)
        let now = self.now
        try state.write(context.accountId, context.region) { store throws(AWSError) in
            guard var alias = store.aliases[name] else {
                throw AWSError.notFound("Alias \(KmsArn.alias(region: context.region, account: context.accountId, name: name)) is not found.")
            }
            if let current = store.keys[alias.targetKeyId],
                current.keyUsage != target.keyUsage || current.keySpec.isAsymmetric != target.keySpec.isAsymmetric
                    || current.keySpec.isHMAC != target.keySpec.isHMAC
            {
                throw AWSError.validation("\(target.arn) is not the same type of key as \(current.arn): the new target "
                    + "must have the same key usage and be symmetric, asymmetric or HMAC like the current one.")
            }
            alias.targetKeyId = target.keyId
            alias.lastUpdatedDate = now
            store.setAlias(alias)
        }
        return [:]
    }

    func deleteAlias(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let name = try input.requiredString("AliasName")
        try validateAliasName(name)
        try state.write(context.accountId, context.region) { store throws(AWSError) in
            guard store.removeAlias(name: name) else {
                throw AWSError.notFound("Alias \(KmsArn.alias(region: context.region, account: context.accountId, name: name)) is not found.")
            }
        }
        return [:]
    }

    func listAliases(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let page = try Pagination(input, defaultLimit: 50)
        var filterKeyId: String?
        if let keyText = string(input, "KeyId") {
            let key = try findKey(keyText, context, allowAlias: false)
            // Another account's key is answered as one that does not exist: ListAliases is not cross-account.
            guard key.accountId == context.accountId else { throw AWSError.notFound("Key '\(key.arn)' does not exist") }
            filterKeyId = key.keyId
        }
        let region = context.region
        let account = context.accountId
        let entries: [JSONValue] = try state.read(account, region) { store in
            var rows: [(String, JSONValue)] = []
            // With a KeyId, only that key's aliases (from the index), not every alias of the account.
            let aliases = filterKeyId.map { keyId in store.aliasNames(for: keyId).compactMap { store.aliases[$0] } }
                ?? Array(store.aliases.values)
            for alias in aliases {
                rows.append((alias.name, [
                    "AliasName": .string(alias.name),
                    "AliasArn": .string(KmsArn.alias(region: region, account: account, name: alias.name)),
                    "TargetKeyId": .string(alias.targetKeyId),
                    "CreationDate": .double(alias.creationDate),
                    "LastUpdatedDate": .double(alias.lastUpdatedDate),
                ]))
            }
            // AWS lists its predefined aliases even before their keys exist, without a TargetKeyId.
            if filterKeyId == nil {
                for name in AWSManagedKeys.aliasNames where store.aliases[name] == nil {
                    rows.append((name, ["AliasName": .string(name),
                                        "AliasArn": .string(KmsArn.alias(region: region, account: account, name: name))]))
                }
            }
            return rows.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var output: [String: JSONValue] = [:]
        page.page(entries, into: &output, member: "Aliases") { $0 }
        return .object(output)
    }
}
