import EmuPluginKit
import PluginABI

/// S3's calls to KMS over the service bus: GenerateDataKey when an object is written, Decrypt when it is read.
///
/// The bus runs the call as the S3 caller (same account and principal) with `via_service` "s3", which is what
/// the AWS managed key `alias/aws/s3` requires in its policy (`kms:ViaService = s3.<region>.amazonaws.com`).
/// The call is made in the bucket's region, as S3 does: a KMS key must live in its bucket's region.
///
/// KMS's refusals come back as S3 reports them: `KMS.<code>` (HTTP 400) with KMS's message, and KMS's
/// AccessDeniedException as S3's own `AccessDenied` (HTTP 403).
struct KMSClient: Sendable {
    /// The AWS managed key S3 uses when SSE-KMS names no key; KMS creates it on first use.
    static let managedKeyAlias = "alias/aws/s3"

    struct DataKey {
        var plaintext: [UInt8]
        var ciphertextBlob: String
        var keyArn: String
    }

    /// What a failed GenerateDataKey answered, kept so the caller can tell a missing key apart.
    struct Refusal: Error {
        var error: AWSError
        var kmsCode: String
    }

    func generateDataKey(keyId: String, encryptionContext: [String: String], region: String,
                         _ context: RequestContext) throws(Refusal) -> DataKey
    {
        let input: JSONValue = [
            "KeyId": .string(keyId), "KeySpec": "AES_256",
            "EncryptionContext": .object(encryptionContext.mapValues { .string($0) }),
        ]
        let output = try call("GenerateDataKey", input, region: region, context)
        guard let plaintext = output["Plaintext"]?.stringValue.flatMap(Base64.decode), plaintext.count == 32,
            let blob = output["CiphertextBlob"]?.stringValue, let arn = output["KeyId"]?.stringValue
        else { throw Refusal(error: S3Errors.internalError(), kmsCode: "") }
        return DataKey(plaintext: plaintext, ciphertextBlob: blob, keyArn: arn)
    }

    func decrypt(ciphertextBlob: String, keyArn: String?, encryptionContext: [String: String], region: String,
                 _ context: RequestContext) throws(AWSError) -> [UInt8]
    {
        var input: [String: JSONValue] = [
            "CiphertextBlob": .string(ciphertextBlob),
            "EncryptionContext": .object(encryptionContext.mapValues { .string($0) }),
        ]
        if let keyArn { input["KeyId"] = .string(keyArn) }
        let output: JSONValue
        do throws(Refusal) {
            output = try call("Decrypt", .object(input), region: region, context)
        } catch {
            throw error.error
        }
        guard let plaintext = output["Plaintext"]?.stringValue.flatMap(Base64.decode), plaintext.count == 32 else {
            throw S3Errors.internalError()
        }
        return plaintext
    }

    /// The error S3 answers when KMS is not loaded in this host: the configuration, not the request, is at fault,
    /// so it says what to change; 501 so that no SDK retries it.
    static func notLoaded() -> AWSError {
        AWSError("NotImplemented", "Server-side encryption with AWS KMS keys needs the kms service, which is not "
            + "loaded in this host (add kms to SERVICES).", status: 501)
    }

    private func call(_ operation: String, _ input: JSONValue, region: String, _ context: RequestContext)
        throws(Refusal) -> JSONValue
    {
        guard let host = PluginHost.current else { throw Refusal(error: S3Errors.internalError(), kmsCode: "") }
        let outcome: Result<PluginHost.BusResult, AWSError> = inRegion(region, context) { scoped in
            Result { () throws(AWSError) in
                try host.busCall(scoped, service: "kms", operation: operation, input: input.serialized())
            }
        }
        let result: PluginHost.BusResult
        switch outcome {
        case .success(let value): result = value
        case .failure(let error) where error.code == "ServiceUnavailableException":
            throw Refusal(error: Self.notLoaded(), kmsCode: "")
        case .failure(let error):
            host.error("the bus call to kms \(operation) failed: \(error.code) \(error.message)")
            throw Refusal(error: S3Errors.internalError(), kmsCode: "")
        }
        guard result.isSuccess else {
            throw Refusal(error: Self.s3Error(for: result), kmsCode: result.errorCode)
        }
        do {
            return try JSONValue.parse(result.body)
        } catch {
            throw Refusal(error: S3Errors.internalError(), kmsCode: "")
        }
    }

    /// KMS's answer in S3's words.
    static func s3Error(for result: PluginHost.BusResult) -> AWSError {
        if result.errorCode == "AccessDeniedException" { return S3Errors.accessDenied(result.errorMessage) }
        if result.httpStatus >= 500 { return S3Errors.internalError() }
        return AWSError("KMS.\(result.errorCode)", result.errorMessage, status: 400)
    }

    /// Runs `body` with a context whose region is `region`: the bus copies account, region and principal from
    /// the context it is given, so this is how the KMS call lands in the bucket's region.
    private func inRegion<R>(_ region: String, _ context: RequestContext, _ body: (RequestContext) -> R) -> R {
        guard let raw = context.raw, region != context.region, !region.isEmpty else { return body(context) }
        var copy = raw.pointee
        return withEmuString(region) { regionString in
            copy.region = regionString
            return withUnsafePointer(to: &copy) { body(RequestContext($0)) }
        }
    }
}
