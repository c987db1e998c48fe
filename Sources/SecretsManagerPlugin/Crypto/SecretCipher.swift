import EmuCrypto
import EmuPluginKit

/// Envelope encryption of secret values through KMS on the service bus, as Secrets Manager does it.
///
/// Writing a version asks KMS for a fresh AES-256 data key (`GenerateDataKey`) under the secret's key, with the
/// encryption context `{"SecretARN": arn, "SecretVersionId": id}`; the value is sealed with AES-256-GCM and only
/// the ciphertext and KMS's wrapped data key are kept. Reading asks KMS to `Decrypt` the wrapped key with the same
/// context. The bus call runs as the caller (same principal) with `kms:ViaService` set to Secrets Manager, which
/// is what the AWS managed key's policy requires.
///
/// KMS failures come back the way Secrets Manager reports them: `EncryptionFailure` on writes,
/// `DecryptionFailure` on reads, never a 500.
struct SecretCipher: Sendable {
    static let decryptionMessage = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."

    /// The encryption context KMS binds to the data key; also the AES-GCM associated data, so a value copied to
    /// another secret or version does not open.
    static func encryptionContext(arn: String, versionId: String) -> [String: String] {
        ["SecretARN": arn, "SecretVersionId": versionId]
    }

    /// The canonical bytes of the encryption context plus the value's kind, used as GCM associated data.
    static func associatedData(arn: String, versionId: String, kind: EncryptedValue.Kind) -> [UInt8] {
        Array("SecretARN=\(arn)\nSecretVersionId=\(versionId)\nKind=\(kind.rawValue)".utf8)
    }

    /// Encrypts one version's value.
    /// - Parameters:
    ///   - keyId: the KMS key to use (the secret's KmsKeyId, or the AWS managed key's alias).
    /// - Throws: `EncryptionFailure` naming what KMS answered, or that KMS is not loaded.
    func seal(_ plaintext: [UInt8], kind: EncryptedValue.Kind, keyId: String, arn: String, versionId: String,
              _ context: RequestContext) throws(AWSError) -> EncryptedValue
    {
        let input: JSONValue = [
            "KeyId": .string(keyId), "KeySpec": "AES_256",
            "EncryptionContext": encryptionContextJSON(arn: arn, versionId: versionId),
        ]
        let output = try call("GenerateDataKey", input, context) { result throws(AWSError) in
            throw AWSError("EncryptionFailure", "Secrets Manager can't encrypt the protected secret text using the "
                + "provided KMS key. KMS answered \(result.errorCode): \(result.errorMessage)")
        } unavailable: { message in
            AWSError("EncryptionFailure", "Secrets Manager can't encrypt the protected secret text: \(message)")
        }
        guard var dataKey = output["Plaintext"]?.stringValue.flatMap(Base64.decode), dataKey.count == 32,
            let wrapped = output["CiphertextBlob"]?.stringValue
        else {
            throw AWSError("EncryptionFailure",
                           "Secrets Manager can't encrypt the protected secret text: KMS returned no data key.")
        }
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        let iv = SecureRandom.publicBytes(AESGCM.ivLength)
        do {
            let sealed = try AESGCM.seal(key: dataKey, iv: iv, plaintext: plaintext,
                                         aad: Self.associatedData(arn: arn, versionId: versionId, kind: kind))
            return EncryptedValue(kind: kind, ciphertext: Base64.encode(sealed.ciphertext), iv: Base64.encode(iv),
                                  tag: Base64.encode(sealed.tag), encryptedDataKey: wrapped,
                                  kmsKeyArn: output["KeyId"]?.stringValue ?? keyId,
                                  isDefaultKey: Secret.isManagedKeyAlias(keyId))
        } catch {
            PluginHost.current?.error("AES-256-GCM encryption failed: \(error)")
            throw AWSError("EncryptionFailure", "Secrets Manager can't encrypt the protected secret text.")
        }
    }

    /// Decrypts one version's value.
    /// - Throws: `DecryptionFailure` when KMS refuses (disabled or deleted key, no permission), is not loaded, or
    ///   the ciphertext does not authenticate.
    func open(_ value: EncryptedValue, arn: String, versionId: String, _ context: RequestContext) throws(AWSError)
        -> [UInt8]
    {
        let input: JSONValue = [
            "CiphertextBlob": .string(value.encryptedDataKey),
            "EncryptionContext": encryptionContextJSON(arn: arn, versionId: versionId),
        ]
        let output = try call("Decrypt", input, context) { _ throws(AWSError) in
            throw AWSError("DecryptionFailure", Self.decryptionMessage)
        } unavailable: { message in
            AWSError("DecryptionFailure", "Secrets Manager can't decrypt the protected secret text: \(message)")
        }
        guard var dataKey = output["Plaintext"]?.stringValue.flatMap(Base64.decode), dataKey.count == 32,
            let ciphertext = Base64.decode(value.ciphertext), let iv = Base64.decode(value.iv),
            let tag = Base64.decode(value.tag)
        else { throw AWSError("DecryptionFailure", Self.decryptionMessage) }
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        let opened: [UInt8]?
        do {
            opened = try AESGCM.open(key: dataKey, iv: iv, ciphertext: ciphertext, tag: tag,
                                     aad: Self.associatedData(arn: arn, versionId: versionId, kind: value.kind))
        } catch {
            opened = nil
        }
        guard let opened else { throw AWSError("DecryptionFailure", Self.decryptionMessage) }
        return opened
    }

    private func encryptionContextJSON(arn: String, versionId: String) -> JSONValue {
        .object(Self.encryptionContext(arn: arn, versionId: versionId).mapValues { .string($0) })
    }

    /// One bus call to KMS. An AWS error KMS answered goes to `refused`; a bus failure (KMS not loaded, call depth)
    /// to `unavailable`, so the client always gets a Secrets Manager error in AWS's shape.
    private func call(_ operation: String, _ input: JSONValue, _ context: RequestContext,
                      refused: (PluginHost.BusResult) throws(AWSError) -> Never,
                      unavailable: (String) -> AWSError) throws(AWSError) -> JSONValue
    {
        guard let host = PluginHost.current else { throw unavailable("the plugin host is not available.") }
        let result: PluginHost.BusResult
        do {
            result = try host.busCall(context, service: "kms", operation: operation, input: input.serialized())
        } catch {
            if error.code == "ServiceUnavailableException" {
                throw unavailable("the kms service is not loaded in this host (add kms to SERVICES).")
            }
            throw unavailable("the call to kms failed (\(error.code): \(error.message)).")
        }
        guard result.isSuccess else { try refused(result) }
        do {
            return try JSONValue.parse(result.body)
        } catch {
            throw unavailable("kms answered a body that is not JSON.")
        }
    }
}
