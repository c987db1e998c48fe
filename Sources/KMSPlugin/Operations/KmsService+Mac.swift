import EmuPluginKit

extension KmsService {
    private func macInput(_ context: RequestContext, _ input: JSONValue, operation: String) throws(AWSError)
        -> (key: KmsKey, algorithm: HMACAlgorithm, secret: [UInt8])
    {
        let key = try resolveKey(try input.requiredString("KeyId"), context, rule: .cryptographic)
        guard key.keyUsage == .generateVerifyMac else {
            throw AWSError("InvalidKeyUsageException",
                           "\(key.arn) key usage is \(key.keyUsage.rawValue) which is not valid for \(operation).")
        }
        let name = try input.requiredString("MacAlgorithm")
        guard let algorithm = HMACAlgorithm(rawValue: name), key.keySpec.macAlgorithms(for: key.keyUsage)?.contains(name) == true
        else {
            throw AWSError("InvalidKeyUsageException", "Algorithm \(name) is incompatible with key spec \(key.keySpec.rawValue).")
        }
        guard let secret = key.currentMaterial?.material.symmetricBytes else {
            throw AWSError("KMSInvalidStateException", "\(key.arn) is pending import.")
        }
        return (key, algorithm, secret)
    }

    private func computeMac(_ algorithm: HMACAlgorithm, secret: [UInt8], message: [UInt8]) throws(AWSError) -> [UInt8] {
        do { return try algorithm.mac(key: secret, message: message) } catch {
            throw AWSError("KMSInternalException", "The MAC could not be computed.", status: 500)
        }
    }

    func generateMac(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let (key, algorithm, secret) = try macInput(context, input, operation: "GenerateMac")
        let mac = try computeMac(algorithm, secret: secret, message: try input.requiredBlob("Message"))
        try dryRunCheck(input)
        return ["Mac": .string(Base64.encode(mac)), "MacAlgorithm": .string(algorithm.rawValue), "KeyId": .string(key.arn)]
    }

    func verifyMac(_ context: RequestContext, _ input: JSONValue) throws -> JSONValue {
        let (key, algorithm, secret) = try macInput(context, input, operation: "VerifyMac")
        let expected = try computeMac(algorithm, secret: secret, message: try input.requiredBlob("Message"))
        guard HMACAlgorithm.equal(expected, try input.requiredBlob("Mac")) else { throw AWSError("KMSInvalidMacException", "") }
        try dryRunCheck(input)
        return ["KeyId": .string(key.arn), "MacValid": true, "MacAlgorithm": .string(algorithm.rawValue)]
    }
}
