"""Key policy operations: the default document as AWS writes it, Get/Put/List."""

import json

import pytest

from kms_helpers import aws_error


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


def test_default_policy(kms):
    key = kms.create_key()["KeyMetadata"]
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert policy == {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*", "Resource": "*"}]}
    assert kms.get_key_policy(KeyId=key["KeyId"])["PolicyName"] == "default"
    assert kms.list_key_policies(KeyId=key["KeyId"]) ["PolicyNames"] == ["default"]


def test_put_and_get_policy(kms):
    key = kms.create_key()["KeyMetadata"]
    document = {"Version": "2012-10-17", "Statement": [{"Sid": "all", "Effect": "Allow",
                                                        "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                                                        "Action": "kms:*", "Resource": "*"}]}
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(document))
    assert json.loads(kms.get_key_policy(KeyId=key["KeyId"])["Policy"]) == document
    assert aws_error(kms.put_key_policy, KeyId=key["KeyId"], Policy="{not json")[0] == "MalformedPolicyDocumentException"
    assert aws_error(kms.get_key_policy, KeyId=key["KeyId"], PolicyName="other")[0] == "NotFoundException"


def test_policy_at_create_key(kms):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                        "Action": "kms:*", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(document))["KeyMetadata"]
    assert json.loads(kms.get_key_policy(KeyId=key["KeyId"])["Policy"]) == document


def test_reencrypt_on_same_key_condition_is_decided_by_the_keys_not_the_request_text(kms):
    """kms:ReEncryptOnSameKey compares the ciphertext's key with the destination key, however they are named: by
    the ciphertext alone (no SourceKeyId), by alias or by ARN."""
    deny_same_key = {"Version": "2012-10-17", "Statement": [
        {"Sid": "all", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "no same-key re-encryption", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": ["kms:ReEncryptFrom", "kms:ReEncryptTo"], "Resource": "*",
         "Condition": {"Bool": {"kms:ReEncryptOnSameKey": "true"}}}]}
    key = kms.create_key(Policy=json.dumps(deny_same_key))["KeyMetadata"]
    other = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/same-key-test", TargetKeyId=key["KeyId"])
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    for destination in [key["KeyId"], key["Arn"], "alias/same-key-test"]:
        assert aws_error(kms.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination)[0] == "AccessDeniedException"
    # A different destination key is not the same key: allowed, and the result decrypts.
    moved = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other["KeyId"])["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=moved)["Plaintext"] == b"x"
