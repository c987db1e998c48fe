import EmuPluginKit

extension S3Service {
    /// PutBucketEncryption: one rule, `ApplyServerSideEncryptionByDefault` with `SSEAlgorithm` (`AES256`,
    /// `aws:kms`, `aws:kms:dsse`) and for KMS an optional `KMSMasterKeyID`, plus `BucketKeyEnabled`.
    func putBucketEncryption(_ request: S3Request, bucket name: String, _ context: RequestContext) throws(AWSError)
        -> OperationOutput
    {
        _ = try requireBucket(name, context)
        try ChecksumRequest.checkDocumentDigests(request)
        let document = try XMLTag.parse(request.body)
        guard document.name == "ServerSideEncryptionConfiguration" else { throw S3Errors.malformedXML() }
        let rules = document.children("Rule")
        guard rules.count == 1, let rule = rules.first, let defaults = rule.child("ApplyServerSideEncryptionByDefault"),
            let algorithm = defaults.value("SSEAlgorithm")
        else { throw S3Errors.malformedXML() }
        guard ObjectEncryption.Algorithm(rawValue: algorithm) != nil else { throw S3Errors.malformedXML() }
        let keyId = defaults.value("KMSMasterKeyID").flatMap { $0.isEmpty ? nil : $0 }
        if keyId != nil, algorithm == "AES256" {
            throw S3Errors.invalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                + "aws:kms or aws:kms:dsse", argumentName: "ApplyServerSideEncryptionByDefault")
        }
        let bucketKey = rule.value("BucketKeyEnabled")?.lowercased() == "true"
        let encryption = BucketEncryption(algorithm: algorithm, kmsMasterKeyId: keyId, bucketKeyEnabled: bucketKey)
        try setEncryption(name, encryption, context)
        return OperationOutput(body: [])
    }

    /// GetBucketEncryption. Since January 2023 every bucket has a default encryption configuration, SSE-S3, which
    /// is what S3 answers for a bucket that never had one set (so `ServerSideEncryptionConfigurationNotFoundError`
    /// no longer happens on AWS for general purpose buckets).
    func getBucketEncryption(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        let bucket = try requireBucket(name, context)
        let rule = bucket.encryption ?? BucketEncryption(algorithm: "AES256", kmsMasterKeyId: nil, bucketKeyEnabled: false)
        var xml = XMLWriter(root: "ServerSideEncryptionConfiguration")
        xml.group("Rule") { xml in
            xml.group("ApplyServerSideEncryptionByDefault") { xml in
                xml.element("SSEAlgorithm", rule.algorithm)
                xml.element("KMSMasterKeyID", rule.kmsMasterKeyId)
            }
            xml.element("BucketKeyEnabled", rule.bucketKeyEnabled)
        }
        return xml.output()
    }

    /// DeleteBucketEncryption: back to S3's base level, SSE-S3.
    func deleteBucketEncryption(_ name: String, _ context: RequestContext) throws(AWSError) -> OperationOutput {
        _ = try requireBucket(name, context)
        try setEncryption(name, nil, context)
        return OperationOutput(body: [], status: 204)
    }

    private func setEncryption(_ name: String, _ encryption: BucketEncryption?, _ context: RequestContext)
        throws(AWSError)
    {
        try updateBucket(name, context) { $0.encryption = encryption }
    }
}
