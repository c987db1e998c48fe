/// The key policies AWS writes when a request gives none.
enum KeyPolicyDefaults {
    /// The default policy of a key created through the API, exactly as AWS writes it: the account may do
    /// everything, and IAM policies decide within the account.
    static func customerManaged(account: String, region: String) -> String {
        let partition = KmsArn.partition(region)
        return """
            {
              "Version" : "2012-10-17",
              "Id" : "key-default-1",
              "Statement" : [ {
                "Sid" : "Enable IAM User Permissions",
                "Effect" : "Allow",
                "Principal" : {
                  "AWS" : "arn:\(partition):iam::\(account):root"
                },
                "Action" : "kms:*",
                "Resource" : "*"
              } ]
            }
            """
    }

    /// The policy of an AWS managed key: only the owning service, on behalf of principals in the account, may
    /// use it; the account may read its metadata.
    static func awsManaged(service: String, account: String, region: String) -> String {
        let partition = KmsArn.partition(region)
        // EBS volumes are encrypted by EC2, which is the service that calls KMS for aws/ebs.
        let callingService = service == "ebs" ? "ec2" : service
        let name = AWSManagedKeys.displayName(service)
        // The managed keys of S3 and SSM do not let the account revoke grants; the others do.
        let metadataActions = ["s3", "ssm"].contains(service)
            ? #""kms:Describe*", "kms:Get*", "kms:List*""# : #""kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant""#
        return """
            {
              "Version" : "2012-10-17",
              "Id" : "auto-\(service)-2",
              "Statement" : [ {
                "Sid" : "Allow access through \(name) for all principals in the account that are authorized to use \(name)",
                "Effect" : "Allow",
                "Principal" : {
                  "AWS" : "*"
                },
                "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey" ],
                "Resource" : "*",
                "Condition" : {
                  "StringEquals" : {
                    "kms:CallerAccount" : "\(account)",
                    "kms:ViaService" : "\(callingService).\(region).amazonaws.com"
                  }
                }
              }, {
                "Sid" : "Allow direct access to key metadata to the account",
                "Effect" : "Allow",
                "Principal" : {
                  "AWS" : "arn:\(partition):iam::\(account):root"
                },
                "Action" : [ \(metadataActions) ],
                "Resource" : "*"
              } ]
            }
            """
    }
}
