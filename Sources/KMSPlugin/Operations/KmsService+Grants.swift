import EmuCrypto
import EmuPluginKit

extension KmsService {
    static let grantsPerKeyLimit = 50_000

    /// AWS checks grant operations before the usual model validation and answers ValidationError (sic).
    static func precheckGrantOperations(_ input: JSONValue) throws(AWSError) {
        for value in input["Operations"]?.arrayValue ?? [] {
            guard let name = value.stringValue, KmsGrant.grantableOperations.contains(name) else {
                throw AWSError("ValidationError", "1 validation error detected: Value '\(value.stringValue ?? "")' at "
                    + "'operations' failed to satisfy constraint: Member must satisfy enum value set: ["
                    + KmsGrant.grantableOperations.joined(separator: ", ") + "]")
            }
        }
    }

    /// A grant token: opaque to clients; ours names the store that issued it, so RetireGrant can find it.
    private func newGrantToken(account: String, region: String) -> String {
        Base64.encode(Array("kms-grant-v1:\(account):\(region):".utf8) + SecureRandom.bytes(32))
    }

    /// The store a token came from, and the grant it names; nil for a token this emulator never issued.
    func grantForToken(_ token: String) -> (account: String, region: String, grant: KmsGrant)? {
        guard let bytes = Base64.decode(token) else { return nil }
        let text = String(decoding: bytes.prefix(while: { $0 < 0x80 }), as: UTF8.self)
        let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "kms-grant-v1" else { return nil }
        let account = String(parts[1])
        let region = String(parts[2])
        return try? state.read(account, region) { store in
            guard let id = store.grantTokens[token], let grant = store.grant(id: id) else { return nil }
            return (account, region, grant)
        }
    }

    /// Every token in GrantTokens must be one this emulator issued for a grant that still exists.
    func checkGrantTokens(_ input: JSONValue) throws(AWSError) {
        for token in input["GrantTokens"]?.arrayValue?.compactMap(\.stringValue) ?? [] where grantForToken(token) == nil {
            throw AWSError("InvalidGrantTokenException", "The grant token is not valid.")
        }
    }

    func createGrant(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .cryptographic)
        guard let grantee = string(input, "GranteePrincipal") ?? string(input, "GranteeServicePrincipal") else {
            throw AWSError.validation("1 validation error detected: Value null at 'granteePrincipal' failed to satisfy "
                + "constraint: Member must not be null")
        }
        let operations = (input["Operations"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !operations.isEmpty else { throw AWSError.validation("A grant must allow at least one operation.") }
        let supported = KmsGrant.supportedOperations(for: key)
        let unsupported = operations.filter { !supported.contains($0) }
        guard unsupported.isEmpty else {
            // CreateGrant's documentation names the code: ValidationError.
            throw AWSError("ValidationError", "Operations [\(unsupported.joined(separator: ", "))] are not supported "
                + "on a KMS key with key spec \(key.keySpec.rawValue) and key usage \(key.keyUsage.rawValue).")
        }
        let (subset, equals) = try KmsGrant.constraints(in: input)
        if let constraint = subset ?? equals {
            guard !key.keySpec.isAsymmetric, !key.keySpec.isHMAC else {
                throw AWSError.validation("Encryption context grant constraints are not supported on asymmetric or HMAC "
                    + "KMS keys: their operations take no encryption context.")
            }
            guard constraint.count <= 8 else {
                throw AWSError.validation("An encryption context grant constraint can include up to 8 encryption "
                    + "context pairs.")
            }
            guard constraint.values.allSatisfy({ $0.count <= 384 }) else {
                throw AWSError.validation("An encryption context value in a grant constraint cannot exceed 384 "
                    + "characters.")
            }
        }
        let now = self.now
        let token = newGrantToken(account: key.accountId, region: key.region)
        var candidate = KmsGrant(
            grantId: KeyMaterialVersion.newId(), keyId: key.keyId, name: string(input, "Name"), creationDate: now,
            granteePrincipal: grantee,
            retiringPrincipal: string(input, "RetiringPrincipal") ?? string(input, "RetiringServicePrincipal"),
            issuingAccount: "arn:\(KmsArn.partition(key.region)):iam::\(context.accountId):root",
            operations: operations, contextSubset: subset, contextEquals: equals)
        let isDryRun = input["DryRun"]?.boolValue == true
        let grantId: String = try state.write(key.accountId, key.region) { store throws(AWSError) in
            // A repeated request with the same Name and parameters names the same grant, with a new token. (No copy
            // of the key's grant list is held across the append below: that would copy all 50,000 of them.)
            let existing = candidate.name.flatMap { name in
                store.grants[key.keyId]?.first { $0.name == name && $0.sameParameters == candidate.sameParameters }
            }
            if let existing {
                candidate = existing
            } else {
                guard (store.grants[key.keyId]?.count ?? 0) < Self.grantsPerKeyLimit else {
                    throw AWSError("LimitExceededException", "The number of grants on \(key.arn) exceeds the limit of 50000.")
                }
                if isDryRun { return candidate.grantId }
                store.addGrant(candidate)
            }
            if !isDryRun { store.addGrantToken(token, grantId: candidate.grantId) }
            return candidate.grantId
        }
        try dryRunCheck(input)
        return ["GrantId": .string(grantId), "GrantToken": .string(token)]
    }

    private func grantRow(_ grant: KmsGrant, key: KmsKey) -> JSONValue {
        var row: [String: JSONValue] = [
            "KeyId": .string(key.arn), "GrantId": .string(grant.grantId), "CreationDate": .double(grant.creationDate),
            "GranteePrincipal": .string(grant.granteePrincipal), "IssuingAccount": .string(grant.issuingAccount),
            "Operations": .array(grant.operations.map(JSONValue.string)),
        ]
        if let name = grant.name { row["Name"] = .string(name) }
        if let retiring = grant.retiringPrincipal { row["RetiringPrincipal"] = .string(retiring) }
        if let subset = grant.contextSubset {
            row["Constraints"] = ["EncryptionContextSubset": .object(subset.mapValues(JSONValue.string))]
        } else if let equals = grant.contextEquals {
            row["Constraints"] = ["EncryptionContextEquals": .object(equals.mapValues(JSONValue.string))]
        }
        return .object(row)
    }

    func listGrants(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        let page = try Pagination(input, defaultLimit: 50)
        var grants = try state.read(key.accountId, key.region) { $0.grants[key.keyId] ?? [] }
        if let grantId = string(input, "GrantId") {
            grants = grants.filter { $0.grantId == grantId }
            if grants.isEmpty { throw AWSError("InvalidGrantIdException", "Grant ID \(grantId) is not valid for \(key.arn).") }
        }
        if let grantee = string(input, "GranteePrincipal") { grants = grants.filter { $0.granteePrincipal == grantee } }
        var output: [String: JSONValue] = [:]
        page.page(grants, into: &output, member: "Grants") { grantRow($0, key: key) }
        return .object(output)
    }

    func listRetirableGrants(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let page = try Pagination(input, defaultLimit: 50)
        let retiring = string(input, "RetiringPrincipal") ?? string(input, "RetiringServicePrincipal") ?? context.principalArn
        let rows: [JSONValue] = try state.read(context.accountId, context.region) { store in
            store.keyOrder.flatMap { keyId -> [JSONValue] in
                guard let key = store.keys[keyId] else { return [] }
                return (store.grants[keyId] ?? []).filter { $0.retiringPrincipal == retiring }.map { grantRow($0, key: key) }
            }
        }
        var output: [String: JSONValue] = [:]
        page.page(rows, into: &output, member: "Grants") { $0 }
        return .object(output)
    }

    /// Who may retire a grant: its retiring principal, its grantee when the grant allows RetireGrant, or the
    /// account that owns the key.
    private func mayRetire(_ grant: KmsGrant, keyAccount: String, context: RequestContext) -> Bool {
        // A role named as retiring or grantee principal is matched by its assumed-role sessions, as when a grant
        // allows an operation.
        if let retiring = grant.retiringPrincipal, KmsAuthorizer.granteeMatches(retiring, context.principalArn) {
            return true
        }
        if KmsAuthorizer.granteeMatches(grant.granteePrincipal, context.principalArn),
            grant.operations.contains("RetireGrant")
        {
            return true
        }
        return context.accountId == keyAccount
    }

    func retireGrant(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let account: String
        let region: String
        let grant: KmsGrant
        if let token = string(input, "GrantToken") {
            guard let found = grantForToken(token) else {
                throw AWSError("InvalidGrantTokenException", "The grant token is not valid.")
            }
            (account, region, grant) = found
        } else if let keyText = string(input, "KeyId"), let grantId = string(input, "GrantId") {
            let key = try findKey(keyText, context, allowAlias: false)
            guard let found = try state.read(key.accountId, key.region, { $0.grants[key.keyId]?.first { $0.grantId == grantId } })
            else { throw AWSError("InvalidGrantIdException", "Grant ID \(grantId) is not valid for \(key.arn).") }
            (account, region, grant) = (key.accountId, key.region, found)
        } else {
            throw AWSError.validation("Either GrantToken, or both KeyId and GrantId, must be specified.")
        }
        guard mayRetire(grant, keyAccount: account, context: context) else {
            throw AWSError("AccessDeniedException", "\(context.principalArn) is not authorized to retire grant \(grant.grantId).")
        }
        try dryRunCheck(input)
        try state.write(account, region) { $0.removeGrant(id: grant.grantId) }
        return [:]
    }

    func revokeGrant(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, allowAlias: false, rule: .any)
        let grantId = try input.requiredString("GrantId")
        guard try state.read(key.accountId, key.region, { $0.grants[key.keyId]?.contains { $0.grantId == grantId } ?? false })
        else { throw AWSError("InvalidGrantIdException", "Grant ID \(grantId) is not valid for \(key.arn).") }
        try dryRunCheck(input)
        try state.write(key.accountId, key.region) { $0.removeGrant(id: grantId) }
        return [:]
    }
}

/// Principal spelling: an assumed-role session counts as its role, and an account id as its root.
enum PrincipalNames {
    static func same(_ a: String, _ b: String) -> Bool {
        normalized(a) == normalized(b)
    }

    static func normalized(_ principal: String) -> String {
        if principal.count == 12, principal.allSatisfy(\.isNumber) { return "arn:aws:iam::\(principal):root" }
        return principal
    }
}
