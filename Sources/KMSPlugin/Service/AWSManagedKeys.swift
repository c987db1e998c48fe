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

    static func create(alias: String, account: String, region: String, now: Double) throws(AWSError) -> KmsKey {
        let service = String(alias.dropFirst("alias/aws/".count))
        let material = try KeyMaterialFactory.generate(.symmetricDefault)
        var key = KmsKey(
            keyId: UUID().uuidString.lowercased(), accountId: account, region: region, creationDate: now,
            description: "Default key that protects my \(service) data when no other key is defined",
            keySpec: .symmetricDefault, keyUsage: .encryptDecrypt, origin: .awsKMS, keyManager: "AWS",
            state: .enabled, multiRegion: false,
            policy: KeyPolicyDefaults.awsManaged(service: service, account: account, region: region), tags: [],
            materials: [KeyMaterialVersion(material: material, createdAt: now)])
        // AWS rotates its managed keys every year.
        key.rotation = RotationSchedule(enabled: true, periodInDays: 365, nextRotationDate: now + 365 * 86400)
        return key
    }
}
