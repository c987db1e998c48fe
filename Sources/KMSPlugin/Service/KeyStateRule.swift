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
        switch self {
        case .any:
            return
        case .cryptographic:
            switch key.state {
            case .enabled, .updating: return
            case .disabled: throw AWSError("DisabledException", "\(key.arn) is disabled.")
            case .pendingDeletion, .pendingReplicaDeletion:
                throw AWSError("KMSInvalidStateException", "\(key.arn) is pending deletion.")
            case .pendingImport: throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
            case .unavailable: throw AWSError("KMSInvalidStateException", "\(key.arn) is unavailable.")
            case .creating: throw AWSError("KMSInvalidStateException", "\(key.arn) is creating.")
            }
        case .enableDisable, .management:
            switch key.state {
            case .pendingDeletion, .pendingReplicaDeletion:
                throw AWSError("KMSInvalidStateException", "\(key.arn) is pending deletion.")
            case .unavailable where self == .enableDisable:
                throw AWSError("KMSInvalidStateException", "\(key.arn) is unavailable.")
            // ReplicateKey: "While the key state is Creating, you can manage key, but you cannot yet use it in
            // cryptographic operations."
            case .creating where self == .enableDisable: throw AWSError("KMSInvalidStateException", "\(key.arn) is creating.")
            // multi-region-update: while Updating "you cannot … perform certain management operations, such as
            // enabling or disabling these keys."
            case .updating where self == .enableDisable: throw AWSError("KMSInvalidStateException", "\(key.arn) is updating.")
            case .pendingImport where self == .enableDisable:
                throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
            default: return
            }
        }
    }
}
