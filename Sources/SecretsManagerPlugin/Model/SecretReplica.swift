/// One Region a primary secret is replicated to, as the primary keeps it and DescribeSecret's ReplicationStatus
/// answers it. The replica itself is a secret of its own in that Region, read-only, kept in step with the primary.
struct SecretReplica: Sendable, Codable, Equatable {
    var region: String
    /// The KmsKeyId asked for in that Region; nil means the AWS managed key there.
    var kmsKeyId: String?
    /// "InSync", or "Failed" when a secret of the same name was in the way and no overwrite was asked for.
    var status: String
    var statusMessage: String

    static let inSync = "InSync"
    static let failed = "Failed"
}
