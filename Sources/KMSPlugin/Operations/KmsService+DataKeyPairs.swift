import EmuPluginKit

extension KmsService {
    /// GenerateDataKeyPair and its WithoutPlaintext twin: a fresh key pair whose PKCS#8 private key is
    /// encrypted under a symmetric KMS key with the encryption context.
    func generateDataKeyPair(_ context: RequestContext, _ input: JSONValue, withPlaintext: Bool) throws -> JSONValue {
        let operation = withPlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext"
        let specName = try input.requiredString("KeyPairSpec")
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        try requireSymmetricEncryption(key, operation: operation, algorithm: nil)
        guard let spec = KeySpec(rawValue: specName) else { throw AWSError.validation("Invalid KeyPairSpec \(specName)") }
        if spec == .sm2, !KmsArn.isChina(context.region) {
            throw AWSError("UnsupportedOperationException", "KeyPairSpec SM2 is supported only in China Regions.")
        }
        let material = try KeyMaterialFactory.generate(spec)
        let privateKey: [UInt8]
        let publicKey: [UInt8]
        do {
            switch material {
            case .asymmetric(let evp):
                privateKey = try evp.privateKeyPKCS8DER()
                publicKey = try evp.publicKeyDER()
            case .postQuantum(let pq):
                privateKey = pq.privateKeyPKCS8DER
                publicKey = pq.publicKeyDER
            case .symmetric:
                throw AWSError.validation("Invalid KeyPairSpec \(specName)")
            }
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError("KMSInternalException", "The key pair could not be encoded.", status: 500)
        }
        let (ciphertext, keyMaterial) = try sealSymmetric(privateKey, key: key, context: try encryptionContext(input))
        try dryRunCheck(input)
        var output: [String: JSONValue] = [
            "PrivateKeyCiphertextBlob": .string(Base64.encode(ciphertext)), "PublicKey": .string(Base64.encode(publicKey)),
            "KeyId": .string(key.arn), "KeyPairSpec": .string(specName), "KeyMaterialId": .string(keyMaterial.id),
        ]
        if withPlaintext { output["PrivateKeyPlaintext"] = .string(Base64.encode(privateKey)) }
        return .object(output)
    }
}
