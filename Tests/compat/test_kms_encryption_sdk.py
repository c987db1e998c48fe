"""The AWS Encryption SDK for Python, with a KMS master key provider pointed at awsemu: envelope encryption
whose data key KMS really generates and encrypts."""

import aws_encryption_sdk
import botocore.exceptions
import botocore.session
import pytest
from aws_encryption_sdk.exceptions import DecryptKeyError
from aws_encryption_sdk.identifiers import CommitmentPolicy
from aws_encryption_sdk.key_providers.kms import (DiscoveryFilter, MRKAwareDiscoveryAwsKmsMasterKeyProvider,
                                                  MRKAwareStrictAwsKmsMasterKeyProvider)

from kms_helpers import wait_out_transient_state

SDK = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)


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
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kms.decrypt(CiphertextBlob=ciphertext[:4096])
    assert info.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_a_message_for_two_keys_decrypts_with_either(client, kms_session):
    """Each key gets its own encrypted data key in the message header; either key alone opens it."""
    kms = client("kms")
    first, second = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
    both = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[first, second], botocore_session=kms_session)
    ciphertext, header = SDK.encrypt(source=b"for two keys", key_provider=both)
    assert sorted(key.key_provider.key_info.decode() for key in header.encrypted_data_keys) == sorted([first, second])
    for key_arn in (first, second):
        alone = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=kms_session)
        assert SDK.decrypt(source=ciphertext, key_provider=alone)[0] == b"for two keys"
    kms.disable_key(KeyId=first)
    kms.disable_key(KeyId=second)
    with pytest.raises(DecryptKeyError):
        SDK.decrypt(source=ciphertext, key_provider=both)


def test_multi_region_key_decrypts_in_the_replica_region(client, kms_session):
    """The MRK-aware providers: a message encrypted under a primary in us-east-1 is decrypted in eu-west-1 by its
    replica (the SDK calls Decrypt there with the replica's ARN), and by discovery limited to the account."""
    east = client("kms", region_name="us-east-1")
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    west = client("kms", region_name="eu-west-1")
    assert wait_out_transient_state(west, primary["KeyId"])[0] == "Enabled"
    replica_arn = primary["Arn"].replace("us-east-1", "eu-west-1")
    encrypting = MRKAwareStrictAwsKmsMasterKeyProvider(key_ids=[primary["Arn"]], botocore_session=kms_session)
    ciphertext, _ = SDK.encrypt(source=b"across regions", key_provider=encrypting,
                                encryption_context={"tenant": "eu"})
    in_west = MRKAwareStrictAwsKmsMasterKeyProvider(key_ids=[replica_arn], botocore_session=kms_session)
    plaintext, header = SDK.decrypt(source=ciphertext, key_provider=in_west)
    assert plaintext == b"across regions" and header.encryption_context["tenant"] == "eu"
    discovery = MRKAwareDiscoveryAwsKmsMasterKeyProvider(
        discovery_region="eu-west-1", botocore_session=kms_session,
        discovery_filter=DiscoveryFilter(account_ids=["000000000000"], partition="aws"))
    assert SDK.decrypt(source=ciphertext, key_provider=discovery)[0] == b"across regions"
    # No replica in ap-south-1: KMS there does not know the key, so nothing decrypts the data key.
    no_replica = MRKAwareStrictAwsKmsMasterKeyProvider(key_ids=[primary["Arn"].replace("us-east-1", "ap-south-1")],
                                                       botocore_session=kms_session)
    with pytest.raises(DecryptKeyError):
        SDK.decrypt(source=ciphertext, key_provider=no_replica)


def test_a_tampered_data_key_is_refused_by_kms(client, kms_session):
    """One bit flipped inside the KMS ciphertext blob that the message carries as its encrypted data key: KMS's
    Decrypt refuses it, so the SDK finds no data key."""
    key_arn = client("kms").create_key()["KeyMetadata"]["Arn"]
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=kms_session)
    ciphertext, header = SDK.encrypt(source=b"sealed", key_provider=provider, encryption_context={"a": "b"})
    blob = next(iter(header.encrypted_data_keys)).encrypted_data_key
    at = ciphertext.index(blob) + len(blob) // 2
    tampered = ciphertext[:at] + bytes([ciphertext[at] ^ 1]) + ciphertext[at + 1:]
    with pytest.raises(DecryptKeyError):
        SDK.decrypt(source=tampered, key_provider=provider)
