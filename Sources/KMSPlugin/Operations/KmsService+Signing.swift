import EmuCrypto
import EmuPluginKit

extension KmsService {
    /// The checks Sign and Verify share: usage, algorithm/spec pairing, MessageType and digest length.
    private func signingInput(_ context: RequestContext, _ input: JSONValue, operation: String) throws(AWSError)
        -> (key: KmsKey, algorithm: SigningAlgorithm, message: [UInt8], isDigest: Bool)
    {
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        guard key.keyUsage == .signVerify else {
            throw AWSError("InvalidKeyUsageException",
                           "\(key.arn) key usage is \(key.keyUsage.rawValue) which is not valid for \(operation).")
        }
        let algorithmName = try input.requiredString("SigningAlgorithm")
        guard let algorithm = SigningAlgorithm(rawValue: algorithmName),
            key.keySpec.signingAlgorithms(for: key.keyUsage)?.contains(algorithmName) == true
        else {
            throw AWSError("InvalidKeyUsageException",
                           "Algorithm \(algorithmName) is incompatible with key spec \(key.keySpec.rawValue).")
        }
        let messageType = string(input, "MessageType") ?? "RAW"
        let message = try input.requiredBlob("Message")
        switch messageType {
        case "DIGEST":
            if key.keySpec.isMLDSA || algorithm == .ed25519Sha512 {
                throw AWSError.validation("Message type DIGEST is incompatible with key spec \(key.keySpec.rawValue)"
                    + (algorithm == .ed25519Sha512 ? " and algorithm \(algorithm.rawValue)." : "."))
            }
            guard message.count == algorithm.digestLength else {
                throw AWSError.validation("Digest is invalid length for algorithm \(algorithm.rawValue).")
            }
        case "EXTERNAL_MU":
            guard key.keySpec.isMLDSA else {
                throw AWSError.validation("Message type EXTERNAL_MU is incompatible with key spec \(key.keySpec.rawValue).")
            }
            guard message.count == 64 else {
                throw AWSError.validation("Digest is invalid length for algorithm \(algorithm.rawValue).")
            }
            // swift-crypto signs messages, not a precomputed mu, and OpenSSL 3.0 has no ML-DSA.
            throw AWSError("UnsupportedOperationException",
                           "MessageType EXTERNAL_MU is not supported by this emulator: no library on the host can sign an external mu.")
        default:
            if algorithm == .ed25519PhSha512 {
                throw AWSError.validation("Message type RAW is incompatible with algorithm \(algorithm.rawValue).")
            }
        }
        if algorithm == .ed25519PhSha512 {
            // Ed25519ph is in neither OpenSSL 3.0 nor swift-crypto.
            throw AWSError("UnsupportedOperationException",
                           "Signing algorithm ED25519_PH_SHA_512 is not supported by this emulator: no library on the host implements Ed25519ph.")
        }
        return (key, algorithm, message, messageType == "DIGEST")
    }

    func sign(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let (key, algorithm, message, isDigest) = try signingInput(context, input, operation: "Sign")
        guard let material = key.currentMaterial?.material else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        let signature: [UInt8]
        do {
            switch material {
            case .asymmetric(let evp): signature = try evp.sign(message, algorithm: algorithm, isDigest: isDigest)
            case .postQuantum(let pq): signature = try pq.sign(message)
            case .symmetric: throw OpenSSLError("Sign with symmetric material")
            }
        } catch {
            host.error("Sign failed: \(error)")
            throw AWSError("KMSInternalException", "Signing failed.", status: 500)
        }
        try dryRunCheck(input)
        return ["KeyId": .string(key.arn), "Signature": .string(Base64.encode(signature)),
                "SigningAlgorithm": .string(algorithm.rawValue)]
    }

    func verify(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let (key, algorithm, message, isDigest) = try signingInput(context, input, operation: "Verify")
        guard let material = key.currentMaterial?.material else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        let signature = try input.requiredBlob("Signature")
        let valid: Bool
        switch material {
        case .asymmetric(let evp):
            valid = (try? evp.verify(signature, message: message, algorithm: algorithm, isDigest: isDigest)) ?? false
        case .postQuantum(let pq): valid = pq.verify(signature, message: message)
        case .symmetric: valid = false
        }
        // AWS never answers SignatureValid: false; a bad signature is an error, checked before DryRun.
        guard valid else { throw AWSError("KMSInvalidSignatureException", "") }
        try dryRunCheck(input)
        return ["KeyId": .string(key.arn), "SignatureValid": true, "SigningAlgorithm": .string(algorithm.rawValue)]
    }

    /// DryRun: every check has passed, so the request would have succeeded; nothing is done.
    func dryRunCheck(_ input: JSONValue) throws(AWSError) {
        if input["DryRun"]?.boolValue == true {
            throw AWSError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
        }
    }
}
