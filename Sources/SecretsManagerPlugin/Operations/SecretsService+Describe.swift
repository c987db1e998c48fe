import EmuPluginKit

extension SecretsService {
    /// A secret's metadata as DescribeSecret and ListSecrets answer it. Members AWS omits when empty (Description,
    /// KmsKeyId for the AWS managed key, Tags, LastAccessedDate, DeletedDate) are omitted here too.
    /// - Parameter versionsMember: `VersionIdsToStages` (DescribeSecret) or `SecretVersionsToStages` (ListSecrets).
    func metadata(_ secret: Secret, versionsMember: String) -> [String: JSONValue] {
        var output: [String: JSONValue] = [
            "ARN": .string(secret.arn), "Name": .string(secret.name), "CreatedDate": .double(secret.createdDate),
            "LastChangedDate": .double(secret.lastChangedDate),
        ]
        if let description = secret.description, !description.isEmpty { output["Description"] = .string(description) }
        if let keyId = secret.kmsKeyId { output["KmsKeyId"] = .string(keyId) }
        if let accessed = secret.lastAccessedDate { output["LastAccessedDate"] = .double(accessed) }
        if let deleted = secret.deletedDate { output["DeletedDate"] = .double(deleted) }
        // A secret that had tags and lost them all answers an empty list; one never tagged, none (as AWS does).
        if !secret.tags.isEmpty || secret.hasBeenTagged == true {
            output["Tags"] = .array(secret.tags.map { ["Key": .string($0.key), "Value": .string($0.value)] })
        }
        if !secret.versions.isEmpty { output[versionsMember] = secret.versionIdsToStages }
        if let primaryRegion = secret.replicationPrimaryRegion { output["PrimaryRegion"] = .string(primaryRegion) }
        return output
    }

    func describeSecret(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        var output = metadata(secret, versionsMember: "VersionIdsToStages")
        if !secret.replicaRegions.isEmpty { output["ReplicationStatus"] = replicationStatus(secret) }
        return .object(output)
    }

    func listSecrets(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let filter = try SecretFilter(input["Filters"])
        let includeDeleted = input["IncludePlannedDeletion"]?.boolValue ?? false
        let descending = (string(input, "SortOrder") ?? "desc") == "desc"
        let sortKey: (Secret) -> String
        switch string(input, "SortBy") ?? "created-date" {
        case "name": sortKey = { $0.name }
        case "last-changed-date": sortKey = { Self.sortable($0.lastChangedDate) }
        case "last-accessed-date": sortKey = { Self.sortable($0.lastAccessedDate ?? 0) }
        default: sortKey = { Self.sortable($0.createdDate) }
        }
        let secrets = store.secrets(account: context.accountId, region: context.region)
            .filter { (includeDeleted || !$0.isScheduledForDeletion) && filter.matches($0) }
            .sorted { a, b in
                let (ka, kb) = (sortKey(a), sortKey(b))
                if ka != kb { return descending ? ka > kb : ka < kb }
                // Equal keys (dates in one millisecond) list in the order the secrets were made.
                let (sa, sb) = (a.creationSequence ?? 0, b.creationSequence ?? 0)
                if sa != sb { return descending ? sa > sb : sa < sb }
                return descending ? a.arn > b.arn : a.arn < b.arn
            }
        let page = try Page(secrets, maxResults: input["MaxResults"]?.intValue, defaultSize: 100,
                            token: string(input, "NextToken"))
        var output: [String: JSONValue] = [
            "SecretList": .array(page.items.map { .object(metadata($0, versionsMember: "SecretVersionsToStages")) }),
        ]
        if let next = page.nextToken { output["NextToken"] = .string(next) }
        return .object(output)
    }

    /// A date as a string that sorts like the number (fixed width, milliseconds).
    private static func sortable(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded())
        let digits = String(millis)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    func listSecretVersionIds(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context)
        try requireNotDeleted(secret)
        let includeDeprecated = input["IncludeDeprecated"]?.boolValue ?? false
        let versions = secret.versions.enumerated()
            .filter { includeDeprecated || !$0.element.isDeprecated }
            .sorted { ($0.element.createdDate, $0.offset) > ($1.element.createdDate, $1.offset) }
            .map(\.element)
        let page = try Page(versions, maxResults: input["MaxResults"]?.intValue, defaultSize: 100,
                            token: string(input, "NextToken"))
        let entries: [JSONValue] = page.items.map { version in
            var entry: [String: JSONValue] = ["VersionId": .string(version.versionId),
                                              "CreatedDate": .double(version.createdDate),
                                              "KmsKeyIds": .array([.string(version.value.listedKeyId)])]
            if !version.stages.isEmpty { entry["VersionStages"] = .array(version.stages.map { .string($0) }) }
            if let accessed = version.lastAccessedDate { entry["LastAccessedDate"] = .double(accessed) }
            return .object(entry)
        }
        var output: [String: JSONValue] = ["ARN": .string(secret.arn), "Name": .string(secret.name),
                                           "Versions": .array(entries)]
        if let next = page.nextToken { output["NextToken"] = .string(next) }
        return .object(output)
    }
}
