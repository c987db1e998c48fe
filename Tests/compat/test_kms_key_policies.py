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
