import EmuPluginKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The AWS managed keys behind the predefined `alias/aws/<service>` aliases: listed before they exist (without
/// a TargetKeyId, as ListAliases shows them) and created on first use with KeyManager AWS.
enum AWSManagedKeys {
    static let services = [
        "acm", "backup", "codecommit", "connect", "dynamodb", "ebs", "elasticfilesystem", "es", "glue", "kinesis",
        "kinesisvideo", "lambda", "logs", "rds", "redshift", "s3", "secretsmanager", "sns", "sqs", "ssm", "xray",
    ]

    static let aliasNames: [String] = services.map { "alias/aws/\($0)" }

    static func isPredefined(_ alias: String) -> Bool { aliasNames.contains(alias) }

    /// How AWS names a service in its managed key's policy Sid and the data it protects in the key's Description,
    /// for the services whose wording is known (from DescribeKey and GetKeyPolicy of real managed keys); the
    /// others keep the service id.
    private static let wording: [String: (name: String, data: String)] = [
        "s3": ("S3", "S3 objects"),
        "secretsmanager": ("AWS Secrets Manager", "Secrets Manager data"),
        "ebs": ("EBS", "EBS volumes"),
        "rds": ("RDS", "RDS database volumes"),
        "lambda": ("AWS Lambda", "Lambda functions"),
        "sns": ("SNS", "SNS data"),
        "sqs": ("SQS", "SQS messages"),
        "ssm": ("SSM", "SSM parameters"),
        "dynamodb": ("Amazon DynamoDB", "DynamoDB data"),
    ]

    /// The service's name as the managed key's policy Sid says it ("authorized to use S3").
    static func displayName(_ service: String) -> String { wording[service]?.name ?? service }

    /// The managed key's Description, e.g. "Default key that protects my S3 objects when no other key is defined".
    static func description(_ service: String) -> String {
        "Default key that protects my \(wording[service]?.data ?? "\(service) data") when no other key is defined"
    }

    static func create(alias: String, account: String, region: String, now: Double) throws(AWSError) -> KmsKey {
        let service = String(alias.dropFirst("alias/aws/".count))
        let material = try KeyMaterialFactory.generate(.symmetricDefault)
        var key = KmsKey(
            keyId: UUID().uuidString.lowercased(), accountId: account, region: region, creationDate: now,
            description: description(service),
            keySpec: .symmetricDefault, keyUsage: .encryptDecrypt, origin: .awsKMS, keyManager: "AWS",
            state: .enabled, multiRegion: false,
            policy: KeyPolicyDefaults.awsManaged(service: service, account: account, region: region), tags: [],
            materials: [KeyMaterialVersion(material: material, createdAt: now)])
        // AWS rotates its managed keys every year.
        key.rotation = RotationSchedule(enabled: true, periodInDays: 365, nextRotationDate: now + 365 * 86400)
        return key
    }
}
