"""KMS and S3 through the AWS SDK for Ruby (sdk/kms_ruby.rb, sdk/s3_ruby.rb), whose JSON and REST-XML protocol
code, SigV4 signer, error parser, pagers, checksums, multipart upload and presigner are its own. Its KMS client is
an old one: Debian's aws-sdk-kms 1.24 knows the API of 2019, so it also shows that a client which has never heard
of the newer response members still works.

Ciphertexts cross between Ruby and boto3 both ways."""

import base64
import hashlib
import json

import pytest

from sdk_clients import run_ruby_scenario

ACCOUNT_ARN = "arn:aws:kms:us-east-1:000000000000:key/"


@pytest.fixture(scope="module")
def boto_blob(client):
    kms = client("kms")
    key = kms.create_key(Description="boto3 key for ruby")["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"from boto3 to ruby")["CiphertextBlob"]
    return key, blob


@pytest.fixture(scope="module")
def observed(endpoint, boto_blob):
    return run_ruby_scenario("kms_ruby.rb", endpoint, {"FOREIGN_BLOB": base64.b64encode(boto_blob[1]).decode()})


def test_key_created_by_ruby(observed, client):
    created = observed["create_key"]
    assert created["arn"] == ACCOUNT_ARN + created["key_id"]
    assert (created["state"], created["usage"], created["origin"], created["manager"], created["enabled"]) == (
        "Enabled", "ENCRYPT_DECRYPT", "AWS_KMS", "CUSTOMER", True)
    # The SDK turned the epoch-seconds number into a time.
    assert created["creation_date_class"] == "Time"
    assert observed["tags"] == [["team", "ruby"]]
    assert observed["policy_sid"] == ["Enable IAM User Permissions"]
    described = client("kms").describe_key(KeyId="alias/ruby-sdk")["KeyMetadata"]
    assert described["Description"] == "ruby sdk key"


def test_encrypt_and_decrypt_with_an_alias_and_a_context(observed, client):
    arn = observed["create_key"]["arn"]
    assert observed["encrypt"]["key_id"] == arn
    assert observed["decrypt"] == {"key_id": arn, "plaintext": "hello from ruby"}
    # {"a": "bc"} and {"ab": "c"} are different contexts.
    assert observed["decrypt_other_context"]["class"] == "Aws::KMS::Errors::InvalidCiphertextException"
    # boto3 opens what Ruby sealed.
    opened = client("kms").decrypt(CiphertextBlob=base64.b64decode(observed["encrypt"]["blob"]),
                                   EncryptionContext={"purpose": "ruby", "a": "bc"})
    assert opened["Plaintext"] == b"hello from ruby"


def test_ruby_opens_a_blob_boto3_sealed(observed, boto_blob):
    assert observed["decrypt_foreign"] == {"key_id": boto_blob[0], "plaintext": "from boto3 to ruby"}


def test_data_key_and_re_encrypt(observed, client):
    data_key = observed["data_key"]
    plaintext = base64.b64decode(data_key["plaintext"])
    assert len(plaintext) == 32
    opened = client("kms").decrypt(CiphertextBlob=base64.b64decode(data_key["blob"]),
                                   EncryptionContext={"purpose": "ruby", "a": "bc"})
    assert opened["Plaintext"] == plaintext
    re_encrypted = observed["re_encrypt"]
    assert re_encrypted["source"] == re_encrypted["destination"] == observed["create_key"]["arn"]
    assert re_encrypted["plaintext"] == data_key["plaintext"]
    assert observed["random_length"] == 64


def test_ruby_pager_and_grants(observed):
    # Four customer keys, two per page: the pager follows NextMarker until Truncated is false.
    assert observed["list_keys_pages"][-1] <= 2 and all(size == 2 for size in observed["list_keys_pages"][:-1])
    assert observed["list_keys_total"] >= 4
    assert observed["grants"] == [[True, ["Decrypt", "Encrypt"]]]


def test_errors_reach_ruby_as_its_error_classes_with_aws_messages(observed):
    errors = observed["errors"]
    arn = observed["create_key"]["arn"]
    assert errors["not_found"] == {
        "class": "Aws::KMS::Errors::NotFoundException", "code": "NotFoundException",
        "message": "Alias arn:aws:kms:us-east-1:000000000000:alias/does-not-exist is not found."}
    assert errors["too_many_bytes"]["class"] == "Aws::KMS::Errors::ValidationException"
    assert errors["too_many_bytes"]["message"] == (
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
        "Member must have value less than or equal to 1024")
    assert errors["bad_window"]["message"].endswith("Member must have value greater than or equal to 7")
    assert errors["garbage_blob"]["class"] == "Aws::KMS::Errors::InvalidCiphertextException"
    assert errors["alias_exists"]["class"] == "Aws::KMS::Errors::AlreadyExistsException"
    assert errors["reserved_alias"]["class"] == "Aws::KMS::Errors::NotAuthorizedException"
    assert errors["disabled"] == {"class": "Aws::KMS::Errors::DisabledException", "code": "DisabledException",
                                  "message": f"{arn} is disabled."}
    assert errors["pending_deletion"] == {"class": "Aws::KMS::Errors::KMSInvalidStateException",
                                          "code": "KMSInvalidStateException",
                                          "message": f"{arn} is pending deletion."}


def test_deletion_window_and_cancel(observed):
    assert observed["deletion"]["key_id"] == observed["create_key"]["arn"]
    assert observed["deletion"]["date_class"] == "Time" and observed["deletion"]["state"] == "PendingDeletion"
    assert observed["after_cancel"] == "Disabled"


@pytest.fixture(scope="module")
def s3_observed(endpoint):
    return run_ruby_scenario("s3_ruby.rb", endpoint)


def test_s3_object_sealed_with_kms_through_ruby(s3_observed, client):
    sealed = s3_observed["sealed"]
    body = b"sealed by ruby " * 10
    assert sealed["body_equal"] and sealed["content_length"] == len(body)
    assert sealed["sse"] == "aws:kms" and sealed["sse_key"].startswith(ACCOUNT_ARN)
    # The SDK validated the SHA-256 the host returned against the body it read.
    assert sealed["checksum_validated"] == "SHA256"
    assert sealed["put_checksum"] == sealed["expected_checksum"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert client("s3").get_object(Bucket="ruby-sdk-bucket", Key="sealed.txt")["Body"].read() == body


def test_s3_large_bodies_through_ruby(s3_observed):
    big = s3_observed["big"]
    # A plain object's ETag is its MD5, which the SDK sent as Content-MD5 too.
    assert big["etag"] == f'"{big["md5"]}"' and big["equal"]
    uploaded = s3_observed["upload_file"]
    assert uploaded["equal"] and uploaded["size"] == 11 * 1024 * 1024
    assert uploaded["etag"].endswith('-3"') and uploaded["sse"] == "aws:kms"


def test_s3_presign_copy_list_delete_through_ruby(s3_observed):
    assert s3_observed["presigned"] == {"status": 200, "equal": True}
    assert s3_observed["copy"] == {"etag_present": True, "body_equal": True}
    assert s3_observed["list"] == [["big.bin", "copy.txt"], ["sealed.txt", "upload.bin"]]
    assert s3_observed["deleted"] == ["big.bin", "copy.txt"]


def test_s3_errors_reach_ruby_as_its_error_classes(s3_observed):
    errors = s3_observed["errors"]
    assert errors["no_key"] == {"class": "Aws::S3::Errors::NoSuchKey", "code": "NoSuchKey",
                                "message": "The specified key does not exist."}
    # HEAD has no body: the SDK names the error after the status.
    assert errors["no_bucket"]["class"] == "Aws::S3::Errors::NotFound"
    assert errors["not_empty"]["code"] == "BucketNotEmpty"
    assert errors["bad_kms_key"]["code"] == "KMSNotFoundException"
    assert errors["bad_kms_key"]["message"] == (
        f"Key '{ACCOUNT_ARN}00000000-0000-0000-0000-000000000000' does not exist")


def test_s3_versions_and_acls_through_ruby(s3_observed):
    versions = s3_observed["versions"]
    assert versions == {"status": "Enabled", "ids_differ": True, "old_body": "old", "marker": [True, True],
                        "listed": [["new", False], ["old", False]], "marker_latest": [True], "hidden_header": "true",
                        "acl": [["CanonicalUser", True, "FULL_CONTROL"]]}


def test_s3_encryption_client_envelope_opens_with_boto3_and_cryptography(s3_observed, client):
    """Ruby's S3 Encryption Client wraps its data key with KMS under the context {"aws:x-amz-cek-alg": ...} and seals
    the body with AES-GCM itself; the object must open here with boto3's KMS Decrypt and Python's AES-GCM alone."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cse = s3_observed["client_side"]
    assert cse["decrypted"] == "sealed before it left ruby"
    stored = client("s3").get_object(Bucket="ruby-sdk-bucket", Key=cse["key"])
    metadata = stored["Metadata"]
    sealed = stored["Body"].read()
    assert b"sealed before it left ruby" not in sealed
    assert metadata["x-amz-wrap-alg"] == "kms+context" and metadata["x-amz-cek-alg"] == "AES/GCM/NoPadding"
    context = json.loads(metadata["x-amz-matdesc"])
    data_key = client("kms").decrypt(CiphertextBlob=base64.b64decode(metadata["x-amz-key-v2"]), EncryptionContext=context)
    assert data_key["KeyId"] == cse["key_arn"]
    plaintext = AESGCM(data_key["Plaintext"]).decrypt(base64.b64decode(metadata["x-amz-iv"]), sealed, None)
    assert plaintext == b"sealed before it left ruby"
