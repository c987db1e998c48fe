// KMS, Secrets Manager and S3 through the AWS SDK for Go v2 (Debian's golang-github-aws-aws-sdk-go-v2-dev): a client
// whose protocol code, SigV4 signer, error deserializers, paginators, checksums and S3 upload manager are all its
// own. It runs a fixed scenario against AWSEMU_ENDPOINT and prints what it observed as one JSON document, which
// test_sdk_go.py judges.
//
// Every signature, MAC and data key pair is also checked here with Go's own crypto (crypto/ecdsa, crypto/rsa,
// crypto/hmac, crypto/x509): an implementation that shares nothing with the OpenSSL the host signs with.
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

var ctx = context.Background()

// observations is what the program prints: each step's name and what the SDK handed back.
type observations map[string]interface{}

// must stops the scenario at the first call that should have worked, naming the step.
func must(step string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", step, err)
		os.Exit(1)
	}
}

// apiError is the code and message of a failed call as the SDK's deserializer read them, and whether it handed the
// error over as one of the operation's modelled exceptions ("typed"), which it does only for a code the model lists
// for that operation.
func apiError(err error) observations {
	if err == nil {
		return observations{"code": "no error", "typed": false}
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return observations{"code": "not an API error", "message": err.Error(), "typed": false}
	}
	_, generic := api.(*smithy.GenericAPIError)
	return observations{"code": api.ErrorCode(), "message": api.ErrorMessage(), "typed": !generic}
}

func main() {
	endpoint := os.Getenv("AWSEMU_ENDPOINT")
	// SDK_SECRET_ACCESS_KEY lets a test sign with a wrong secret, which a host with SIGV4_VERIFY=1 must refuse.
	secret := os.Getenv("SDK_SECRET_ACCESS_KEY")
	if secret == "" {
		secret = "test"
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", secret, ""),
		RetryMaxAttempts: 1}
	kmsClient := kms.NewFromConfig(cfg, func(o *kms.Options) { o.EndpointResolver = kms.EndpointResolverFromURL(endpoint) })
	smClient := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.EndpointResolver = secretsmanager.EndpointResolverFromURL(endpoint)
	})
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.EndpointResolver = s3.EndpointResolverFromURL(endpoint)
		o.UsePathStyle = true
	})
	westClient := kms.NewFromConfig(cfg, func(o *kms.Options) {
		o.EndpointResolver = kms.EndpointResolverFromURL(endpoint)
		o.Region = "us-west-2"
	})
	out := observations{}
	out["kms"] = kmsScenario(kmsClient)
	out["kms_sweep"] = kmsSweep(kmsClient, westClient)
	out["kms_errors"] = kmsErrorSweep(kmsClient)
	out["secretsmanager_sweep"] = secretsSweep(smClient)
	out["s3_sweep"] = s3Sweep(s3Client)
	out["secretsmanager"] = secretsScenario(smClient, kmsClient)
	out["s3"] = s3Scenario(s3Client, kmsClient)
	encoded, err := json.Marshal(out)
	must("encode", err)
	fmt.Println(string(encoded))
}

func kmsScenario(c *kms.Client) observations {
	out := observations{}
	message := []byte("signed by kms, checked by go")
	digest := sha256.Sum256(message)

	// ECDSA P-256: KMS signs, Go verifies with the public key KMS hands out.
	ecc, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecEccNistP256, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	must("create ecc key", err)
	eccPublic := publicKey(c, *ecc.KeyMetadata.KeyId)
	signed, err := c.Sign(ctx, &kms.SignInput{KeyId: ecc.KeyMetadata.KeyId, Message: message,
		SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	must("sign ecdsa", err)
	out["ecdsa"] = observations{
		"go_verifies":     ecdsa.VerifyASN1(eccPublic.(*ecdsa.PublicKey), digest[:], signed.Signature),
		"signature":       base64.StdEncoding.EncodeToString(signed.Signature),
		"public_key":      base64.StdEncoding.EncodeToString(publicKeyDER(c, *ecc.KeyMetadata.KeyId)),
		"algorithm":       string(signed.SigningAlgorithm),
		"key_id":          *signed.KeyId,
		"kms_verifies":    verify(c, *ecc.KeyMetadata.KeyId, message, signed.Signature, kmstypes.SigningAlgorithmSpecEcdsaSha256),
		"tampered_verify": apiError(verifyError(c, *ecc.KeyMetadata.KeyId, []byte("another message"), signed.Signature)),
	}
	// A DIGEST message: KMS signs the 32 bytes Go hashed.
	signedDigest, err := c.Sign(ctx, &kms.SignInput{KeyId: ecc.KeyMetadata.KeyId, Message: digest[:],
		MessageType: kmstypes.MessageTypeDigest, SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	must("sign digest", err)
	out["ecdsa_digest_go_verifies"] = ecdsa.VerifyASN1(eccPublic.(*ecdsa.PublicKey), digest[:], signedDigest.Signature)

	// RSA-2048 PSS and PKCS#1 v1.5.
	rsaKey, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	must("create rsa key", err)
	rsaPublic := publicKey(c, *rsaKey.KeyMetadata.KeyId).(*rsa.PublicKey)
	pss, err := c.Sign(ctx, &kms.SignInput{KeyId: rsaKey.KeyMetadata.KeyId, Message: message,
		SigningAlgorithm: kmstypes.SigningAlgorithmSpecRsassaPssSha256})
	must("sign pss", err)
	pkcs1, err := c.Sign(ctx, &kms.SignInput{KeyId: rsaKey.KeyMetadata.KeyId, Message: message,
		SigningAlgorithm: kmstypes.SigningAlgorithmSpecRsassaPkcs1V15Sha256})
	must("sign pkcs1", err)
	out["rsa"] = observations{
		// AWS KMS signs PSS with a salt as long as the digest.
		"pss_go_verifies": rsa.VerifyPSS(rsaPublic, crypto.SHA256, digest[:], pss.Signature,
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil,
		"pkcs1_go_verifies": rsa.VerifyPKCS1v15(rsaPublic, crypto.SHA256, digest[:], pkcs1.Signature) == nil,
		"wrong_usage":       apiError(encryptError(c, *rsaKey.KeyMetadata.KeyId)),
	}

	// RSA-OAEP: Go encrypts with the public key, KMS decrypts.
	oaepKey, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa3072, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt})
	must("create oaep key", err)
	oaepPublic := publicKey(c, *oaepKey.KeyMetadata.KeyId).(*rsa.PublicKey)
	sealed, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, oaepPublic, []byte("sealed by go"), nil)
	must("oaep encrypt", err)
	opened, err := c.Decrypt(ctx, &kms.DecryptInput{KeyId: oaepKey.KeyMetadata.KeyId, CiphertextBlob: sealed,
		EncryptionAlgorithm: kmstypes.EncryptionAlgorithmSpecRsaesOaepSha256})
	must("oaep decrypt", err)
	out["oaep_plaintext"] = string(opened.Plaintext)

	// HMAC with material the caller chose (the `_custom_key_material_` tag), so Go can compute the same MAC.
	material := bytes.Repeat([]byte{0x5a}, 32)
	hmacKey, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecHmac256,
		KeyUsage: kmstypes.KeyUsageTypeGenerateVerifyMac,
		Tags: []kmstypes.Tag{{TagKey: aws.String("_custom_key_material_"),
			TagValue: aws.String(base64.StdEncoding.EncodeToString(material))}}})
	must("create hmac key", err)
	mac, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: hmacKey.KeyMetadata.KeyId, Message: message,
		MacAlgorithm: kmstypes.MacAlgorithmSpecHmacSha256})
	must("generate mac", err)
	expected := hmac.New(sha256.New, material)
	expected.Write(message)
	verified, err := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: hmacKey.KeyMetadata.KeyId, Message: message,
		Mac: mac.Mac, MacAlgorithm: kmstypes.MacAlgorithmSpecHmacSha256})
	must("verify mac", err)
	_, badMac := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: hmacKey.KeyMetadata.KeyId, Message: []byte("other"),
		Mac: mac.Mac, MacAlgorithm: kmstypes.MacAlgorithmSpecHmacSha256})
	out["hmac"] = observations{"equals_go": hmac.Equal(mac.Mac, expected.Sum(nil)), "kms_verifies": verified.MacValid,
		"bad_mac": apiError(badMac)}

	// Symmetric: a data key pair, then the errors of the symmetric operations.
	symmetric, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("go sdk key")})
	must("create symmetric key", err)
	pair, err := c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: symmetric.KeyMetadata.KeyId,
		KeyPairSpec: kmstypes.DataKeyPairSpecEccNistP256, EncryptionContext: map[string]string{"pair": "go"}})
	must("generate data key pair", err)
	private, err := x509.ParsePKCS8PrivateKey(pair.PrivateKeyPlaintext)
	must("parse pair private key", err)
	pairPublic, err := x509.ParsePKIXPublicKey(pair.PublicKey)
	must("parse pair public key", err)
	unsealed, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: pair.PrivateKeyCiphertextBlob,
		EncryptionContext: map[string]string{"pair": "go"}})
	must("decrypt pair private key", err)
	out["data_key_pair"] = observations{
		"halves_match":  private.(*ecdsa.PrivateKey).PublicKey.Equal(pairPublic),
		"blob_decrypts": bytes.Equal(unsealed.Plaintext, pair.PrivateKeyPlaintext),
		"key_pair_spec": string(pair.KeyPairSpec),
		"key_id":        *pair.KeyId,
		"symmetric_key": *symmetric.KeyMetadata.Arn,
	}
	encrypted, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: symmetric.KeyMetadata.KeyId, Plaintext: []byte("go"),
		EncryptionContext: map[string]string{"a": "bc"}})
	must("encrypt", err)
	_, wrongContext := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: encrypted.CiphertextBlob,
		EncryptionContext: map[string]string{"ab": "c"}})
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("another go sdk key")})
	must("create other key", err)
	_, wrongKey := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: encrypted.CiphertextBlob, KeyId: other.KeyMetadata.KeyId,
		EncryptionContext: map[string]string{"a": "bc"}})
	var incorrectKey *kmstypes.IncorrectKeyException
	_, missing := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("00000000-0000-0000-0000-000000000000")})
	_, tooMany := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1025)})
	var notFound *kmstypes.NotFoundException
	out["errors"] = observations{
		"wrong_context":      apiError(wrongContext),
		"wrong_key":          apiError(wrongKey),
		"wrong_key_is_typed": errors.As(wrongKey, &incorrectKey),
		"not_found":          apiError(missing),
		"not_found_is_typed": errors.As(missing, &notFound),
		"validation":         apiError(tooMany),
	}

	// The SDK's paginator over ListKeys, two at a time (the AWS managed keys count too).
	pager := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)})
	pages, keys := 0, map[string]bool{}
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		must("list keys page", err)
		pages++
		for _, key := range page.Keys {
			keys[*key.KeyId] = true
		}
	}
	out["list_keys"] = observations{"pages": pages, "distinct_keys": len(keys)}
	return out
}

func publicKeyDER(c *kms.Client, keyID string) []byte {
	response, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(keyID)})
	must("get public key", err)
	return response.PublicKey
}

func publicKey(c *kms.Client, keyID string) interface{} {
	key, err := x509.ParsePKIXPublicKey(publicKeyDER(c, keyID))
	must("parse public key", err)
	return key
}

func verify(c *kms.Client, keyID string, message, signature []byte, algorithm kmstypes.SigningAlgorithmSpec) bool {
	response, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(keyID), Message: message, Signature: signature,
		SigningAlgorithm: algorithm})
	must("verify", err)
	return response.SignatureValid
}

func verifyError(c *kms.Client, keyID string, message, signature []byte) error {
	_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(keyID), Message: message, Signature: signature,
		SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	return err
}

func encryptError(c *kms.Client, keyID string) error {
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
	return err
}

func secretsScenario(c *secretsmanager.Client, k *kms.Client) observations {
	out := observations{}
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("secrets from go")})
	must("create secrets key", err)
	_, err = k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/go-secrets"), TargetKeyId: key.KeyMetadata.KeyId})
	must("create alias", err)
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("go/db-password"),
		SecretString: aws.String(`{"password":"hunter2"}`), KmsKeyId: aws.String("alias/go-secrets")})
	must("create secret", err)
	_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: created.ARN,
		SecretBinary: []byte{0, 1, 2, 0xff}})
	must("put secret value", err)
	current, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("go/db-password")})
	must("get secret value", err)
	previous, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: created.ARN,
		VersionStage: aws.String("AWSPREVIOUS")})
	must("get previous value", err)
	described, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: created.ARN})
	must("describe secret", err)
	versions, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: created.ARN})
	must("list versions", err)
	out["arn"] = *created.ARN
	out["current_binary"] = base64.StdEncoding.EncodeToString(current.SecretBinary)
	out["current_stages"] = current.VersionStages
	out["previous_string"] = aws.ToString(previous.SecretString)
	out["kms_key_id"] = aws.ToString(described.KmsKeyId)
	out["version_count"] = len(versions.Versions)

	// The value is really sealed by the customer key: with the key disabled it cannot be read.
	_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyMetadata.KeyId})
	must("disable secrets key", err)
	_, disabled := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: created.ARN})
	var decryptionFailure *smtypes.DecryptionFailure
	out["key_disabled"] = apiError(disabled)
	out["key_disabled_is_typed"] = errors.As(disabled, &decryptionFailure)
	_, err = k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.KeyMetadata.KeyId})
	must("enable secrets key", err)

	_, duplicate := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("go/db-password"),
		SecretString: aws.String("again")})
	_, missing := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("go/nothing")})
	var notFound *smtypes.ResourceNotFoundException
	out["duplicate"] = apiError(duplicate)
	out["missing"] = apiError(missing)
	out["missing_is_typed"] = errors.As(missing, &notFound)
	return out
}

func s3Scenario(c *s3.Client, k *kms.Client) observations {
	out := observations{}
	bucket := aws.String("go-sdk-bucket")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket})
	must("create bucket", err)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("objects from go")})
	must("create s3 key", err)

	body := []byte("an object sealed with a KMS key, put by the Go SDK")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("sealed.txt"), Body: bytes.NewReader(body),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: key.KeyMetadata.Arn,
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256})
	must("put object", err)
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("sealed.txt"),
		ChecksumMode: s3types.ChecksumModeEnabled})
	must("get object", err)
	// The SDK checks the returned checksum while the body is read: a wrong one fails ReadAll.
	gotBody, err := io.ReadAll(got.Body)
	must("read object", err)
	sum := sha256.Sum256(body)
	out["sealed"] = observations{
		"body_equal":        bytes.Equal(gotBody, body),
		"sse":               string(got.ServerSideEncryption),
		"sse_key":           aws.ToString(got.SSEKMSKeyId),
		"put_sse_key":       aws.ToString(put.SSEKMSKeyId),
		"checksum":          aws.ToString(got.ChecksumSHA256),
		"expected_checksum": base64.StdEncoding.EncodeToString(sum[:]),
		"put_checksum":      aws.ToString(put.ChecksumSHA256),
	}
	ranged, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("sealed.txt"), Range: aws.String("bytes=3-8")})
	must("ranged get", err)
	rangedBody, err := io.ReadAll(ranged.Body)
	must("read range", err)
	out["range"] = observations{"body": string(rangedBody), "content_range": aws.ToString(ranged.ContentRange)}

	// The upload manager: 12 MiB in 5 MiB parts, three parts uploaded concurrently.
	large := make([]byte, 12*1024*1024)
	_, err = rand.Read(large)
	must("random body", err)
	uploader := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 * 1024 * 1024; u.Concurrency = 3 })
	uploaded, err := uploader.Upload(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("large.bin"),
		Body: bytes.NewReader(large), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms})
	must("upload manager", err)
	downloader := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize = 4 * 1024 * 1024 })
	buffer := manager.NewWriteAtBuffer(make([]byte, 0, len(large)))
	downloaded, err := downloader.Download(ctx, buffer, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("large.bin")})
	must("download manager", err)
	out["multipart"] = observations{"etag": aws.ToString(uploaded.ETag), "parts_md5": partsMD5(large, 5*1024*1024),
		"downloaded": downloaded, "equal": bytes.Equal(buffer.Bytes(), large)}

	// A presigned GET, fetched by Go's plain HTTP client.
	presigned, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("sealed.txt")})
	must("presign", err)
	response, err := http.Get(presigned.URL)
	must("fetch presigned", err)
	presignedBody, _ := io.ReadAll(response.Body)
	response.Body.Close()
	out["presigned"] = observations{"status": response.StatusCode, "equal": bytes.Equal(presignedBody, body)}

	// The ListObjectsV2 paginator, two keys a page.
	for i := 0; i < 3; i++ {
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(fmt.Sprintf("page/%d", i)),
			Body: bytes.NewReader([]byte{byte(i)})})
		must("put page object", err)
	}
	pager := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: bucket, MaxKeys: 2})
	pages, listed := 0, []string{}
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		must("list objects page", err)
		pages++
		for _, object := range page.Contents {
			listed = append(listed, *object.Key)
		}
	}
	out["list"] = observations{"pages": pages, "keys": listed}

	deleted, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
		{Key: aws.String("page/0")}, {Key: aws.String("page/1")}, {Key: aws.String("never-was")}}}})
	must("delete objects", err)
	out["deleted"] = len(deleted.Deleted)

	_, noKey := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("never-was")})
	_, noBucket := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket-go"), Key: aws.String("x")})
	var noSuchKey *s3types.NoSuchKey
	var noSuchBucket *s3types.NoSuchBucket
	out["errors"] = observations{"no_key": apiError(noKey), "no_key_is_typed": errors.As(noKey, &noSuchKey),
		"no_bucket": apiError(noBucket), "no_bucket_is_typed": errors.As(noBucket, &noSuchBucket)}
	return out
}

// partsMD5 is the ETag S3 gives an object of these parts when each part's ETag is its MD5: the MD5 of the parts'
// MD5s, then "-" and their count. (An SSE-KMS object's ETag is not its MD5; the test compares only the suffix.)
func partsMD5(body []byte, partSize int) string {
	all := []byte{}
	count := 0
	for start := 0; start < len(body); start += partSize {
		end := start + partSize
		if end > len(body) {
			end = len(body)
		}
		sum := md5.Sum(body[start:end])
		all = append(all, sum[:]...)
		count++
	}
	total := md5.Sum(all)
	return fmt.Sprintf("\"%s-%d\"", hex.EncodeToString(total[:]), count)
}
