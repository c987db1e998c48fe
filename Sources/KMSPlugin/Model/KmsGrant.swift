import EmuPluginKit

/// A grant: permission for a grantee principal to use one key for some operations, optionally only with a
/// matching encryption context.
struct KmsGrant: Sendable, Equatable {
    var grantId: String
    var keyId: String
    var name: String?
    var creationDate: Double
    var granteePrincipal: String
    var retiringPrincipal: String?
    /// `arn:aws:iam::<account>:root` of the account that created the grant.
    var issuingAccount: String
    var operations: [String]
    /// EncryptionContextSubset: the request's context must contain these pairs.
    var contextSubset: [String: String]?
    /// EncryptionContextEquals: the request's context must be exactly these pairs.
    var contextEquals: [String: String]?

    /// The 17 operations a grant can allow.
    static let grantableOperations: [String] = [
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
        "Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
    ]

    /// Operations every key supports in a grant, whatever its type; an encryption context constraint does not apply
    /// to DescribeKey and RetireGrant (AWS's GrantConstraints documentation).
    static let managementOperations: Set<String> = ["CreateGrant", "RetireGrant", "DescribeKey"]

    /// The grant operations `key` supports ("you cannot create a grant for a symmetric encryption KMS key that
    /// allows the Sign operation", CreateGrant's Operations documentation).
    static func supportedOperations(for key: KmsKey) -> Set<String> {
        var operations = managementOperations
        switch key.keyUsage {
        case .encryptDecrypt where !key.keySpec.isAsymmetric:
            operations.formUnion(["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                                  "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair",
                                  "GenerateDataKeyPairWithoutPlaintext"])
        case .encryptDecrypt: operations.formUnion(["Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"])
        case .signVerify: operations.formUnion(["Sign", "Verify", "GetPublicKey"])
        case .generateVerifyMac: operations.formUnion(["GenerateMac", "VerifyMac"])
        case .keyAgreement: operations.formUnion(["DeriveSharedSecret", "GetPublicKey"])
        case .encapsulateDecapsulate: operations.insert("GetPublicKey")
        }
        return operations
    }

    /// Whether the grant's constraints let `action` go ahead with the request `input`. The context checked is the
    /// one the action uses: ReEncryptFrom the source context, ReEncryptTo the destination one. A CreateGrant made
    /// through this grant may allow only this grant's operations, and its constraint must be as strict as this
    /// one's or stricter.
    func constraintsAllow(_ action: String, input: JSONValue) -> Bool {
        func pairs(_ member: String) -> [String: String] {
            input[member]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        }
        switch action {
        case "DescribeKey", "RetireGrant": return true
        case "ReEncryptFrom": return allows(context: pairs("SourceEncryptionContext"))
        case "ReEncryptTo": return allows(context: pairs("DestinationEncryptionContext"))
        case "CreateGrant":
            let childOperations = input["Operations"]?.arrayValue?.compactMap(\.stringValue) ?? []
            // A child with both constraints is not "as strict": CreateGrant refuses it anyway.
            guard childOperations.allSatisfy(operations.contains), let child = try? Self.constraints(in: input) else {
                return false
            }
            return isAtMostAsStrict(subset: child.subset, equals: child.equals)
        default: return allows(context: pairs("EncryptionContext"))
        }
    }

    /// Whether a child grant with these constraints is as strict as this grant or stricter: under Equals, the same
    /// pairs; under Subset, a Subset or Equals that contains every pair of this one.
    private func isAtMostAsStrict(subset: [String: String]?, equals: [String: String]?) -> Bool {
        if let mine = contextEquals { return equals.map { Self.lowered($0) == Self.lowered(mine) } ?? false }
        guard let mine = contextSubset else { return true }
        guard let theirs = equals ?? subset else { return false }
        let child = Self.lowered(theirs)
        return Self.lowered(mine).allSatisfy { child[$0.key] == $0.value }
    }

    /// A CreateGrant request's encryption context constraint, Subset or Equals (not both).
    static func constraints(in input: JSONValue) throws(AWSError)
        -> (subset: [String: String]?, equals: [String: String]?)
    {
        guard let constraints = input["Constraints"]?.objectValue else { return (nil, nil) }
        func pairs(_ value: JSONValue?) -> [String: String]? {
            value?.objectValue.map { $0.compactMapValues(\.stringValue) }
        }
        let subset = pairs(constraints["EncryptionContextSubset"])
        let equals = pairs(constraints["EncryptionContextEquals"])
        if subset != nil, equals != nil { throw AWSError.validation("More than one constraint supplied") }
        return (subset, equals)
    }

    /// Keys compare case-insensitively in a grant constraint, values case-sensitively.
    private static func lowered(_ pairs: [String: String]) -> [String: String] {
        Dictionary(pairs.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether a request's encryption context satisfies the grant's constraint: keys compare
    /// case-insensitively, values case-sensitively, as AWS documents.
    func allows(context: [String: String]) -> Bool {
        let request = Self.lowered(context)
        if let equals = contextEquals { return Self.lowered(equals) == request }
        if let subset = contextSubset { return Self.lowered(subset).allSatisfy { request[$0.key] == $0.value } }
        return true
    }

    var sameParameters: (String, String?, [String], [String: String]?, [String: String]?) {
        (granteePrincipal, retiringPrincipal, operations.sorted(), contextSubset, contextEquals)
    }
}
