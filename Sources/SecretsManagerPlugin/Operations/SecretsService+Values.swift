import EmuPluginKit

extension SecretsService {
    func getSecretValue(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forValue: true)
        try requireNotDeleted(secret)
        let version = try selectVersion(secret, versionId: string(input, "VersionId"),
                                        stage: string(input, "VersionStage"))
        return try readVersion(version, of: secret, context)
    }

    /// The version GetSecretValue reads: by id (checked against the stage when both are given), else by stage,
    /// AWSCURRENT by default.
    func selectVersion(_ secret: Secret, versionId: String?, stage: String?) throws(AWSError) -> SecretVersion {
        if let versionId {
            guard let version = secret.version(id: versionId) else {
                throw AWSError("ResourceNotFoundException",
                               "Secrets Manager can't find the specified secret value for VersionId: \(versionId)")
            }
            if let stage, !version.stages.contains(stage) {
                throw AWSError("InvalidRequestException",
                               "You provided a VersionStage that is not associated to the provided VersionId.")
            }
            return version
        }
        let stage = stage ?? SecretVersion.current
        guard let version = secret.version(stage: stage) else {
            throw AWSError("ResourceNotFoundException",
                           "Secrets Manager can't find the specified secret value for staging label: \(stage)")
        }
        return version
    }

    func batchGetSecretValue(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let ids = input["SecretIdList"]?.arrayValue?.compactMap(\.stringValue)
        let filters = input["Filters"]
        guard (ids == nil) != (filters == nil) else {
            throw AWSError("InvalidParameterException",
                           "Either 'SecretIdList' or 'Filters' must be provided, but not both.")
        }
        var values: [JSONValue] = []
        var errors: [JSONValue] = []
        func read(_ secretId: String, _ body: () throws(AWSError) -> JSONValue) {
            do {
                values.append(try body())
            } catch {
                errors.append(["SecretId": .string(secretId), "ErrorCode": .string(error.code),
                               "Message": .string(error.message)])
            }
        }
        if let ids {
            if input["MaxResults"] != nil {
                throw AWSError("InvalidParameterException", "'Filters' not specified. 'Filters' must also be "
                    + "specified when 'MaxResults' is provided.")
            }
            for secretId in ids {
                read(secretId) { () throws(AWSError) -> JSONValue in
                    let secret = try resolve(secretId, context, forValue: true)
                    try requireNotDeleted(secret)
                    return try readVersion(try selectVersion(secret, versionId: nil, stage: nil), of: secret, context)
                }
            }
            return ["SecretValues": .array(values), "Errors": .array(errors)]
        }
        let filter = try SecretFilter(filters)
        let matching = store.secrets(account: context.accountId, region: context.region)
            .filter { !$0.isScheduledForDeletion && filter.matches($0) }
            // Secrets made in one millisecond (the host clock's resolution) in the order they were made.
            .sorted {
                ($0.createdDate, $0.creationSequence ?? 0, $0.name) < ($1.createdDate, $1.creationSequence ?? 0, $1.name)
            }
        let page = try Page(matching, maxResults: input["MaxResults"]?.intValue, defaultSize: 20,
                            token: string(input, "NextToken"))
        for secret in page.items {
            read(secret.name) { () throws(AWSError) -> JSONValue in
                try readVersion(try selectVersion(secret, versionId: nil, stage: nil), of: secret, context)
            }
        }
        var output: [String: JSONValue] = ["SecretValues": .array(values), "Errors": .array(errors)]
        if let next = page.nextToken { output["NextToken"] = .string(next) }
        return .object(output)
    }

    func putSecretValue(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        // The token is checked before the secret is looked up, as AWS answers a missing one first.
        let token = try clientRequestToken(input)
        let secret = try resolve(try input.requiredString("SecretId"), context, forValue: true, forWrite: true)
        try requireNotDeleted(secret)
        guard let value = try secretValue(input) else {
            throw AWSError("InvalidRequestException", "You must provide either SecretString or SecretBinary.")
        }
        var stages: [String] = []
        for stage in input["VersionStages"]?.arrayValue?.compactMap(\.stringValue) ?? [SecretVersion.current]
        where !stages.contains(stage) {
            stages.append(stage)
        }
        var output: [String: JSONValue] = ["ARN": .string(secret.arn), "Name": .string(secret.name),
                                           "VersionId": .string(token)]
        if let existing = try retriedVersion(token: token, value: value, secret: secret, context) {
            output["VersionStages"] = .array(existing.stages.map { .string($0) })
            return .object(output)
        }
        let version = try makeVersion(value, versionId: token, stages: stages, secret: secret,
                                      keyId: secret.effectiveKmsKeyId, context)
        let finalStages = try modify(secret, context) { stored throws(AWSError) -> [String] in
            try requireNotDeleted(stored)
            guard stored.version(id: token) == nil else {
                throw AWSError("ResourceExistsException",
                               "You can't modify an existing version, you can only create new versions.")
            }
            stored.addVersion(version)
            return stored.version(id: token)?.stages ?? stages
        }
        output["VersionStages"] = .array(finalStages.map { .string($0) })
        return .object(output)
    }
}
