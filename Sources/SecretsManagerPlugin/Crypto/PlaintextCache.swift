import EmuPluginKit

/// The primary's version values, decrypted at most once for one replication pass however many Regions need them
/// (each KMS Decrypt is a bus call), and wiped when the pass ends.
final class PlaintextCache {
    private let primary: Secret
    private let cipher: SecretCipher
    private let context: RequestContext
    private var values: [String: [UInt8]] = [:]

    init(primary: Secret, cipher: SecretCipher, context: RequestContext) {
        self.primary = primary
        self.cipher = cipher
        self.context = context
    }

    /// The plaintext of the primary's version `version`.
    func value(of version: SecretVersion) throws(AWSError) -> [UInt8] {
        if let known = values[version.versionId] { return known }
        let opened = try cipher.open(version.value, arn: primary.arn, versionId: version.versionId, context)
        values[version.versionId] = opened
        return opened
    }

    func wipe() {
        for key in values.keys {
            values[key]?.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = 0 }
            }
        }
        values.removeAll()
    }
}
