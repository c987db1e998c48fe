import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Decides whether a caller may do an action on a key, as KMS does: the key policy (explicit Deny, then
/// Allow), then grants for the caller; anything else is AccessDeniedException.
///
/// On by default; `ENFORCE_POLICIES=0` turns it off. The default key policy lets the key's own account do
/// everything, so users who never write a policy see no difference.
struct KmsAuthorizer: Sendable {
    let policies = PolicyDocumentCache()
    let enforcing: Bool
    let decisions = DecisionCache()

    /// True when the key's policy has no conditions and allows this caller this action: then nothing about the
    /// request can change the answer, which is remembered. False means "evaluate in full", never "deny".
    func quickAllow(_ action: String, on key: KmsKey, context: RequestContext) -> Bool {
        let cacheKey = DecisionCache.Key(policy: key.policy, principal: context.principalArn, account: context.accountId,
                                         action: action, keyId: key.keyId, keyRegion: key.region,
                                         keyAccount: key.accountId)
        if let known = decisions.lookup(cacheKey) { return known }
        guard let document = try? policies.document(for: key.policy),
            document.statements.allSatisfy({ $0.conditions.isEmpty })
        else {
            decisions.store(cacheKey, false)
            return false
        }
        let request = AuthorizationRequest(principalArn: context.principalArn, principalAccount: context.accountId,
                                           action: "kms:\(action)", resourceArn: key.arn, conditionKeys: [:])
        let allowed = PolicyEvaluator.evaluate(document, request) == .allow
        decisions.store(cacheKey, allowed)
        return allowed
    }

    /// The request-level condition keys: everything that comes from the input rather than from the key.
    static func requestConditions(_ input: JSONValue, _ context: RequestContext) -> [String: [String]] {
        var keys: [String: [String]] = [:]
        for member in ["EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext"] {
            guard let pairs = input[member]?.objectValue else { continue }
            for (name, value) in pairs {
                if let text = value.stringValue { keys["kms:EncryptionContext:\(name)", default: []].append(text) }
            }
            keys["kms:EncryptionContextKeys", default: []].append(contentsOf: pairs.keys)
        }
        let single: [(String, String)] = [
            ("EncryptionAlgorithm", "kms:EncryptionAlgorithm"), ("SigningAlgorithm", "kms:SigningAlgorithm"),
            ("MacAlgorithm", "kms:MacAlgorithm"), ("MessageType", "kms:MessageType"),
            ("KeyAgreementAlgorithm", "kms:KeyAgreementAlgorithm"), ("KeyPairSpec", "kms:DataKeyPairSpec"),
            ("GranteePrincipal", "kms:GranteePrincipal"), ("RetiringPrincipal", "kms:RetiringPrincipal"),
            ("WrappingAlgorithm", "kms:WrappingAlgorithm"), ("WrappingKeySpec", "kms:WrappingKeySpec"),
            ("ExpirationModel", "kms:ExpirationModel"), ("ReplicaRegion", "kms:ReplicaRegion"),
            ("PrimaryRegion", "kms:PrimaryRegion"), ("KeySpec", "kms:KeySpec"), ("KeyUsage", "kms:KeyUsage"),
            ("Origin", "kms:KeyOrigin"),
        ]
        for (member, key) in single {
            if let value = input[member]?.stringValue { keys[key] = [value] }
        }
        if let days = input["RotationPeriodInDays"]?.intValue { keys["kms:RotationPeriodInDays"] = [String(days)] }
        if let bypass = input["BypassPolicyLockoutSafetyCheck"]?.boolValue {
            keys["kms:BypassPolicyLockoutSafetyCheck"] = [String(bypass)]
        }
        if let operations = input["Operations"]?.arrayValue {
            keys["kms:GrantOperations"] = operations.compactMap(\.stringValue)
        }
        if let tags = input["Tags"]?.arrayValue {
            for tag in tags {
                guard let key = tag["TagKey"]?.stringValue else { continue }
                keys["aws:RequestTag/\(key)"] = [tag["TagValue"]?.stringValue ?? ""]
                keys["aws:TagKeys", default: []].append(key)
            }
        }
        if let removed = input["TagKeys"]?.arrayValue { keys["aws:TagKeys", default: []] += removed.compactMap(\.stringValue) }
        if let keyId = input["KeyId"]?.stringValue, keyId.hasPrefix("alias/") { keys["kms:RequestAlias"] = [keyId] }
        if let keyId = input["KeyId"]?.stringValue, keyId.contains(":alias/") {
            keys["kms:RequestAlias"] = [String(keyId[keyId.firstRange(of: ":alias/")!.lowerBound...].dropFirst())]
        }
        if let mu = input["MultiRegion"]?.boolValue { keys["kms:MultiRegion"] = [String(mu)] }
        if let days = input["PendingWindowInDays"]?.intValue { keys["kms:ScheduleKeyDeletionPendingWindowInDays"] = [String(days)] }
        if let validTo = input["ValidTo"]?.doubleValue, validTo.isFinite, abs(validTo) < 9e15 {
            keys["kms:ValidTo"] = [String(Int64(validTo))]
        }
        if context.operation == "CreateGrant" {
            // A grant an AWS service creates for itself arrives over the service bus.
            keys["kms:GrantIsForAWSResource"] = [String(!context.viaService.isEmpty)]
        }
        if context.operation == "ReEncrypt", let sameKey = RequestScope.reEncryptOnSameKey {
            keys["kms:ReEncryptOnSameKey"] = [String(sameKey)]
        }
        if !context.viaService.isEmpty {
            keys["kms:ViaService"] = ["\(context.viaService).\(context.region).amazonaws.com"]
        }
        keys["kms:CallerAccount"] = [context.accountId]
        return keys
    }

    /// The condition keys that describe the key itself.
    static func keyConditions(_ key: KmsKey, aliases: [String]) -> [String: [String]] {
        var keys: [String: [String]] = [
            "kms:KeySpec": [key.keySpec.rawValue], "kms:KeyUsage": [key.keyUsage.rawValue],
            "kms:KeyOrigin": [key.origin.rawValue], "kms:MultiRegion": [String(key.multiRegion)],
            "kms:CustomerMasterKeySpec": [key.keySpec.rawValue], "kms:CustomerMasterKeyUsage": [key.keyUsage.rawValue],
        ]
        if key.multiRegion {
            keys["kms:MultiRegionKeyType"] = [key.isMultiRegionPrimary ? "PRIMARY" : "REPLICA"]
        }
        if !aliases.isEmpty { keys["kms:ResourceAliases"] = aliases }
        for tag in key.tags { keys["aws:ResourceTag/\(tag.key)"] = [tag.value] }
        return keys
    }

    /// - Throws: AccessDeniedException in AWS's words when neither the key policy nor a grant allows it.
    func authorize(_ action: String, on key: KmsKey, aliases: [String], grants: [KmsGrant], context: RequestContext,
                   requestConditions: [String: [String]], input: JSONValue) throws(AWSError)
    {
        guard enforcing else { return }
        var conditions = Self.keyConditions(key, aliases: aliases)
        conditions.merge(requestConditions) { _, request in request }
        let request = AuthorizationRequest(principalArn: context.principalArn, principalAccount: context.accountId,
                                           action: "kms:\(action)", resourceArn: key.arn, conditionKeys: conditions)
        let decision: PolicyEvaluator.Decision
        do {
            decision = PolicyEvaluator.evaluate(try policies.document(for: key.policy), request)
        } catch {
            decision = .implicitDeny
        }
        switch decision {
        case .allow:
            return
        case .explicitDeny:
            throw AWSError("AccessDeniedException", "User: \(context.principalArn) is not authorized to perform: "
                + "kms:\(action) on resource: \(key.arn) with an explicit deny in a resource-based policy")
        case .implicitDeny:
            let grantOperation = action
            if grants.contains(where: { grant in
                Self.granteeMatches(grant.granteePrincipal, context.principalArn)
                    && grant.operations.contains(grantOperation) && grant.constraintsAllow(grantOperation, input: input)
            }) {
                return
            }
            throw Self.notAllowed(context.principalArn, action, key.arn)
        }
    }

    /// AccessDeniedException when nothing allows `principal` to do `action` on the key `arn`.
    static func notAllowed(_ principal: String, _ action: String, _ arn: String) -> AWSError {
        AWSError("AccessDeniedException", "User: \(principal) is not authorized to perform: kms:\(action) on resource: "
            + "\(arn) because no resource-based policy allows the kms:\(action) action")
    }

    /// A grant names its grantee as a principal ARN; an assumed-role session is covered by a grant to its role
    /// (the policy engine's `PrincipalArn` does the parsing, as it does for key policies).
    static func granteeMatches(_ grantee: String, _ caller: String) -> Bool {
        if PrincipalNames.same(grantee, caller) { return true }
        guard let session = PrincipalArn(caller), case .assumedRole(let role, _) = session.kind,
            let granted = PrincipalArn(grantee), case .role(let path) = granted.kind
        else { return false }
        return granted.account == session.account && path.split(separator: "/").last.map(String.init) == role
    }

}

/// Remembered answers of condition-free key policies. Keyed by the policy text itself, so a new policy never
/// meets an old answer; bounded, and emptied when full.
final class DecisionCache: Sendable {
    struct Key: Hashable, Sendable {
        var policy: String
        var principal: String
        var account: String
        var action: String
        /// The key, by the parts of its ARN: the ARN itself is built only when a decision is not known yet.
        var keyId: String
        var keyRegion: String
        var keyAccount: String

        /// Hashes everything but the policy: a key policy runs to hundreds of bytes, and hashing them cost more
        /// than the rest of the lookup on every request. Leaving it out keeps the hash consistent with `==` (which
        /// compares policies as Strings, Unicode-equivalent ones as equal); a key whose policy changed collides with
        /// its old entries, which `==` tells apart, for the policy a key keeps (the same string storage each time)
        /// by a pointer comparison.
        func hash(into hasher: inout Hasher) {
            hasher.combine(principal)
            hasher.combine(account)
            hasher.combine(action)
            hasher.combine(keyId)
            hasher.combine(keyRegion)
            hasher.combine(keyAccount)
        }
    }

    private let entries = LockedBox<[Key: Bool]>([:])

    func lookup(_ key: Key) -> Bool? { entries.withLock { $0[key] } }

    func store(_ key: Key, _ allowed: Bool) {
        entries.withLock { cache in
            if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
            cache[key] = allowed
        }
    }
}
