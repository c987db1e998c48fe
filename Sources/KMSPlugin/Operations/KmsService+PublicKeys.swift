import EmuPluginKit

extension KmsService {
    /// The DER SubjectPublicKeyInfo of an asymmetric key's current material.
    func publicKeyDER(_ key: KmsKey) throws(AWSError) -> [UInt8] {
        guard let material = key.currentMaterial?.material else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        switch material {
        case .asymmetric(let evp):
            do { return try evp.publicKeyDER() } catch {
                throw AWSError("KMSInternalException", "The public key could not be encoded.", status: 500)
            }
        case .postQuantum(let pq): return pq.publicKeyDER
        case .symmetric:
            throw AWSError("UnsupportedOperationException",
                           "\(key.arn) key spec is \(key.keySpec.rawValue), which has no public key.")
        }
    }

    func getPublicKey(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        guard key.keySpec.isAsymmetric else {
            throw AWSError("UnsupportedOperationException",
                           "\(key.arn) key spec is \(key.keySpec.rawValue), which has no public key.")
        }
        var output: [String: JSONValue] = [
            "KeyId": .string(key.arn), "PublicKey": .string(Base64.encode(try publicKeyDER(key))),
            "KeySpec": .string(key.keySpec.rawValue), "CustomerMasterKeySpec": .string(key.keySpec.rawValue),
            "KeyUsage": .string(key.keyUsage.rawValue),
        ]
        let metadata = keyMetadata(key)
        for member in ["EncryptionAlgorithms", "SigningAlgorithms", "KeyAgreementAlgorithms", "EncapsulationAlgorithms"] {
            if let value = metadata[member] { output[member] = value }
        }
        return .object(output)
    }
}
