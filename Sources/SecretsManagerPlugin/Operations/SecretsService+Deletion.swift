import EmuPluginKit

extension SecretsService {
    static let defaultRecoveryWindowDays: Int64 = 30

    func deleteSecret(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secretId = try input.requiredString("SecretId")
        let window = input["RecoveryWindowInDays"]?.intValue
        let force = input["ForceDeleteWithoutRecovery"]?.boolValue ?? false
        if let window, !(7...30).contains(window) {
            throw AWSError("InvalidParameterException",
                           "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
        }
        if window != nil, force {
            throw AWSError("InvalidParameterException",
                           "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
        }
        let now = self.now
        let secret: Secret
        do {
            secret = try resolve(secretId, context, forWrite: true)
        } catch where force && error.code == "ResourceNotFoundException" && !secretId.hasPrefix("arn:") {
            // AWS answers a forced deletion of a secret that does not exist as if it had deleted it: the call is
            // idempotent, so a retried forced deletion does not fail.
            let arn = SecretNames.newArn(name: secretId, account: context.accountId, region: context.region)
            return ["ARN": .string(arn), "Name": .string(secretId), "DeletionDate": .double(now)]
        }
        // A replica goes with RemoveRegionsFromReplication, from its primary (resolve refuses it); a primary only
        // once it has none, checked under the store's lock, where a replication may have begun meanwhile.
        if force {
            try store.update(context, key: SecretStore.key(of: secret)) { stored throws(AWSError) in
                guard let current = stored, current.arn == secret.arn else {
                    throw AWSError("ResourceNotFoundException", Self.notFoundMessage)
                }
                try Self.requireNoReplicas(current)
                stored = nil
            }
            return ["ARN": .string(secret.arn), "Name": .string(secret.name), "DeletionDate": .double(now)]
        }
        let deletionDate = now + Double((window ?? Self.defaultRecoveryWindowDays) * 86400)
        try modify(secret, context) { stored throws(AWSError) in
            try Self.requireNoReplicas(stored)
            if stored.isScheduledForDeletion {
                throw AWSError("InvalidRequestException",
                               "You tried to perform the operation on a secret that's currently marked deleted.")
            }
            stored.deletedDate = now
            stored.deletionDate = deletionDate
        }
        return ["ARN": .string(secret.arn), "Name": .string(secret.name), "DeletionDate": .double(deletionDate)]
    }

    private static func requireNoReplicas(_ secret: Secret) throws(AWSError) {
        guard !secret.replicaRegions.isEmpty else { return }
        throw AWSError("InvalidParameterException", "You can't delete secret \(secret.arn) that still has replica "
            + "regions [\(secret.replicaRegions.sorted().joined(separator: ", "))].")
    }

    func restoreSecret(_ context: RequestContext, _ input: JSONValue) throws(AWSError) -> JSONValue {
        let secret = try resolve(try input.requiredString("SecretId"), context, forWrite: true)
        try modify(secret, context) { stored in
            stored.deletedDate = nil
            stored.deletionDate = nil
        }
        return ["ARN": .string(secret.arn), "Name": .string(secret.name)]
    }

    /// Deletes for good every secret whose recovery window has ended on the host clock. Runs on the host's tick
    /// (every TICK_SECONDS, and right after POST /_emu/clock), within the tick's context, so the deletions are
    /// persisted like any request's changes.
    func tick(_ context: RequestContext) {
        let now = self.now
        for secret in store.dueForDeletion(at: now) {
            do {
                try store.update(context, key: SecretStore.key(of: secret)) { stored throws(AWSError) in
                    // Restored or replaced in the meantime: not ours to delete.
                    guard let current = stored, current.arn == secret.arn, let due = current.deletionDate,
                        due <= now
                    else { return }
                    stored = nil
                }
            } catch {
                host.error("secret \(secret.arn) could not be deleted at the end of its recovery window: "
                    + error.message)
            }
        }
    }
}
