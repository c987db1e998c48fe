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

    /// Operations that take an encryption context; grant constraints apply only to these.
    static let contextOperations: Set<String> = [
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "CreateGrant", "RetireGrant",
    ]

    /// Whether a request's encryption context satisfies the grant's constraint: keys compare
    /// case-insensitively, values case-sensitively, as AWS documents.
    func allows(context: [String: String]) -> Bool {
        func lowered(_ pairs: [String: String]) -> [String: String] {
            Dictionary(pairs.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        let request = lowered(context)
        if let equals = contextEquals { return lowered(equals) == request }
        if let subset = contextSubset { return lowered(subset).allSatisfy { request[$0.key] == $0.value } }
        return true
    }

    var sameParameters: (String, String?, [String], [String: String]?, [String: String]?) {
        (granteePrincipal, retiringPrincipal, operations.sorted(), contextSubset, contextEquals)
    }
}
