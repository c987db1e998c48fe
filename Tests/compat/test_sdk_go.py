"""KMS, Secrets Manager and S3 driven by the AWS SDK for Go v2 (sdk/go/main.go), which shares no code with botocore:
its own JSON and REST-XML protocol code, SigV4 signer, typed error deserializers, paginators, S3 checksums, upload
and download managers and presigner.

The scenario checks every signature, MAC and key pair with Go's crypto; the ECDSA signature is checked here once
more with Python's `cryptography`, and the S3 checksum with hashlib."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sdk_clients import build_go_scenario, run_scenario

ACCOUNT_ARN = "arn:aws:kms:us-east-1:000000000000:key/"


@pytest.fixture(scope="module")
def observed(endpoint, tmp_path_factory):
    binary = build_go_scenario(tmp_path_factory.mktemp("go"))
    return run_scenario([str(binary)], endpoint)


def test_signatures_check_out_with_go_and_python(observed):
    kms = observed["kms"]
    ecdsa = kms["ecdsa"]
    assert ecdsa["go_verifies"] and ecdsa["kms_verifies"] and kms["ecdsa_digest_go_verifies"]
    assert ecdsa["algorithm"] == "ECDSA_SHA_256" and ecdsa["key_id"].startswith(ACCOUNT_ARN)
    public_key = serialization.load_der_public_key(base64.b64decode(ecdsa["public_key"]))
    public_key.verify(base64.b64decode(ecdsa["signature"]), b"signed by kms, checked by go",
                      ec.ECDSA(hashes.SHA256()))
    # A signature that does not match is an error in AWS, not SignatureValid false.
    assert ecdsa["tampered_verify"]["code"] == "KMSInvalidSignatureException"
    assert kms["rsa"]["pss_go_verifies"] and kms["rsa"]["pkcs1_go_verifies"]


def test_rsa_oaep_ciphertext_from_go_decrypts(observed):
    assert observed["kms"]["oaep_plaintext"] == "sealed by go"


def test_mac_equals_go_hmac_of_the_chosen_material(observed):
    hmac = observed["kms"]["hmac"]
    assert hmac["equals_go"] and hmac["kms_verifies"]
    assert hmac["bad_mac"]["code"] == "KMSInvalidMacException"


def test_data_key_pair_halves_belong_together(observed):
    pair = observed["kms"]["data_key_pair"]
    assert pair["halves_match"] and pair["blob_decrypts"]
    assert pair["key_pair_spec"] == "ECC_NIST_P256" and pair["key_id"] == pair["symmetric_key"]


def test_kms_errors_reach_go_as_typed_errors_with_aws_messages(observed):
    errors = observed["kms"]["errors"]
    # {"a": "bc"} and {"ab": "c"} are different encryption contexts.
    assert errors["wrong_context"]["code"] == "InvalidCiphertextException"
    assert errors["wrong_key"]["code"] == "IncorrectKeyException" and errors["wrong_key_is_typed"]
    assert errors["not_found_is_typed"]
    assert errors["not_found"]["message"] == (
        f"Key '{ACCOUNT_ARN}00000000-0000-0000-0000-000000000000' does not exist")
    assert errors["validation"] == {
        "code": "ValidationException", "typed": False,
        "message": "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
                   "Member must have value less than or equal to 1024"}
    assert observed["kms"]["rsa"]["wrong_usage"]["code"] == "InvalidKeyUsageException"


def test_go_paginator_walks_every_key(observed, client):
    listed = observed["kms"]["list_keys"]
    # The paginator stops when Truncated is false; every key once, two per page.
    assert listed["pages"] == -(-listed["distinct_keys"] // 2)
    assert listed["distinct_keys"] >= 5


def test_secrets_manager_through_go(observed, client):
    secrets = observed["secretsmanager"]
    assert secrets["current_binary"] == base64.b64encode(bytes([0, 1, 2, 0xFF])).decode()
    assert secrets["current_stages"] == ["AWSCURRENT"]
    assert secrets["previous_string"] == '{"password":"hunter2"}'
    assert secrets["version_count"] == 2
    assert secrets["kms_key_id"] == "alias/go-secrets"
    # boto3 reads what Go wrote.
    sm = client("secretsmanager")
    assert sm.get_secret_value(SecretId=secrets["arn"])["SecretBinary"] == bytes([0, 1, 2, 0xFF])


def test_secrets_manager_errors_carry_their_messages_to_go(observed):
    """The Go SDK reads a Secrets Manager exception's message only from `Message`, the member its model names;
    before the host wrote it so, every one of these messages reached Go empty."""
    secrets = observed["secretsmanager"]
    assert secrets["missing_is_typed"] and secrets["key_disabled_is_typed"]
    assert secrets["missing"]["message"] == "Secrets Manager can't find the specified secret."
    assert secrets["duplicate"]["code"] == "ResourceExistsException"
    assert secrets["duplicate"]["message"] == "The operation failed because the secret go/db-password already exists."
    # The value is sealed by the customer key: disabled, it cannot be read.
    assert secrets["key_disabled"]["code"] == "DecryptionFailure" and secrets["key_disabled"]["message"]


def test_s3_object_sealed_with_kms_through_go(observed, client):
    s3 = observed["s3"]["sealed"]
    body = b"an object sealed with a KMS key, put by the Go SDK"
    assert s3["body_equal"] and s3["sse"] == "aws:kms"
    assert s3["sse_key"] == s3["put_sse_key"] and s3["sse_key"].startswith(ACCOUNT_ARN)
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert s3["checksum"] == s3["put_checksum"] == s3["expected_checksum"] == expected
    assert client("s3").get_object(Bucket="go-sdk-bucket", Key="sealed.txt")["Body"].read() == body
    assert observed["s3"]["range"] == {"body": "object", "content_range": f"bytes 3-8/{len(body)}"}


def test_s3_upload_and_download_managers(observed):
    multipart = observed["s3"]["multipart"]
    assert multipart["equal"] and multipart["downloaded"] == 12 * 1024 * 1024
    # Three parts; an SSE-KMS object's ETag is not an MD5, but it still counts its parts.
    assert multipart["etag"].endswith('-3"')


def test_s3_presigned_get_and_listing(observed):
    s3 = observed["s3"]
    assert s3["presigned"] == {"status": 200, "equal": True}
    assert s3["list"] == {"pages": 3, "keys": ["large.bin", "page/0", "page/1", "page/2", "sealed.txt"]}
    # S3 reports a key that never existed as deleted too.
    assert s3["deleted"] == 3


def test_s3_errors_through_go(observed):
    errors = observed["s3"]["errors"]
    assert errors["no_key"]["code"] == "NoSuchKey" and errors["no_key_is_typed"]
    # GetObject's model lists no NoSuchBucket, so Go hands it over untyped, with S3's code and message.
    assert errors["no_bucket"]["code"] == "NoSuchBucket"
    assert errors["no_bucket"]["message"] == "The specified bucket does not exist"


@pytest.mark.parametrize("sweep", ["kms_sweep", "secretsmanager_sweep", "s3_sweep"])
def test_every_operation_answers_in_the_shape_go_deserializes(observed, sweep):
    """The Go SDK's deserializers refuse a member of the wrong type, so each operation it knows, called once with
    valid input, must come back without error: 52 KMS calls (every operation of its KMS client but the custom key
    stores', which need a cluster or proxy), 21 Secrets Manager calls (all but rotation, which needs Lambda) and 40
    S3 calls (every operation the S3 plugin serves; a few also check what Go read, and PutBucketVersioning stands for
    a whole versioning scenario)."""
    failed = {operation: error for operation, error in observed[sweep].items() if error != "ok"}
    assert not failed
    assert len(observed[sweep]) == {"kms_sweep": 52, "secretsmanager_sweep": 21, "s3_sweep": 40}[sweep]


EXPECTED_KMS_ERRORS = {
    "DescribeKey missing": "NotFoundException", "Decrypt garbage": "InvalidCiphertextException",
    "Decrypt other key": "IncorrectKeyException", "Sign symmetric key": "InvalidKeyUsageException",
    "Verify bad signature": "KMSInvalidSignatureException", "VerifyMac bad mac": "KMSInvalidMacException",
    "GenerateDataKey signing key": "InvalidKeyUsageException", "CreateAlias exists": "AlreadyExistsException",
    "DeleteAlias missing": "NotFoundException", "Encrypt bad grant token": "InvalidGrantTokenException",
    "RetireGrant bad token": "InvalidGrantTokenException", "ListKeys bad marker": "InvalidMarkerException",
    "EnableKeyRotation asymmetric": "UnsupportedOperationException",
    "GetParametersForImport AWS_KMS key": "UnsupportedOperationException",
    "ImportKeyMaterial bad token": "InvalidImportTokenException", "TagResource aws: key": "TagException",
    "PutKeyPolicy malformed": "MalformedPolicyDocumentException",
    "UpdatePrimaryRegion single-Region key": "UnsupportedOperationException",
    "ConnectCustomKeyStore missing": "CustomKeyStoreNotFoundException", "Encrypt disabled key": "DisabledException",
    "Encrypt pending deletion": "KMSInvalidStateException",
}


def test_kms_errors_are_the_operations_modelled_exceptions(observed):
    """Go hands an error over as the operation's typed exception only when the model lists that code for that
    operation; each of these 21 refusals must be one of them."""
    errors = observed["kms_errors"]
    assert {case: entry["code"] for case, entry in errors.items()} == EXPECTED_KMS_ERRORS
    assert [case for case, entry in errors.items() if not entry["typed"]] == []
