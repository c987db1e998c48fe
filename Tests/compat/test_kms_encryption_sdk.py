"""The AWS Encryption SDK for Python, with a KMS master key provider pointed at awsemu: envelope encryption
whose data key KMS really generates and encrypts."""

import aws_encryption_sdk
import botocore.session
import pytest
from aws_encryption_sdk.identifiers import CommitmentPolicy


@pytest.fixture
def kms_session(endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return botocore.session.Session()


def test_encrypt_and_decrypt_a_message(client, kms_session):
    key_arn = client("kms").create_key(Description="esdk")["KeyMetadata"]["Arn"]
    sdk = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=kms_session)
    message = b"a message the Encryption SDK protects with a KMS data key" * 20
    ciphertext, header = sdk.encrypt(source=message, key_provider=provider,
                                     encryption_context={"purpose": "compat-test"})
    assert message not in ciphertext
    assert ciphertext[:1] == b"\x02"  # an ESDK v2 message, not a KMS blob
    assert [key.key_provider.key_info.decode() for key in header.encrypted_data_keys] == [key_arn]
    plaintext, decrypt_header = sdk.decrypt(source=ciphertext, key_provider=provider)
    assert plaintext == message
    assert decrypt_header.encryption_context["purpose"] == "compat-test"


def test_kms_rejects_an_esdk_message_as_ciphertext(client, kms_session):
    kms = client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    sdk = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=kms_session)
    ciphertext, _ = sdk.encrypt(source=b"x", key_provider=provider)
    import botocore.exceptions
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kms.decrypt(CiphertextBlob=ciphertext[:4096])
    assert info.value.response["Error"]["Code"] == "InvalidCiphertextException"
