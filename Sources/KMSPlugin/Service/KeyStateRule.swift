import EmuPluginKit

/// Which key states an operation accepts, from AWS's key-state table, and the error each other state gets.
enum KeyStateRule {
    /// Encrypt, Decrypt, GenerateDataKey*, Sign, Verify, GenerateMac, …: only an enabled key (or one whose
    /// multi-Region primary is being updated).
    case cryptographic
    /// EnableKey and DisableKey.
    case enableDisable
    /// UpdateKeyDescription, TagResource, UntagResource, CreateAlias, ScheduleKeyDeletion: any state but
    /// pending deletion.
    case management
    /// DescribeKey, GetKeyPolicy, List*: any state.
    case any

    /// The ARN is spelled only in the errors: on the path every request takes, building it was an allocation.
    func check(_ key: KmsKey) throws(AWSError) {
        guard !accepts(key.state) else { return }
        if key.state == .disabled { throw AWSError("DisabledException", "\(key.arn) is disabled.") }
        throw AWSError("KMSInvalidStateException", "\(key.arn) is \(Self.described(key.state)).")
    }

    private func accepts(_ state: KeyState) -> Bool {
        switch self {
        case .any: return true
        case .cryptographic: return state == .enabled || state == .updating
        case .management: return !state.isPendingDeletion
        case .enableDisable:
            switch state {
            // ReplicateKey: "While the key state is Creating, you can manage key, but you cannot yet use it in
            // cryptographic operations." multi-region-update: while Updating "you cannot … perform certain
            // management operations, such as enabling or disabling these keys."
            case .pendingDeletion, .pendingReplicaDeletion, .unavailable, .creating, .updating, .pendingImport: return false
            case .enabled, .disabled: return true
            }
        }
    }

    /// The state as AWS's messages word it (`… is pending deletion.`).
    private static func described(_ state: KeyState) -> String {
        switch state {
        case .pendingDeletion, .pendingReplicaDeletion: "pending deletion"
        case .pendingImport: "pending import"
        case .creating: "creating"
        case .enabled: "enabled"
        case .disabled: "disabled"
        case .unavailable: "unavailable"
        case .updating: "updating"
        }
    }
}
