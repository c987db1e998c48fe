import EmuPluginKit

extension KmsService {
    func deriveSharedSecret(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        guard key.keyUsage == .keyAgreement else {
            throw AWSError("InvalidKeyUsageException",
                           "\(key.arn) key usage is \(key.keyUsage.rawValue) which is not valid for DeriveSharedSecret.")
        }
        guard case .asymmetric(let evp)? = key.currentMaterial?.material else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        // A peer key that does not parse, or is on another curve, is a ValidationException with no message.
        guard let peer = try? EVPKey.fromPublicKeyDER(try input.requiredBlob("PublicKey")),
            let secret = try? evp.deriveSharedSecret(peer: peer)
        else { throw AWSError.validation("") }
        try dryRunCheck(input)
        return ["KeyId": .string(key.arn), "SharedSecret": .string(Base64.encode(secret)),
                "KeyAgreementAlgorithm": "ECDH", "KeyOrigin": .string(key.origin.rawValue)]
    }

    private func kemKey(_ context: RequestContext, _ input: JSONValue, operation: String) throws(AWSError)
        -> (KmsKey, PostQuantumKey)
    {
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        guard key.keyUsage == .encapsulateDecapsulate, case .postQuantum(let pq)? = key.currentMaterial?.material else {
            throw AWSError("InvalidKeyUsageException",
                           "\(key.arn) key usage is \(key.keyUsage.rawValue) which is not valid for \(operation).")
        }
        return (key, pq)
    }

    func encapsulate(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let (key, pq) = try kemKey(context, input, operation: "Encapsulate")
        let result: (sharedSecret: [UInt8], ciphertext: [UInt8])
        do { result = try pq.encapsulate() } catch {
            throw AWSError("KMSInternalException", "Encapsulation failed.", status: 500)
        }
        try dryRunCheck(input)
        return ["KeyId": .string(key.arn), "SharedSecret": .string(Base64.encode(result.sharedSecret)),
                "SharedSecretCiphertextBlob": .string(Base64.encode(result.ciphertext)), "EncapsulationAlgorithm": "ML_KEM"]
    }

    func decapsulate(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let (key, pq) = try kemKey(context, input, operation: "Decapsulate")
        guard let secret = pq.decapsulate(try input.requiredBlob("SharedSecretCiphertextBlob")) else {
            throw AWSError("InvalidCiphertextException")
        }
        try dryRunCheck(input)
        return ["KeyId": .string(key.arn), "SharedSecret": .string(Base64.encode(secret)), "EncapsulationAlgorithm": "ML_KEM"]
    }
}
