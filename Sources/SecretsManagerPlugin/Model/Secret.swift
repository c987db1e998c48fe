import EmuPluginKit

/// One secret: its metadata and its versions, with the staging-label rules AWS applies when versions are added
/// and labels move.
///
/// A value type, so an operation works on a copy and the store swaps it in whole; persistence stores exactly
/// this shape (see `SecretRecord`), which holds no plaintext.
struct Secret: Sendable, Codable, Equatable {
    var name: String
    var arn: String
    var accountId: String
    var region: String
    var description: String?
    /// The KmsKeyId the caller gave (key id, key ARN, alias name or alias ARN); nil means the AWS managed key
    /// `alias/aws/secretsmanager`, and DescribeSecret then omits the member, as AWS does.
    var kmsKeyId: String?
    var tags: [SecretTag] = []
    /// Whether the secret has ever had a tag: DescribeSecret then answers `Tags`, empty once they are all removed.
    /// nil in records written before it was kept.
    var hasBeenTagged: Bool?
    var resourcePolicy: String?
    var createdDate: Double
    /// Where the secret stands in its store's order of creation. The host clock counts milliseconds, so secrets
    /// made in one millisecond share a CreatedDate; ListSecrets and BatchGetSecretValue order those by this, so
    /// they list in the order they were made. `SecretStore.update` gives it to a secret as it is stored; nil only
    /// in records written before it was kept (it counts as the lowest).
    var creationSequence: UInt64? = nil
    var lastChangedDate: Double
    var lastAccessedDate: Double?
    /// When DeleteSecret was called; nil for a secret that is not scheduled for deletion.
    var deletedDate: Double?
    /// When the recovery window ends and the secret is really deleted (on the host clock's tick).
    var deletionDate: Double?
    /// In creation order.
    var versions: [SecretVersion] = []
    /// On a replica: the Region of its primary, which alone may change it. nil for a secret that is no replica.
    var primaryRegion: String?
    /// On a primary: the Regions it is replicated to. nil or empty for a secret that is not replicated.
    var replicas: [SecretReplica]?

    var isReplica: Bool { primaryRegion != nil }
    /// The Region a replicated secret's primary is in (DescribeSecret's and ListSecrets' PrimaryRegion): a
    /// replica's primary's, a primary's own; nil for a secret that is not replicated.
    var replicationPrimaryRegion: String? { primaryRegion ?? (replicaRegions.isEmpty ? nil : region) }
    var replicaRegions: [String] { (replicas ?? []).map(\.region) }

    /// The ARN the same secret has in another Region: AWS keeps the name and the random suffix.
    func arn(in otherRegion: String) -> String {
        var parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6 else { return arn }
        parts[1] = SecretNames.partition(otherRegion)
        parts[3] = otherRegion
        return parts.joined(separator: ":")
    }

    /// AWS keeps at most this many versions older than a day; beyond it, the oldest deprecated ones go.
    static let maxVersions = 100

    var isScheduledForDeletion: Bool { deletedDate != nil }

    /// The key Secrets Manager asks KMS for: the secret's own, or the AWS managed key.
    var effectiveKmsKeyId: String { kmsKeyId ?? Self.managedKeyAlias }

    static let managedKeyAlias = "alias/aws/secretsmanager"

    /// Whether `keyId` names the AWS managed key by its alias or alias ARN.
    static func isManagedKeyAlias(_ keyId: String) -> Bool {
        keyId == managedKeyAlias || (keyId.hasPrefix("arn:") && keyId.hasSuffix(":" + managedKeyAlias))
    }

    /// What is kept as the secret's own key: nil for the AWS managed key, named or empty, which DescribeSecret
    /// leaves out ("If the secret is encrypted with the AWS managed key aws/secretsmanager, this field is omitted").
    static func customerKey(_ keyId: String) -> String? {
        keyId.isEmpty || keyId == managedKeyAlias ? nil : keyId
    }

    func version(id: String) -> SecretVersion? { versions.first { $0.versionId == id } }

    func version(stage: String) -> SecretVersion? { versions.first { $0.stages.contains(stage) } }

    /// Version ids to labels, without deprecated versions (DescribeSecret's `VersionIdsToStages`).
    var versionIdsToStages: JSONValue {
        var map: [String: JSONValue] = [:]
        for version in versions where !version.isDeprecated {
            map[version.versionId] = .array(version.stages.map { .string($0) })
        }
        return .object(map)
    }

    // MARK: Staging labels

    /// Adds a new version carrying `stages`, moving each label off the version that had it. A new AWSCURRENT
    /// pushes the old current version to AWSPREVIOUS (taking that label from whichever version had it); the
    /// first version of a secret is always AWSCURRENT.
    mutating func addVersion(_ version: SecretVersion) {
        var version = version
        if versions.allSatisfy(\.isDeprecated), !version.stages.contains(SecretVersion.current) {
            version.stages.append(SecretVersion.current)
        }
        let oldCurrent = self.version(stage: SecretVersion.current)?.versionId
        for stage in version.stages { detach(stage) }
        versions.append(version)
        if version.stages.contains(SecretVersion.current), let oldCurrent, oldCurrent != version.versionId {
            detach(SecretVersion.previous)
            attach(SecretVersion.previous, to: oldCurrent)
            // The version that was current keeps only AWSPREVIOUS of the rotation labels: an AWSPENDING it still
            // carried (a finished rotation leaves it there) goes, as AWS answered a recorded PutSecretValue.
            if let index = versions.firstIndex(where: { $0.versionId == oldCurrent }) {
                versions[index].stages.removeAll { $0 == SecretVersion.pending }
            }
        }
        pruneDeprecated()
    }

    /// Removes `stage` from every version.
    mutating func detach(_ stage: String) {
        for index in versions.indices { versions[index].stages.removeAll { $0 == stage } }
    }

    /// Adds `stage` to the version `versionId` (which must exist), once.
    mutating func attach(_ stage: String, to versionId: String) {
        guard let index = versions.firstIndex(where: { $0.versionId == versionId }),
            !versions[index].stages.contains(stage)
        else { return }
        versions[index].stages.append(stage)
    }

    /// AWS keeps 100 versions; when there are more, it removes the oldest deprecated ones, but never one created in
    /// the last 24 hours (measured from the version just added, which carries the host clock's now).
    private mutating func pruneDeprecated() {
        guard let newest = versions.last?.createdDate else { return }
        while versions.count > Self.maxVersions,
            let index = versions.firstIndex(where: { $0.isDeprecated && $0.createdDate <= newest - 86_400 })
        {
            versions.remove(at: index)
        }
    }

    /// Records a read on `versionId` and on the secret, to the day as AWS keeps it.
    /// - Returns: whether anything changed (only the first read of a day changes the record).
    mutating func recordAccess(versionId: String, day: Double) -> Bool {
        var changed = false
        if lastAccessedDate != day {
            lastAccessedDate = day
            changed = true
        }
        if let index = versions.firstIndex(where: { $0.versionId == versionId }),
            versions[index].lastAccessedDate != day
        {
            versions[index].lastAccessedDate = day
            changed = true
        }
        return changed
    }

    // MARK: Tags

    /// Adds or replaces tags by key, keeping first-added order.
    mutating func merge(tags new: [SecretTag]) {
        if !new.isEmpty { hasBeenTagged = true }
        for tag in new {
            if let index = tags.firstIndex(where: { $0.key == tag.key }) {
                tags[index].value = tag.value
            } else {
                tags.append(tag)
            }
        }
    }
}
