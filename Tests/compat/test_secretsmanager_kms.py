"""Secrets Manager encrypts every value through KMS on the service bus: the AWS managed key (created on first use,
usable only through Secrets Manager), customer keys and their state, key policies seeing kms:ViaService, and the
errors when KMS refuses or is not loaded."""

import json
import uuid

import pytest

from awsemu_host import AwsemuHost, make_client
from kms_helpers import aws_error

DECRYPTION_FAILURE = ("DecryptionFailure",
                      "Secrets Manager can't decrypt the protected secret text using the provided KMS key.", 400)


@pytest.fixture(scope="module")
def sm(client):
    return client("secretsmanager")


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


def name(prefix="k"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def version_keys(sm, secret_id):
    """Version id -> the KMS key ARN its data key is wrapped under, as ListSecretVersionIds names it:
    "DefaultEncryptionKey" for the AWS managed key aws/secretsmanager, as AWS answers."""
    versions = sm.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True)["Versions"]
    return {v["VersionId"]: v["KmsKeyIds"][0] for v in versions}


def managed_alias(kms):
    return next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/aws/secretsmanager")


def test_aws_managed_key_is_created_on_first_use_and_only_secrets_manager_may_use_it(sm, kms):
    # Runs first in this module, on a freshly reset host: the predefined alias exists, its key does not yet.
    assert "TargetKeyId" not in managed_alias(kms)
    secret_name = name()
    version = sm.create_secret(Name=secret_name, SecretString="managed")["VersionId"]
    key_id = managed_alias(kms)["TargetKeyId"]
    meta = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
    assert meta["KeyId"] == key_id and meta["KeyManager"] == "AWS"
    assert version_keys(sm, secret_name) == {version: "DefaultEncryptionKey"}
    assert "KmsKeyId" not in sm.describe_secret(SecretId=secret_name)
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "managed"
    # The key policy allows cryptography only via secretsmanager.<region>.amazonaws.com: the user, calling KMS
    # directly with the same credentials, is denied.
    for call, args in ((kms.encrypt, {"Plaintext": b"x"}), (kms.generate_data_key, {"KeySpec": "AES_256"})):
        code, message, _ = aws_error(call, KeyId="alias/aws/secretsmanager", **args)
        assert code == "AccessDeniedException", message
    # (A direct Decrypt of a secret's own wrapped data key is refused too: test_secretsmanager_persistence reads
    # one from the stored record and tries.)
    # Creating a second secret reuses the same managed key.
    sm.create_secret(Name=name(), SecretString="again")
    assert managed_alias(kms)["TargetKeyId"] == key_id


def test_customer_key_disabled_then_enabled(sm, kms):
    key = kms.create_key(Description="for secrets")["KeyMetadata"]
    secret_name = name()
    created = sm.create_secret(Name=secret_name, SecretString="under my key", KmsKeyId=key["KeyId"])
    assert sm.describe_secret(SecretId=secret_name)["KmsKeyId"] == key["KeyId"]
    assert version_keys(sm, secret_name) == {created["VersionId"]: key["Arn"]}
    kms.disable_key(KeyId=key["KeyId"])
    assert aws_error(sm.get_secret_value, SecretId=secret_name) == DECRYPTION_FAILURE
    code, message, status = aws_error(sm.put_secret_value, SecretId=secret_name, SecretString="new")
    assert (code, status) == ("EncryptionFailure", 400)
    assert "DisabledException" in message
    code, message, _ = aws_error(sm.create_secret, Name=name(), SecretString="x", KmsKeyId=key["Arn"])
    assert code == "EncryptionFailure" and "DisabledException" in message
    batch = sm.batch_get_secret_value(SecretIdList=[secret_name])
    assert batch["SecretValues"] == []
    assert [(e["ErrorCode"], e["Message"]) for e in batch["Errors"]] == [DECRYPTION_FAILURE[:2]]
    kms.enable_key(KeyId=key["KeyId"])
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "under my key"
    sm.put_secret_value(SecretId=secret_name, SecretString="new")
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "new"


def test_failed_encryption_creates_nothing(sm, kms):
    secret_name = name()
    code, message, status = aws_error(sm.create_secret, Name=secret_name, SecretString="x", KmsKeyId="alias/no-such-key")
    assert (code, status) == ("EncryptionFailure", 400)
    assert "NotFoundException" in message
    code, _, _ = aws_error(sm.describe_secret, SecretId=secret_name)
    assert code == "ResourceNotFoundException"
    deleted = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=deleted, PendingWindowInDays=7)
    code, message, _ = aws_error(sm.create_secret, Name=secret_name, SecretString="x", KmsKeyId=deleted)
    assert code == "EncryptionFailure" and "KMSInvalidStateException" in message


def test_key_policy_sees_secrets_manager_as_the_via_service(sm, kms):
    account_root = "arn:aws:iam::000000000000:root"
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "admin", "Effect": "Allow", "Principal": {"AWS": account_root}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "no-secrets-decrypt", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}},
    ]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="write only", KmsKeyId=key["Arn"])
    assert aws_error(sm.get_secret_value, SecretId=secret_name) == DECRYPTION_FAILURE
    # The same caller may decrypt directly with the key: the deny names only Secrets Manager's path.
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"direct")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"direct"
    policy["Statement"][1]["Action"] = "kms:GenerateDataKey"
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(policy))
    code, message, _ = aws_error(sm.put_secret_value, SecretId=secret_name, SecretString="more")
    assert code == "EncryptionFailure" and "AccessDeniedException" in message
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "write only"


def test_update_secret_kms_key_re_encrypts_labelled_versions(sm, kms):
    secret_name = name()
    v1 = sm.create_secret(Name=secret_name, SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId=secret_name, SecretString="two")["VersionId"]
    v3 = sm.put_secret_value(SecretId=secret_name, SecretString="three")["VersionId"]
    managed = "DefaultEncryptionKey"  # how ListSecretVersionIds names the AWS managed key
    key = kms.create_key()["KeyMetadata"]
    answer = sm.update_secret(SecretId=secret_name, KmsKeyId=key["Arn"])
    assert "VersionId" not in answer
    # AWSCURRENT (v3) and AWSPREVIOUS (v2) move to the new key; the deprecated v1 keeps the old one.
    assert version_keys(sm, secret_name) == {v1: managed, v2: key["Arn"], v3: key["Arn"]}
    assert sm.describe_secret(SecretId=secret_name)["KmsKeyId"] == key["Arn"]
    v4 = sm.put_secret_value(SecretId=secret_name, SecretString="four")["VersionId"]
    assert version_keys(sm, secret_name)[v4] == key["Arn"]
    kms.disable_key(KeyId=key["KeyId"])
    assert aws_error(sm.get_secret_value, SecretId=secret_name, VersionId=v3) == DECRYPTION_FAILURE
    assert sm.get_secret_value(SecretId=secret_name, VersionId=v1)["SecretString"] == "one"
    kms.enable_key(KeyId=key["KeyId"])
    assert [sm.get_secret_value(SecretId=secret_name, VersionId=v)["SecretString"] for v in (v2, v3, v4)] == \
        ["two", "three", "four"]
    # An empty KmsKeyId goes back to the AWS managed key, which DescribeSecret leaves out, as it does when named.
    sm.update_secret(SecretId=secret_name, KmsKeyId="")
    assert "KmsKeyId" not in sm.describe_secret(SecretId=secret_name)
    assert version_keys(sm, secret_name)[v4] == managed
    sm.update_secret(SecretId=secret_name, KmsKeyId=key["Arn"])
    sm.update_secret(SecretId=secret_name, KmsKeyId="alias/aws/secretsmanager")
    assert "KmsKeyId" not in sm.describe_secret(SecretId=secret_name)
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "four"


def test_without_kms_the_answer_is_an_aws_error():
    with AwsemuHost({"SERVICES": "secretsmanager"}) as host:
        sm = make_client(host.url, "secretsmanager")
        code, message, status = aws_error(sm.create_secret, Name="no-kms", SecretString="x")
        assert (code, status) == ("EncryptionFailure", 400)
        assert "kms service is not loaded" in message
        code, _, _ = aws_error(sm.describe_secret, SecretId="no-kms")
        assert code == "ResourceNotFoundException"
        # Metadata-only work needs no KMS.
        sm.create_secret(Name="no-kms", Description="metadata only")
        code, message, status = aws_error(sm.put_secret_value, SecretId="no-kms", SecretBinary=b"x")
        assert (code, status) == ("EncryptionFailure", 400) and "kms service is not loaded" in message
        sm.tag_resource(SecretId="no-kms", Tags=[{"Key": "k", "Value": "v"}])
        assert len(sm.get_random_password()["RandomPassword"]) == 32
        assert sm.list_secrets()["SecretList"][0]["Name"] == "no-kms"
