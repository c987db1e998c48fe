"""Aliases, AWS managed keys and tags through boto3."""

import json

import pytest

from kms_helpers import advance_clock, aws_error, unvalidated


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


def test_alias_lifecycle(kms):
    first = kms.create_key()["KeyMetadata"]
    second = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=first["KeyId"])
    assert kms.encrypt(KeyId="alias/app", Plaintext=b"x")["KeyId"] == first["Arn"]
    code, message, _ = aws_error(kms.create_alias, AliasName="alias/app", TargetKeyId=second["KeyId"])
    assert (code, message) == ("AlreadyExistsException",
                               "An alias with the name arn:aws:kms:us-east-1:000000000000:alias/app already exists")
    kms.update_alias(AliasName="alias/app", TargetKeyId=second["Arn"])
    assert kms.describe_key(KeyId="alias/app")["KeyMetadata"]["KeyId"] == second["KeyId"]
    listed = kms.list_aliases(KeyId=second["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in listed] == ["alias/app"]
    assert listed[0]["TargetKeyId"] == second["KeyId"]
    assert listed[0]["AliasArn"] == "arn:aws:kms:us-east-1:000000000000:alias/app"
    kms.delete_alias(AliasName="alias/app")
    assert aws_error(kms.delete_alias, AliasName="alias/app")[0] == "NotFoundException"


def test_alias_naming_rules(kms):
    key = kms.create_key()["KeyMetadata"]
    code, message, _ = aws_error(kms.create_alias, AliasName="no-prefix", TargetKeyId=key["KeyId"])
    assert code == "ValidationException" and message.startswith('Alias must start with the prefix "alias/"')
    code, _, _ = aws_error(kms.create_alias, AliasName="alias/aws/mine", TargetKeyId=key["KeyId"])
    assert code == "NotAuthorizedException"
    code, message, _ = aws_error(kms.create_alias, AliasName="alias/bad name!", TargetKeyId=key["KeyId"])
    assert code == "ValidationException" and "regular expression pattern" in message
    code, _, _ = aws_error(kms.create_alias, AliasName="alias/x", TargetKeyId="alias/other")
    assert code == "ValidationException"
    # The model's pattern lets ':' through; KMS does not.
    code, message, _ = aws_error(kms.create_alias, AliasName="alias/Service:Test", TargetKeyId=key["KeyId"])
    assert (code, message) == ("ValidationException", "alias/Service:Test contains invalid characters for an alias")
    kms.create_alias(AliasName="alias/Team_1/app-2", TargetKeyId=key["KeyId"])
    # The prefix alone names no alias, though the model's pattern lets it through.
    for call in (kms.create_alias, kms.update_alias):
        code, message, _ = aws_error(call, AliasName="alias/", TargetKeyId=key["KeyId"])
        assert (code, message) == ("ValidationException", 'Alias must include a name after the prefix "alias/".')


def test_fifty_aliases_per_key(client):
    kms = client("kms", aws_access_key_id="444455556666")
    key = kms.create_key()["KeyMetadata"]
    for i in range(50):
        kms.create_alias(AliasName=f"alias/many-{i}", TargetKeyId=key["KeyId"])
    assert aws_error(kms.create_alias, AliasName="alias/many-50", TargetKeyId=key["KeyId"])[0] == "LimitExceededException"



def test_alias_limit_and_listing_follow_update_alias_and_key_deletion(client, endpoint):
    """The aliases of each key are indexed: a moved alias counts against its new key, and a deleted key's go."""
    kms = client("kms", aws_access_key_id="131313131313")
    first = kms.create_key()["KeyMetadata"]
    second = kms.create_key()["KeyMetadata"]
    for i in range(50):
        kms.create_alias(AliasName=f"alias/moving-{i}", TargetKeyId=first["KeyId"])
    assert aws_error(kms.create_alias, AliasName="alias/moving-50", TargetKeyId=first["KeyId"])[0] == "LimitExceededException"
    kms.update_alias(AliasName="alias/moving-0", TargetKeyId=second["KeyId"])
    kms.create_alias(AliasName="alias/moving-50", TargetKeyId=first["KeyId"])
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=second["KeyId"])["Aliases"]] == ["alias/moving-0"]
    assert len(kms.list_aliases(KeyId=first["KeyId"], Limit=100)["Aliases"]) == 50
    kms.schedule_key_deletion(KeyId=second["KeyId"], PendingWindowInDays=7)
    advance_clock(endpoint, 8 * 86400)
    names = {a["AliasName"] for a in kms.list_aliases(Limit=1000)["Aliases"]}
    assert "alias/moving-0" not in names and {f"alias/moving-{i}" for i in range(1, 51)} <= names
    assert aws_error(kms.describe_key, KeyId="alias/moving-0")[0] == "NotFoundException"
    third = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/moving-0", TargetKeyId=third["KeyId"])
    assert aws_error(kms.create_alias, AliasName="alias/moving-51", TargetKeyId=first["KeyId"])[0] == "LimitExceededException"


def test_aws_managed_keys_listed_then_created_on_use(client):
    kms = client("kms", aws_access_key_id="555566667777")
    aliases = {a["AliasName"]: a for a in kms.list_aliases(Limit=1000)["Aliases"]}
    assert "alias/aws/s3" in aliases and "TargetKeyId" not in aliases["alias/aws/s3"]
    meta = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    # Their policies and descriptions as AWS writes them: the calling service (EC2 for aws/ebs), the service's
    # name in the Sid, direct access with RevokeGrant but for S3 and SSM.
    metadata = ["kms:Describe*", "kms:Get*", "kms:List*"]
    for service, caller, name, data, direct in (
            ("s3", "s3", "S3", "S3 objects", metadata),
            ("ebs", "ec2", "EBS", "EBS volumes", metadata + ["kms:RevokeGrant"]),
            ("secretsmanager", "secretsmanager", "AWS Secrets Manager", "Secrets Manager data",
             metadata + ["kms:RevokeGrant"]),
            ("ssm", "ssm", "SSM", "SSM parameters", metadata)):
        managed = kms.describe_key(KeyId=f"alias/aws/{service}")["KeyMetadata"]
        assert managed["Description"] == f"Default key that protects my {data} when no other key is defined"
        statements = json.loads(kms.get_key_policy(KeyId=managed["KeyId"], PolicyName="default")["Policy"])["Statement"]
        assert statements[0]["Condition"]["StringEquals"]["kms:ViaService"] == f"{caller}.us-east-1.amazonaws.com"
        assert statements[0]["Sid"] == (f"Allow access through {name} for all principals in the account that are "
                                        f"authorized to use {name}")
        assert statements[1]["Action"] == direct
    aliases = {a["AliasName"]: a for a in kms.list_aliases(Limit=1000)["Aliases"]}
    assert aliases["alias/aws/s3"]["TargetKeyId"] == meta["KeyId"]


def test_list_aliases_pagination(client):
    kms = client("kms", aws_access_key_id="666677778888")
    key = kms.create_key()["KeyMetadata"]
    for i in range(3):
        kms.create_alias(AliasName=f"alias/page-{i}", TargetKeyId=key["KeyId"])
    names = []
    page = kms.list_aliases(Limit=5)
    names += [a["AliasName"] for a in page["Aliases"]]
    while page["Truncated"]:
        page = kms.list_aliases(Limit=5, Marker=page["NextMarker"])
        names += [a["AliasName"] for a in page["Aliases"]]
    assert len(names) == len(set(names))
    assert {"alias/page-0", "alias/page-1", "alias/page-2", "alias/aws/s3"} <= set(names)


def test_tags(kms):
    key = kms.create_key(Tags=[{"TagKey": "env", "TagValue": "dev"}])["KeyMetadata"]
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "env", "TagValue": "prod"},
                                              {"TagKey": "team", "TagValue": "core"}])
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["Arn"])["Tags"]}
    assert tags == {"env": "prod", "team": "core"}
    kms.untag_resource(KeyId=key["KeyId"], TagKeys=["env"])
    assert kms.list_resource_tags(KeyId=key["KeyId"])["Tags"] == [{"TagKey": "team", "TagValue": "core"}]
    page = kms.list_resource_tags(KeyId=key["KeyId"], Limit=1)
    assert page["Truncated"] is False


def test_tag_errors(client):
    kms = unvalidated(client)
    key = kms.create_key()["KeyMetadata"]
    code, message, _ = aws_error(kms.tag_resource, KeyId=key["KeyId"], Tags=[{"TagKey": "aws:x", "TagValue": "y"}])
    assert (code, message) == ("TagException", "Tags beginning with aws: are reserved")
    code, message, _ = aws_error(kms.tag_resource, KeyId=key["KeyId"],
                                 Tags=[{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}])
    assert (code, message) == ("TagException", "Duplicate tag keys")
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": f"k{i}", "TagValue": "v"} for i in range(50)])
    code, message, _ = aws_error(kms.tag_resource, KeyId=key["KeyId"], Tags=[{"TagKey": "one-more", "TagValue": "v"}])
    assert (code, message) == ("TagException", "Too many tags")
    code, message, _ = aws_error(kms.tag_resource, KeyId=key["KeyId"], Tags=[{"TagKey": "k" * 129, "TagValue": "v"}])
    assert code == "ValidationException" and "'tags.1.member.tagKey'" in message
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert aws_error(kms.tag_resource, KeyId=key["KeyId"], Tags=[{"TagKey": "a", "TagValue": "b"}])[0] \
        == "KMSInvalidStateException"
