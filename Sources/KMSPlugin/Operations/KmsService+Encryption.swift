import EmuCrypto
import EmuPluginKit

extension KmsService {
    /// Checks that `key` can do symmetric encryption with `algorithm`, in AWS's words when it cannot.
    func requireSymmetricEncryption(_ key: KmsKey, operation: String, algorithm: String?) throws(AWSError) {
        guard key.keyUsage == .encryptDecrypt else {
            throw AWSError("InvalidKeyUsageException",
                           "\(key.arn) key usage is \(key.keyUsage.rawValue) which is not valid for \(operation).")
        }
        guard key.keySpec == .symmetricDefault else {
            throw AWSError("InvalidKeyUsageException",
                           "\(key.arn) key spec is \(key.keySpec.rawValue) which is not valid for \(operation).")
        }
        if let algorithm, algorithm != "SYMMETRIC_DEFAULT" {
            throw AWSError("InvalidKeyUsageException",
                           "Algorithm \(algorithm) is incompatible with key spec \(key.keySpec.rawValue).")
        }
    }

    /// Encrypts under the key's current material and returns the blob bytes and the material used.
    func sealSymmetric(_ plaintext: [UInt8], key: KmsKey, context: [String: String]) throws(AWSError)
        -> (blob: [UInt8], material: KeyMaterialVersion)
    {
        guard let material = key.currentMaterial else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        var payload = plaintext
        if key.xksKeyId != nil {
            guard let request = RequestScope.current else { throw AWSError("KMSInvalidStateException", "\(key.arn) is unavailable.") }
            payload = try xksEncrypt(plaintext, key: key, context: request, aad: xksAAD(key, context))
        }
        do {
            return (try CiphertextBlob.seal(plaintext: payload, key: key, material: material, context: context),
                    material)
        } catch {
            host.error("symmetric encryption failed: \(error)")
            throw AWSError("KMSInternalException", "Encryption failed.", status: 500)
        }
    }

    /// What the external key store proxy authenticates with the outer layer: the key and the encryption context.
    func xksAAD(_ key: KmsKey, _ context: [String: String]) -> [UInt8] {
        Array(key.arn.utf8) + EncryptionContext.canonicalBytes(context)
    }

    func encrypt(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        let (ciphertext, algorithm, _) = try encryptAny(try input.requiredBlob("Plaintext"), key: key,
                                                        algorithm: string(input, "EncryptionAlgorithm"),
                                                        context: try encryptionContext(input), operation: "Encrypt")
        try dryRunCheck(input)
        return ["CiphertextBlob": .string(Base64.encode(ciphertext)), "KeyId": .string(key.arn),
                "EncryptionAlgorithm": .string(algorithm)]
    }

    /// Encrypts with a symmetric key (our blob) or an asymmetric one (raw RSA-OAEP or SM2 ciphertext).
    func encryptAny(_ plaintext: [UInt8], key: KmsKey, algorithm: String?, context: [String: String], operation: String)
        throws(AWSError) -> (ciphertext: [UInt8], algorithm: String, material: KeyMaterialVersion?)
    {
        if key.keySpec.isAsymmetric {
            guard key.keyUsage == .encryptDecrypt else {
                throw AWSError("InvalidKeyUsageException",
                               "\(key.arn) key usage is \(key.keyUsage.rawValue) which is not valid for \(operation).")
            }
            return (try encryptAsymmetric(key, plaintext: plaintext, algorithm: algorithm), algorithm!, nil)
        }
        try requireSymmetricEncryption(key, operation: operation, algorithm: algorithm)
        let (blob, material) = try sealSymmetric(plaintext, key: key, context: context)
        return (blob, "SYMMETRIC_DEFAULT", material)
    }

    /// Decrypts a symmetric blob, or, when the KeyId names an asymmetric key, a raw asymmetric ciphertext.
    func decryptAny(_ bytes: [UInt8], keyIdHint: String?, context: RequestContext, encryptionContext: [String: String],
                    algorithm: String?, operation: String) throws(AWSError)
        -> (plaintext: [UInt8], key: KmsKey, algorithm: String, material: KeyMaterialVersion?)
    {
        let action = operation == "ReEncrypt" ? "ReEncryptFrom" : "Decrypt"
        if let keyIdHint {
            let key = try findKey(keyIdHint, context, allowAlias: true)
            if key.keySpec.isAsymmetric {
                try authorize(action, on: key, context)
                try KeyStateRule.cryptographic.check(key)
                guard key.keyUsage == .encryptDecrypt else {
                    throw AWSError("InvalidKeyUsageException",
                                   "\(key.arn) key usage is \(key.keyUsage.rawValue) which is not valid for \(operation).")
                }
                return (try decryptAsymmetric(key, ciphertext: bytes, algorithm: algorithm), key, algorithm!, nil)
            }
        }
        let (plaintext, key, material) = try openSymmetric(bytes, keyIdHint: keyIdHint, context: context,
                                                           encryptionContext: encryptionContext, algorithm: algorithm,
                                                           operation: operation)
        return (plaintext, key, "SYMMETRIC_DEFAULT", material)
    }

    /// Opens a symmetric blob: finds the key it names (checking a KeyId the caller gave against it), the key
    /// state and the material version, then authenticates header, context and ciphertext together.
    func openSymmetric(_ bytes: [UInt8], keyIdHint: String?, context: RequestContext, encryptionContext: [String: String],
                       algorithm: String?, operation: String) throws(AWSError) -> (plaintext: [UInt8], key: KmsKey, material: KeyMaterialVersion)
    {
        guard let parsed = CiphertextBlob(parsing: bytes) else { throw AWSError("InvalidCiphertextException") }
        let named = try state.read(parsed.accountId, context.region) { $0.keys[parsed.keyId] }.map(withAvailability)
        if let keyIdHint {
            let requested = try findKey(keyIdHint, context, allowAlias: true)
            guard let named, requested.keyId == named.keyId, requested.accountId == named.accountId else {
                throw AWSError("IncorrectKeyException",
                               "The key ID in the request does not identify a CMK that can perform this operation.")
            }
        }
        guard let key = named else { throw AWSError("InvalidCiphertextException") }
        try authorize(operation == "ReEncrypt" ? "ReEncryptFrom" : "Decrypt", on: key, context)
        try KeyStateRule.cryptographic.check(key)
        try requireSymmetricEncryption(key, operation: operation, algorithm: algorithm)
        guard let material = key.materials.last(where: parsed.isSealed(with:)) else {
            throw AWSError("InvalidCiphertextException")
        }
        let opened: [UInt8]?
        do {
            opened = try parsed.open(material: material, context: encryptionContext)
        } catch {
            throw AWSError("InvalidCiphertextException")
        }
        guard var plaintext = opened else { throw AWSError("InvalidCiphertextException") }
        if key.xksKeyId != nil {
            plaintext = try xksDecrypt(plaintext, key: key, context: context, aad: xksAAD(key, encryptionContext))
        }
        return (plaintext, key, material)
    }

    /// DryRun with `DryRunModifiers: [IGNORE_CIPHERTEXT]`: only the caller's permission on the named key is
    /// checked, not the ciphertext, so KeyId is required.
    private func dryRunIgnoringCiphertext(_ input: JSONValue, keyMember: String, _ context: RequestContext,
                                          action: String) throws(AWSError)
    {
        guard input["DryRun"]?.boolValue == true,
            input["DryRunModifiers"]?.arrayValue?.contains(where: { $0.stringValue == "IGNORE_CIPHERTEXT" }) == true
        else { return }
        guard let keyId = string(input, keyMember) else {
            throw AWSError.validation("\(keyMember) is required when DryRunModifiers includes IGNORE_CIPHERTEXT.")
        }
        _ = try resolveKey(keyId, context, rule: .cryptographic, action: action)
        try dryRunCheck(input)
    }

    func decrypt(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        try dryRunIgnoringCiphertext(input, keyMember: "KeyId", context, action: "Decrypt")
        let (plaintext, key, algorithm, material) = try decryptAny(
            try input.requiredBlob("CiphertextBlob"), keyIdHint: string(input, "KeyId"), context: context,
            encryptionContext: try encryptionContext(input), algorithm: string(input, "EncryptionAlgorithm"),
            operation: "Decrypt")
        try dryRunCheck(input)
        var output: [String: JSONValue] = ["Plaintext": .string(Base64.encode(plaintext)), "KeyId": .string(key.arn),
                                           "EncryptionAlgorithm": .string(algorithm)]
        if let material { output["KeyMaterialId"] = .string(material.id) }
        return .object(output)
    }

    /// ReEncrypt runs with `kms:ReEncryptOnSameKey` known: the source key is the one the ciphertext names (or, for
    /// an asymmetric ciphertext, SourceKeyId), compared with the destination by key id, however either is named.
    func reEncrypt(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let blob = try input.requiredBlob("CiphertextBlob")
        let destination = try findKey(try input.requiredString("DestinationKeyId"), context, allowAlias: true)
        let sourceKeyId = CiphertextBlob(parsing: blob)?.keyId
            ?? string(input, "SourceKeyId").flatMap { try? findKey($0, context, allowAlias: true).keyId }
        return try RequestScope.with(context, input: RequestScope.input ?? input,
                                     reEncryptOnSameKey: sourceKeyId == destination.keyId) {
            try reEncrypt(blob, to: destination, context, input)
        }
    }

    /// ReEncrypt once the destination is found and `kms:ReEncryptOnSameKey` is known: the checks `resolveKey`
    /// makes, then the source's decryption and the destination's encryption.
    private func reEncrypt(_ blob: [UInt8], to destination: KmsKey, _ context: RequestContext, _ input: JSONValue)
        throws -> JSONValue
    {
        try authorize("ReEncryptTo", on: destination, context)
        try KeyStateRule.cryptographic.check(destination)
        try dryRunIgnoringCiphertext(input, keyMember: "SourceKeyId", context, action: "ReEncryptFrom")
        let (plaintext, source, sourceAlgorithm, sourceMaterial) = try decryptAny(
            blob, keyIdHint: string(input, "SourceKeyId"), context: context,
            encryptionContext: try encryptionContext(input, "SourceEncryptionContext"),
            algorithm: string(input, "SourceEncryptionAlgorithm"), operation: "ReEncrypt")
        let (ciphertext, destinationAlgorithm, destinationMaterial) = try encryptAny(
            plaintext, key: destination, algorithm: string(input, "DestinationEncryptionAlgorithm"),
            context: try encryptionContext(input, "DestinationEncryptionContext"), operation: "ReEncrypt")
        try dryRunCheck(input)
        var output: [String: JSONValue] = [
            "CiphertextBlob": .string(Base64.encode(ciphertext)), "SourceKeyId": .string(source.arn),
            "KeyId": .string(destination.arn), "SourceEncryptionAlgorithm": .string(sourceAlgorithm),
            "DestinationEncryptionAlgorithm": .string(destinationAlgorithm),
        ]
        if let sourceMaterial { output["SourceKeyMaterialId"] = .string(sourceMaterial.id) }
        if let destinationMaterial { output["DestinationKeyMaterialId"] = .string(destinationMaterial.id) }
        return .object(output)
    }

    func generateDataKey(_ context: RequestContext, _ input: JSONValue, withPlaintext: Bool) throws -> JSONValue {
        let operation = withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext"
        let length: Int
        switch (string(input, "KeySpec"), input["NumberOfBytes"]?.intValue) {
        case (.some(let spec), nil): length = spec == "AES_128" ? 16 : 32
        case (nil, .some(let count)): length = Int(count)
        default: throw AWSError.validation("Please specify either number of bytes or key spec.")
        }
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        try requireSymmetricEncryption(key, operation: operation, algorithm: nil)
        let dataKey = SecureRandom.bytes(length)
        let (ciphertext, material) = try sealSymmetric(dataKey, key: key, context: try encryptionContext(input))
        var output: [String: JSONValue] = ["CiphertextBlob": .string(Base64.encode(ciphertext)), "KeyId": .string(key.arn),
                                           "KeyMaterialId": .string(material.id)]
        if withPlaintext { output["Plaintext"] = .string(Base64.encode(dataKey)) }
        try dryRunCheck(input)
        return .object(output)
    }

    func generateRandom(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        guard let count = input["NumberOfBytes"]?.intValue else { throw AWSError.validation("NumberOfBytes is required.") }
        // Random bytes from a CloudHSM key store's cluster: the store must exist and be connected; an external key
        // store cannot generate them (GenerateRandom's documentation).
        if let storeId = string(input, "CustomKeyStoreId") {
            let store = try customKeyStore(storeId, context)
            guard !store.isExternal else {
                throw AWSError("UnsupportedOperationException", "External key store IDs are not valid for this parameter.")
            }
            guard store.isConnected else {
                throw AWSError("CustomKeyStoreInvalidStateException",
                               "Custom key store \(store.id) is \(store.connectionState).")
            }
        }
        return ["Plaintext": .string(Base64.encode(SecureRandom.bytes(Int(count))))]
    }
}
