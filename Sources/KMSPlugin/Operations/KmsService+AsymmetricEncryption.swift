import EmuPluginKit

extension KmsService {
    /// The OAEP digest of an RSA encryption algorithm, or nil for SM2PKE.
    private func asymmetricScheme(_ key: KmsKey, _ algorithm: String?) throws(AWSError) -> String? {
        let name = algorithm ?? "SYMMETRIC_DEFAULT"
        guard key.keySpec.encryptionAlgorithms(for: key.keyUsage)?.contains(name) == true else {
            throw AWSError("InvalidKeyUsageException", "Algorithm \(name) is incompatible with key spec \(key.keySpec.rawValue).")
        }
        switch name {
        case "RSAES_OAEP_SHA_1": return "SHA1"
        case "RSAES_OAEP_SHA_256": return "SHA256"
        default: return nil
        }
    }

    /// RSA-OAEP or SM2PKE encryption with the key's public key; the output is the raw scheme ciphertext, which
    /// anyone with the public key can also produce, and which decrypts only with KeyId and the algorithm.
    func encryptAsymmetric(_ key: KmsKey, plaintext: [UInt8], algorithm: String?) throws(AWSError) -> [UInt8] {
        let digest = try asymmetricScheme(key, algorithm)
        guard case .asymmetric(let evp)? = key.currentMaterial?.material else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        if let digest {
            let hashLength = digest == "SHA1" ? 20 : 32
            let limit = evp.bits / 8 - 2 * hashLength - 2
            if plaintext.count > limit {
                throw AWSError.validation("Algorithm \(algorithm!) and key spec \(key.keySpec.rawValue) cannot encrypt data larger than \(limit) bytes.")
            }
        }
        do { return try evp.encrypt(plaintext, oaepDigest: digest) } catch {
            host.error("asymmetric encryption failed: \(error)")
            throw AWSError("KMSInternalException", "Encryption failed.", status: 500)
        }
    }

    func decryptAsymmetric(_ key: KmsKey, ciphertext: [UInt8], algorithm: String?) throws(AWSError) -> [UInt8] {
        let digest = try asymmetricScheme(key, algorithm)
        guard case .asymmetric(let evp)? = key.currentMaterial?.material else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        guard let plaintext = try? evp.decrypt(ciphertext, oaepDigest: digest) else {
            throw AWSError("InvalidCiphertextException")
        }
        return plaintext
    }
}
