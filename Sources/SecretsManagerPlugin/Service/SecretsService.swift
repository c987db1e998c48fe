import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The Secrets Manager plugin's operations over its state: every handler takes the caller and the validated JSON
/// input and returns the JSON output or throws AWS's error.
final class SecretsService: Sendable {
    let store = SecretStore()
    let cipher = SecretCipher()
    let validator = ShapeValidator(modelJSON: SecretsManagerServiceModel.json)
    /// One lock per replicated family (a primary and its replicas, keyed by the primary's store key), held outside
    /// the store's lock by whatever writes replicas or the primary's record of them, so that two such writers never
    /// interleave their read, KMS calls and write, while writes to other secrets go on.
    let replicationLocks = LockedBox<[String: LockedBox<Void>]>([:])

    var host: PluginHost {
        guard let host = PluginHost.current else {
            fatalError("the Secrets Manager plugin was used before its entry point ran")
        }
        return host
    }

    var now: Double { host.nowSeconds() }

    static let notFoundMessage = "Secrets Manager can't find the specified secret."
    static let markedForDeletionMessage =
        "You can't perform this operation on the secret because it was marked for deletion."

    typealias Operation = JSONOperation<SecretsService>

    /// The operations this plugin implements. Those that encrypt or decrypt call KMS, so they never run on the
    /// host's event loop; so do those that change a secret, whose replicas may need KMS in their Regions to catch
    /// up; the rest only touch memory. GetSecretValue is mutating: a read moves LastAccessedDate.
    static let operations: [Operation] = [
        Operation(name: "CreateSecret", nonBlocking: false, mutating: true) { try $0.createSecret($1, $2) },
        Operation(name: "GetSecretValue", nonBlocking: false, mutating: true) { try $0.getSecretValue($1, $2) },
        Operation(name: "BatchGetSecretValue", nonBlocking: false, mutating: true) {
            try $0.batchGetSecretValue($1, $2)
        },
        Operation(name: "PutSecretValue", nonBlocking: false, mutating: true) { try $0.putSecretValue($1, $2) },
        Operation(name: "UpdateSecret", nonBlocking: false, mutating: true) { try $0.updateSecret($1, $2) },
        Operation(name: "UpdateSecretVersionStage", nonBlocking: false, mutating: true) {
            try $0.updateSecretVersionStage($1, $2)
        },
        Operation(name: "DescribeSecret", nonBlocking: true, mutating: false) { try $0.describeSecret($1, $2) },
        Operation(name: "ListSecrets", nonBlocking: true, mutating: false) { try $0.listSecrets($1, $2) },
        Operation(name: "ListSecretVersionIds", nonBlocking: true, mutating: false) {
            try $0.listSecretVersionIds($1, $2)
        },
        Operation(name: "DeleteSecret", nonBlocking: false, mutating: true) { try $0.deleteSecret($1, $2) },
        Operation(name: "RestoreSecret", nonBlocking: false, mutating: true) { try $0.restoreSecret($1, $2) },
        Operation(name: "TagResource", nonBlocking: false, mutating: true) { try $0.tagResource($1, $2) },
        Operation(name: "UntagResource", nonBlocking: false, mutating: true) { try $0.untagResource($1, $2) },
        Operation(name: "GetRandomPassword", nonBlocking: true, mutating: false) { try $0.getRandomPassword($1, $2) },
        Operation(name: "PutResourcePolicy", nonBlocking: false, mutating: true) { try $0.putResourcePolicy($1, $2) },
        Operation(name: "GetResourcePolicy", nonBlocking: true, mutating: false) { try $0.getResourcePolicy($1, $2) },
        Operation(name: "ListResourcePolicies", nonBlocking: true, mutating: false) {
            try $0.listResourcePolicies($1, $2)
        },
        Operation(name: "ValidateResourcePolicy", nonBlocking: true, mutating: false) {
            try $0.validateResourcePolicy($1, $2)
        },
        Operation(name: "DeleteResourcePolicy", nonBlocking: false, mutating: true) {
            try $0.deleteResourcePolicy($1, $2)
        },
        Operation(name: "ReplicateSecretToRegions", nonBlocking: false, mutating: true) {
            try $0.replicateSecretToRegions($1, $2)
        },
        Operation(name: "RemoveRegionsFromReplication", nonBlocking: false, mutating: true) {
            try $0.removeRegionsFromReplication($1, $2)
        },
        Operation(name: "StopReplicationToReplica", nonBlocking: false, mutating: true) {
            try $0.stopReplicationToReplica($1, $2)
        },
    ]

    /// Parses and validates the body against AWS's model, then runs the operation: the path every request takes.
    func handle(_ operation: Operation, _ context: RequestContext, _ body: UnsafeRawBufferPointer) throws
        -> OperationOutput
    {
        let input = try JSONValue.parse(body)
        try validator.validate(operation.name, input)
        return .json(try operation.handler(self, context, input))
    }

    // MARK: - Finding secrets

    /// Finds the secret a `SecretId` names: a name, a full ARN, or a partial ARN without the random suffix.
    /// - Parameter forValue: the caller reads or writes the value; a secret of another account under the AWS
    ///   managed key cannot be used that way, as in AWS (the managed key's policy is for its own account only).
    /// - Parameter forWrite: the caller changes the secret, which a replica refuses (in AWS's words, before any other
    ///   work); `modify` checks again under the store's lock.
    /// - Throws: ValidationException for a name with characters AWS never accepts; ResourceNotFoundException.
    func resolve(_ secretId: String, _ context: RequestContext, forValue: Bool = false, forWrite: Bool = false)
        throws(AWSError) -> Secret
    {
        let found: Secret?
        switch SecretNames.reference(secretId) {
        case .name(let name):
            guard SecretNames.isValidLookupName(name) else { throw AWSError.validation(SecretNames.invalidNameMessage) }
            found = store.secret(account: context.accountId, region: context.region, name: name)
        case .arn(let region, let account, let rest):
            guard region == context.region else { throw AWSError("ResourceNotFoundException", Self.notFoundMessage) }
            let candidates = store.secrets(account: account, region: region)
            found = candidates.first { $0.arn == secretId } ?? candidates.first { $0.name == rest }
        case .malformedArn:
            found = nil
        }
        guard let secret = found else { throw AWSError("ResourceNotFoundException", Self.notFoundMessage) }
        if forValue, secret.accountId != context.accountId, secret.kmsKeyId == nil {
            throw AWSError("InvalidRequestException", "You can't access a secret from a different AWS account if you "
                + "encrypt the secret with the default KMS service key.")
        }
        if forWrite { try requireNotReplica(secret) }
        return secret
    }

    /// Applies `change` to the stored secret, which must still be the one `secret` was read from (same ARN: a
    /// secret deleted and re-created in between is another secret). A change is refused on a replica, and carried
    /// to the replicas of a primary.
    /// - Parameter isChange: false for what only records a read (LastAccessedDate), which is no change to the secret.
    @discardableResult
    func modify<R>(_ secret: Secret, _ context: RequestContext, isChange: Bool = true,
                   _ change: (inout Secret) throws(AWSError) -> R) throws(AWSError) -> R
    {
        var changed = false
        let result = try store.update(context, key: SecretStore.key(of: secret)) { stored throws(AWSError) in
            guard var current = stored, current.arn == secret.arn else {
                throw AWSError("ResourceNotFoundException", Self.notFoundMessage)
            }
            if isChange { try requireNotReplica(current) }
            let before = current
            let result = try change(&current)
            // "The last date and time that this secret was modified in any way": tags, policies, deletion and
            // restoring too, not only values and settings; a call that changed nothing leaves it.
            changed = current != before
            if isChange, changed { current.lastChangedDate = now }
            stored = current
            return result
        }
        if isChange, changed { syncReplicas(of: secret, context) }
        return result
    }

    func requireNotDeleted(_ secret: Secret) throws(AWSError) {
        if secret.isScheduledForDeletion {
            throw AWSError("InvalidRequestException", Self.markedForDeletionMessage)
        }
    }

    // MARK: - Input helpers

    func string(_ input: JSONValue, _ member: String) -> String? { input[member]?.stringValue }

    /// The secret value a request carries, with AWS's rule that a version holds a string or a binary, not both.
    /// - Returns: nil when the request has neither.
    func secretValue(_ input: JSONValue) throws(AWSError) -> (bytes: [UInt8], kind: EncryptedValue.Kind)? {
        let text = string(input, "SecretString")
        let binary = string(input, "SecretBinary").flatMap(Base64.decode)
        switch (text, binary) {
        case (.some, .some):
            throw AWSError("InvalidParameterException",
                           "You can't specify both a binary secret value and a string secret value in the same secret.")
        case (.some(let text), nil): return (Array(text.utf8), .string)
        case (nil, .some(let bytes)): return (bytes, .binary)
        case (nil, nil): return nil
        }
    }

    /// The version id a value-creating request asks for: its ClientRequestToken. The SDKs and the CLI always fill
    /// it in; a raw request must, as AWS documents.
    func clientRequestToken(_ input: JSONValue) throws(AWSError) -> String {
        guard let token = string(input, "ClientRequestToken") else {
            throw AWSError("InvalidRequestException",
                           "You must provide a ClientRequestToken value. We recommend a UUID-type value.")
        }
        return token
    }

    /// Midnight UTC of `seconds`: AWS keeps LastAccessedDate to the day.
    static func day(_ seconds: Double) -> Double { (seconds / 86400).rounded(.down) * 86400 }
}
