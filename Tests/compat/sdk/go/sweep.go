package main

// The sweeps: every KMS and Secrets Manager operation this SDK version knows, and every S3 operation the plugin
// serves, called once with valid input. The Go SDK's deserializers are strict about types (a number where the
// model says string, a string where it says timestamp, fails the call), so a call that succeeds here shows the
// whole response has the model's shape. Each entry of the result is the operation's name and "ok", or the error
// the SDK reported, or what the sweep found wrong in the answer it read (a few calls check it; the entry
// "PutBucketVersioning" stands for versioningScenario, which enables versioning and reads versions back).

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// sweep records each call's outcome under its operation's name.
type sweep map[string]string

func (s sweep) record(operation string, err error) {
	if err != nil {
		s[operation] = err.Error()
	} else if _, seen := s[operation]; !seen {
		s[operation] = "ok"
	}
}

func kmsSweep(c *kms.Client, west *kms.Client) sweep {
	s := sweep{}
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("sweep"),
		Tags: []kmstypes.Tag{{TagKey: aws.String("k"), TagValue: aws.String("v")}}})
	s.record("CreateKey", err)
	must("sweep key", err)
	id := key.KeyMetadata.KeyId
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	s.record("DescribeKey", err)
	_, err = c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: aws.String("swept")})
	s.record("UpdateKeyDescription", err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/sweep"), TargetKeyId: id})
	s.record("CreateAlias", err)
	_, err = c.ListAliases(ctx, &kms.ListAliasesInput{})
	s.record("ListAliases", err)
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must("sweep other key", err)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/sweep"), TargetKeyId: other.KeyMetadata.KeyId})
	s.record("UpdateAlias", err)
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/sweep")})
	s.record("DeleteAlias", err)
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []kmstypes.Tag{{TagKey: aws.String("t"), TagValue: aws.String("u")}}})
	s.record("TagResource", err)
	_, err = c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"k"}})
	s.record("UntagResource", err)
	_, err = c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id})
	s.record("ListResourceTags", err)
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{})
	s.record("ListKeys", err)
	policy, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("default")})
	s.record("GetKeyPolicy", err)
	if err == nil {
		_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, PolicyName: aws.String("default"), Policy: policy.Policy})
		s.record("PutKeyPolicy", err)
	}
	_, err = c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: id})
	s.record("ListKeyPolicies", err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id})
	s.record("EnableKeyRotation", err)
	_, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	s.record("GetKeyRotationStatus", err)
	_, err = c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: id})
	s.record("DisableKeyRotation", err)
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})
	s.record("DisableKey", err)
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	s.record("EnableKey", err)

	encrypted, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("sweep")})
	s.record("Encrypt", err)
	must("sweep encrypt", err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: encrypted.CiphertextBlob})
	s.record("Decrypt", err)
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: encrypted.CiphertextBlob, DestinationKeyId: other.KeyMetadata.KeyId})
	s.record("ReEncrypt", err)
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, NumberOfBytes: aws.Int32(24)})
	s.record("GenerateDataKey", err)
	_, err = c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: id, KeySpec: kmstypes.DataKeySpecAes128})
	s.record("GenerateDataKeyWithoutPlaintext", err)
	_, err = c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: kmstypes.DataKeyPairSpecRsa2048})
	s.record("GenerateDataKeyPair", err)
	_, err = c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: id,
		KeyPairSpec: kmstypes.DataKeyPairSpecEccSecgP256k1})
	s.record("GenerateDataKeyPairWithoutPlaintext", err)
	_, err = c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(16)})
	s.record("GenerateRandom", err)

	grant, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String("arn:aws:iam::000000000000:role/sweep"),
		RetiringPrincipal: aws.String("arn:aws:iam::000000000000:root"), Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt},
		Constraints: &kmstypes.GrantConstraints{EncryptionContextSubset: map[string]string{"a": "b"}}})
	s.record("CreateGrant", err)
	_, err = c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id})
	s.record("ListGrants", err)
	_, err = c.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String("arn:aws:iam::000000000000:root")})
	s.record("ListRetirableGrants", err)
	if grant != nil {
		_, err = c.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: id, GrantId: grant.GrantId})
		s.record("RetireGrant", err)
	}
	second, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String("arn:aws:iam::000000000000:role/sweep"),
		Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt}})
	must("sweep second grant", err)
	_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: id, GrantId: second.GrantId})
	s.record("RevokeGrant", err)

	// Asymmetric and HMAC operations, and the public key.
	signing, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecEccNistP384, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	must("sweep signing key", err)
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signing.KeyMetadata.KeyId})
	s.record("GetPublicKey", err)
	signed, err := c.Sign(ctx, &kms.SignInput{KeyId: signing.KeyMetadata.KeyId, Message: []byte("m"), SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha384})
	s.record("Sign", err)
	if err == nil {
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: signing.KeyMetadata.KeyId, Message: []byte("m"), Signature: signed.Signature,
			SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha384})
		s.record("Verify", err)
	}
	mac, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecHmac512, KeyUsage: kmstypes.KeyUsageTypeGenerateVerifyMac})
	must("sweep mac key", err)
	generated, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: mac.KeyMetadata.KeyId, Message: []byte("m"), MacAlgorithm: kmstypes.MacAlgorithmSpecHmacSha512})
	s.record("GenerateMac", err)
	if err == nil {
		_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: mac.KeyMetadata.KeyId, Message: []byte("m"), Mac: generated.Mac,
			MacAlgorithm: kmstypes.MacAlgorithmSpecHmacSha512})
		s.record("VerifyMac", err)
	}

	// Imported material, wrapped here by Go with the wrapping key KMS hands out.
	external, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: kmstypes.OriginTypeExternal})
	s.record("CreateKey EXTERNAL", err)
	must("sweep external key", err)
	parameters, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: external.KeyMetadata.KeyId,
		WrappingAlgorithm: kmstypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kmstypes.WrappingKeySpecRsa2048})
	s.record("GetParametersForImport", err)
	must("sweep import parameters", err)
	wrappingKey, err := x509.ParsePKIXPublicKey(parameters.PublicKey)
	must("parse wrapping key", err)
	material := make([]byte, 32)
	_, err = rand.Read(material)
	must("material", err)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, wrappingKey.(*rsa.PublicKey), material, nil)
	must("wrap material", err)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: external.KeyMetadata.KeyId, ImportToken: parameters.ImportToken,
		EncryptedKeyMaterial: wrapped, ExpirationModel: kmstypes.ExpirationModelTypeKeyMaterialExpires,
		ValidTo: aws.Time(time.Now().Add(48 * time.Hour))})
	s.record("ImportKeyMaterial", err)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: external.KeyMetadata.KeyId, Plaintext: []byte("imported")})
	s.record("Encrypt with imported material", err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: external.KeyMetadata.KeyId})
	s.record("DescribeKey EXTERNAL", err)
	_, err = c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: external.KeyMetadata.KeyId})
	s.record("DeleteImportedKeyMaterial", err)

	// Multi-Region: a replica in us-west-2, read there, then made the primary.
	primary, err := c.CreateKey(ctx, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	s.record("CreateKey MultiRegion", err)
	must("sweep multi-Region key", err)
	_, err = c.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: primary.KeyMetadata.KeyId, ReplicaRegion: aws.String("us-west-2")})
	s.record("ReplicateKey", err)
	// A new replica is Creating for a moment, as in AWS; wait for it as AWS callers do.
	for wait := 0; wait < 120; wait++ {
		replica, err := west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: primary.KeyMetadata.KeyId})
		s.record("DescribeKey replica", err)
		if err != nil || replica.KeyMetadata.KeyState != kmstypes.KeyStateCreating {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	_, err = c.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: primary.KeyMetadata.KeyId, PrimaryRegion: aws.String("us-west-2")})
	s.record("UpdatePrimaryRegion", err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: primary.KeyMetadata.KeyId})
	s.record("DescribeKey after UpdatePrimaryRegion", err)

	_, err = c.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{})
	s.record("DescribeCustomKeyStores", err)
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: other.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)})
	s.record("ScheduleKeyDeletion", err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: other.KeyMetadata.KeyId})
	s.record("DescribeKey PendingDeletion", err)
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: other.KeyMetadata.KeyId})
	s.record("CancelKeyDeletion", err)
	return s
}

func secretsSweep(c *secretsmanager.Client) sweep {
	s := sweep{}
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("sweep/secret"), SecretString: aws.String("one"),
		Description: aws.String("sweep"), Tags: []smtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	s.record("CreateSecret", err)
	must("sweep secret", err)
	id := created.ARN
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: id})
	s.record("DescribeSecret", err)
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: id})
	s.record("GetSecretValue", err)
	pending, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: id, SecretString: aws.String("two"),
		VersionStages: []string{"AWSPENDING"}})
	s.record("PutSecretValue", err)
	if err == nil {
		_, err = c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: id, VersionStage: aws.String("AWSCURRENT"),
			MoveToVersionId: pending.VersionId, RemoveFromVersionId: created.VersionId})
		s.record("UpdateSecretVersionStage", err)
	}
	_, err = c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, Description: aws.String("swept")})
	s.record("UpdateSecret", err)
	_, err = c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: id, IncludeDeprecated: aws.Bool(true)})
	s.record("ListSecretVersionIds", err)
	_, err = c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName,
		Values: []string{"sweep/"}}}})
	s.record("ListSecrets", err)
	_, err = c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: id, Tags: []smtypes.Tag{{Key: aws.String("t"), Value: aws.String("u")}}})
	s.record("TagResource", err)
	_, err = c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: id, TagKeys: []string{"k"}})
	s.record("UntagResource", err)
	_, err = c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(24)})
	s.record("GetRandomPassword", err)
	policy := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},` +
		`"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`)
	_, err = c.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: policy})
	s.record("ValidateResourcePolicy", err)
	_, err = c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: id, ResourcePolicy: policy})
	s.record("PutResourcePolicy", err)
	_, err = c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: id})
	s.record("GetResourcePolicy", err)
	_, err = c.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: id})
	s.record("DeleteResourcePolicy", err)
	_, err = c.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: id,
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
	s.record("ReplicateSecretToRegions", err)
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: id})
	s.record("DescribeSecret replicated", err)
	_, err = c.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: id, RemoveReplicaRegions: []string{"eu-west-1"}})
	s.record("RemoveRegionsFromReplication", err)
	_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: id, RecoveryWindowInDays: aws.Int64(7)})
	s.record("DeleteSecret", err)
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: id})
	s.record("DescribeSecret deleted", err)
	_, err = c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: id})
	s.record("RestoreSecret", err)
	return s
}

// s3Sweep: the S3 operations the plugin serves, each called once through the Go SDK's REST-XML deserializers,
// which are as strict about types (sizes, booleans, timestamps in both their XML and HTTP-date forms) as the JSON
// ones.
func s3Sweep(c *s3.Client) sweep {
	s := sweep{}
	bucket := aws.String("go-sweep-bucket")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket})
	s.record("CreateBucket", err)
	must("sweep bucket", err)
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket})
	s.record("HeadBucket", err)
	_, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: bucket})
	s.record("GetBucketLocation", err)
	_, err = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bucket})
	s.record("GetBucketVersioning", err)
	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: bucket})
	if err == nil && (len(acl.Grants) != 1 || acl.Grants[0].Grantee.Type != s3types.TypeCanonicalUser ||
		acl.Grants[0].Permission != s3types.PermissionFullControl || aws.ToString(acl.Grants[0].Grantee.ID) != aws.ToString(acl.Owner.ID)) {
		err = fmt.Errorf("unexpected bucket ACL: %d grants", len(acl.Grants))
	}
	s.record("GetBucketAcl", err)
	ownership, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
	if err == nil && (len(ownership.OwnershipControls.Rules) != 1 ||
		ownership.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced) {
		err = fmt.Errorf("unexpected ownership controls")
	}
	s.record("GetBucketOwnershipControls", err)
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucket, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
			SSEAlgorithm: s3types.ServerSideEncryptionAwsKms}, BucketKeyEnabled: true}}}})
	s.record("PutBucketEncryption", err)
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucket})
	s.record("GetBucketEncryption", err)
	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{})
	s.record("ListBuckets", err)

	body := bytes.Repeat([]byte("sweep "), 1000)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"owner": "go"}, ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32,
		Tagging: aws.String("team=go&note=a%20b")})
	s.record("PutObject", err)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt")})
	s.record("HeadObject", err)
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: aws.String("dir/a b+c.txt"),
		ObjectAttributes: []s3types.ObjectAttributes{s3types.ObjectAttributesEtag, s3types.ObjectAttributesChecksum,
			s3types.ObjectAttributesObjectSize, s3types.ObjectAttributesStorageClass, s3types.ObjectAttributesObjectParts}})
	s.record("GetObjectAttributes", err)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy.txt"), CopySource: aws.String("go-sweep-bucket/dir/a%20b%2Bc.txt"),
		MetadataDirective: s3types.MetadataDirectiveReplace, Metadata: map[string]string{"copied": "yes"}})
	s.record("CopyObject", err)
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bucket, Key: aws.String("copy.txt"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
	s.record("PutObjectTagging", err)
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: aws.String("copy.txt")})
	s.record("GetObjectTagging", err)
	_, err = c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: bucket, Key: aws.String("copy.txt")})
	s.record("DeleteObjectTagging", err)
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bucket,
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("team"), Value: aws.String("go")}}}})
	s.record("PutBucketTagging", err)
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucket})
	s.record("GetBucketTagging", err)
	_, err = c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: bucket})
	s.record("DeleteBucketTagging", err)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: bucket,
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String("expire-logs"), Status: s3types.ExpirationStatusEnabled,
			Filter:     &s3types.LifecycleRuleFilterMemberPrefix{Value: "logs/"},
			Expiration: &s3types.LifecycleExpiration{Days: 30},
		}}}})
	s.record("PutBucketLifecycleConfiguration", err)
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
	s.record("GetBucketLifecycleConfiguration", err)
	_, err = c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: bucket})
	s.record("DeleteBucketLifecycle", err)
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: bucket, CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}, MaxAgeSeconds: 60}}}})
	s.record("PutBucketCors", err)
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bucket})
	s.record("GetBucketCors", err)
	_, err = c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: bucket})
	s.record("DeleteBucketCors", err)
	_, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: bucket, Delimiter: aws.String("/"), EncodingType: s3types.EncodingTypeUrl})
	s.record("ListObjects", err)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("dir/"), FetchOwner: true, StartAfter: aws.String("a")})
	s.record("ListObjectsV2", err)
	versions, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, MaxKeys: 1})
	if err == nil && (len(versions.Versions) != 1 || aws.ToString(versions.Versions[0].VersionId) != "null" ||
		!versions.Versions[0].IsLatest || !versions.IsTruncated || aws.ToString(versions.NextVersionIdMarker) != "null") {
		err = fmt.Errorf("unexpected versions listing: %d versions, truncated %v", len(versions.Versions), versions.IsTruncated)
	}
	s.record("ListObjectVersions", err)

	part := bytes.Repeat([]byte{7}, 5*1024*1024)
	upload, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("parts.bin"),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256})
	s.record("CreateMultipartUpload", err)
	must("sweep multipart", err)
	first, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("parts.bin"), UploadId: upload.UploadId,
		PartNumber: 1, Body: bytes.NewReader(part), ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256})
	s.record("UploadPart", err)
	must("sweep part", err)
	second, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bucket, Key: aws.String("parts.bin"), UploadId: upload.UploadId,
		PartNumber: 2, CopySource: aws.String("go-sweep-bucket/copy.txt"), CopySourceRange: aws.String("bytes=0-99")})
	s.record("UploadPartCopy", err)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: aws.String("parts.bin"), UploadId: upload.UploadId})
	s.record("ListParts", err)
	_, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bucket})
	s.record("ListMultipartUploads", err)
	if second != nil {
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: aws.String("parts.bin"),
			UploadId: upload.UploadId, MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{
				{PartNumber: 1, ETag: first.ETag, ChecksumSHA256: first.ChecksumSHA256},
				{PartNumber: 2, ETag: second.CopyPartResult.ETag, ChecksumSHA256: second.CopyPartResult.ChecksumSHA256}}}})
		s.record("CompleteMultipartUpload", err)
	}
	aborted, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("aborted.bin")})
	must("sweep second multipart", err)
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bucket, Key: aws.String("aborted.bin"), UploadId: aborted.UploadId})
	s.record("AbortMultipartUpload", err)

	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("copy.txt")})
	s.record("DeleteObject", err)
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
		{Key: aws.String("dir/a b+c.txt")}, {Key: aws.String("parts.bin")}}, Quiet: true}})
	s.record("DeleteObjects", err)
	_, err = c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: bucket})
	s.record("DeleteBucketEncryption", err)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bucket})
	s.record("DeleteBucket", err)
	s.record("PutBucketVersioning", versioningScenario(c))
	return s
}

// versioningScenario enables versioning on a bucket of its own, writes two versions, reads the older one by id,
// deletes the key (a delete marker) and lists both versions and the marker; nil when Go saw all of it as S3 does.
func versioningScenario(c *s3.Client) error {
	bucket, key := aws.String("go-sweep-versions"), aws.String("k")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		return err
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		return err
	}
	var ids []string
	for _, text := range []string{"old", "new"} {
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader([]byte(text))})
		if err != nil {
			return err
		}
		ids = append(ids, aws.ToString(put.VersionId))
	}
	old, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(ids[0])})
	if err != nil {
		return err
	}
	defer old.Body.Close()
	deleted, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		return err
	}
	listed, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket})
	if err != nil {
		return err
	}
	if ids[0] == ids[1] || aws.ToString(old.VersionId) != ids[0] || !deleted.DeleteMarker || len(listed.Versions) != 2 ||
		len(listed.DeleteMarkers) != 1 || aws.ToString(listed.DeleteMarkers[0].VersionId) != aws.ToString(deleted.VersionId) ||
		!listed.DeleteMarkers[0].IsLatest || aws.ToString(listed.Versions[1].VersionId) != ids[0] {
		return fmt.Errorf("unexpected versions: put %v, got %v, marker %v, listed %d versions and %d markers",
			ids, aws.ToString(old.VersionId), aws.ToString(deleted.VersionId), len(listed.Versions), len(listed.DeleteMarkers))
	}
	return nil
}

// kmsErrorSweep provokes KMS's modelled exceptions, one call each, and records the code and whether the Go SDK
// handed it over as the operation's typed error: it does so only when the code is one the model lists for that
// operation, so a code AWS would not answer there shows up as untyped.
func kmsErrorSweep(c *kms.Client) map[string]observations {
	out := map[string]observations{}
	record := func(name string, err error) { out[name] = apiError(err) }
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must("error sweep key", err)
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must("error sweep other key", err)
	signing, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecEccNistP256, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	must("error sweep signing key", err)
	mac, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecHmac256, KeyUsage: kmstypes.KeyUsageTypeGenerateVerifyMac})
	must("error sweep mac key", err)
	encrypted, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x")})
	must("error sweep encrypt", err)

	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/none-such")})
	record("DescribeKey missing", err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a blob at all")})
	record("Decrypt garbage", err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: encrypted.CiphertextBlob, KeyId: other.KeyMetadata.KeyId})
	record("Decrypt other key", err)
	_, err = c.Sign(ctx, &kms.SignInput{KeyId: key.KeyMetadata.KeyId, Message: []byte("m"), SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	record("Sign symmetric key", err)
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: signing.KeyMetadata.KeyId, Message: []byte("m"), Signature: []byte("bad"),
		SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	record("Verify bad signature", err)
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: mac.KeyMetadata.KeyId, Message: []byte("m"), Mac: make([]byte, 32),
		MacAlgorithm: kmstypes.MacAlgorithmSpecHmacSha256})
	record("VerifyMac bad mac", err)
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: signing.KeyMetadata.KeyId, KeySpec: kmstypes.DataKeySpecAes256})
	record("GenerateDataKey signing key", err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/error-sweep"), TargetKeyId: key.KeyMetadata.KeyId})
	must("error sweep alias", err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/error-sweep"), TargetKeyId: key.KeyMetadata.KeyId})
	record("CreateAlias exists", err)
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/none-such")})
	record("DeleteAlias missing", err)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("x"), GrantTokens: []string{"not-a-token"}})
	record("Encrypt bad grant token", err)
	_, err = c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: aws.String("not-a-token")})
	record("RetireGrant bad token", err)
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("not-a-marker")})
	record("ListKeys bad marker", err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: signing.KeyMetadata.KeyId})
	record("EnableKeyRotation asymmetric", err)
	_, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: key.KeyMetadata.KeyId,
		WrappingAlgorithm: kmstypes.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: kmstypes.WrappingKeySpecRsa2048})
	record("GetParametersForImport AWS_KMS key", err)
	external, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: kmstypes.OriginTypeExternal})
	must("error sweep external key", err)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: external.KeyMetadata.KeyId, ImportToken: []byte("bad token"),
		EncryptedKeyMaterial: make([]byte, 256), ExpirationModel: kmstypes.ExpirationModelTypeKeyMaterialDoesNotExpire})
	record("ImportKeyMaterial bad token", err)
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: key.KeyMetadata.KeyId, Tags: []kmstypes.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("v")}}})
	record("TagResource aws: key", err)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyMetadata.KeyId, PolicyName: aws.String("default"), Policy: aws.String("{not json")})
	record("PutKeyPolicy malformed", err)
	_, err = c.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: key.KeyMetadata.KeyId, PrimaryRegion: aws.String("us-west-2")})
	record("UpdatePrimaryRegion single-Region key", err)
	_, err = c.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String("cks-1234567890abcdef0")})
	record("ConnectCustomKeyStore missing", err)
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: other.KeyMetadata.KeyId})
	must("error sweep disable", err)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: other.KeyMetadata.KeyId, Plaintext: []byte("x")})
	record("Encrypt disabled key", err)
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: other.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)})
	must("error sweep schedule deletion", err)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: other.KeyMetadata.KeyId, Plaintext: []byte("x")})
	record("Encrypt pending deletion", err)
	return out
}
