"""Multi-Region secrets through boto3: replicas in other Regions, encrypted by KMS there, read-only, kept in step
with their primary; removing and promoting them; the errors AWS gives for writes to a replica and for deleting a
primary that still has replicas."""

import json
import uuid

import pytest

from kms_helpers import aws_error, unvalidated

REPLICA_WRITE = ("InvalidParameterException",
                 "Operation not permitted on a replica secret. Call must be made in primary secret's region.")


@pytest.fixture
def regions(client):
    account = {"aws_access_key_id": "343400001111"}
    return {region: (client("secretsmanager", region_name=region, **account),
                     client("kms", region_name=region, **account))
            for region in ("us-east-1", "us-west-2", "eu-west-1")}


def name():
    return f"replicated/{uuid.uuid4().hex[:10]}"


def test_a_replica_is_read_only_and_follows_its_primary(regions):
    (east, _), (west, west_kms) = regions["us-east-1"], regions["us-west-2"]
    secret = name()
    created = east.create_secret(Name=secret, SecretString="v1", Description="first",
                                 AddReplicaRegions=[{"Region": "us-west-2"}])
    assert created["ReplicationStatus"] == [{"Region": "us-west-2", "KmsKeyId": "alias/aws/secretsmanager",
                                             "Status": "InSync", "StatusMessage": "Replication succeeded"}]
    # The replica: the same name and ARN suffix in its Region, its primary's Region named, the value readable
    # there, encrypted by the AWS managed key of its own Region.
    replica = west.describe_secret(SecretId=secret)
    assert replica["ARN"] == created["ARN"].replace(":us-east-1:", ":us-west-2:")
    assert replica["PrimaryRegion"] == "us-east-1" and "ReplicationStatus" not in replica
    assert west.get_secret_value(SecretId=replica["ARN"])["SecretString"] == "v1"
    assert west.list_secret_version_ids(SecretId=secret)["Versions"][0]["KmsKeyIds"] == ["DefaultEncryptionKey"]
    assert west_kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyManager"] == "AWS"
    primary = east.describe_secret(SecretId=secret)
    assert primary["PrimaryRegion"] == "us-east-1" and primary["ReplicationStatus"][0]["Region"] == "us-west-2"

    # Every change of the primary reaches the replica: values and labels, description, tags, resource policy.
    v2 = east.put_secret_value(SecretId=secret, SecretString="v2")["VersionId"]
    east.update_secret(SecretId=secret, Description="second")
    east.tag_resource(SecretId=secret, Tags=[{"Key": "team", "Value": "data"}])
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::343400001111:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    east.put_resource_policy(SecretId=secret, ResourcePolicy=policy)
    assert west.get_secret_value(SecretId=secret)["SecretString"] == "v2"
    assert west.get_secret_value(SecretId=secret, VersionStage="AWSPREVIOUS")["SecretString"] == "v1"
    replica = west.describe_secret(SecretId=secret)
    assert (replica["Description"], replica["Tags"]) == ("second", [{"Key": "team", "Value": "data"}])
    assert replica["VersionIdsToStages"][v2] == ["AWSCURRENT"]
    assert west.get_resource_policy(SecretId=secret)["ResourcePolicy"] == policy

    # A replica changes only with its primary; a primary is deleted only once it has no replica.
    for call, args in ((west.put_secret_value, {"SecretString": "x"}), (west.update_secret, {"Description": "x"}),
                       (west.tag_resource, {"Tags": [{"Key": "a", "Value": "b"}]}), (west.delete_secret, {}),
                       (west.put_resource_policy, {"ResourcePolicy": policy})):
        assert aws_error(call, SecretId=secret, **args)[:2] == REPLICA_WRITE, call
    code, message, _ = aws_error(east.delete_secret, SecretId=secret)
    assert (code, message) == ("InvalidParameterException", f"You can't delete secret {created['ARN']} that still "
                               "has replica regions [us-west-2].")

    # Only a Region the secret is replicated to can be removed; nothing changes otherwise.
    code, message, _ = aws_error(east.remove_regions_from_replication, SecretId=secret,
                                 RemoveReplicaRegions=["us-west-2", "eu-west-1"])
    assert (code, message) == ("InvalidParameterException", "The secret isn't replicated to the Region eu-west-1.")
    assert west.get_secret_value(SecretId=secret)["SecretString"] == "v2"
    # Removing the Region deletes the replica at once; then the primary may go.
    removed = east.remove_regions_from_replication(SecretId=secret, RemoveReplicaRegions=["us-west-2"])
    assert removed["ARN"] == created["ARN"] and removed["ReplicationStatus"] == []
    assert aws_error(west.describe_secret, SecretId=secret)[0] == "ResourceNotFoundException"
    assert "PrimaryRegion" not in east.describe_secret(SecretId=secret)
    east.delete_secret(SecretId=secret, ForceDeleteWithoutRecovery=True)


def test_replicas_with_their_own_key_overwrites_and_promotion(regions, client):
    (east, _), (west, west_kms), (europe, _) = regions["us-east-1"], regions["us-west-2"], regions["eu-west-1"]
    secret = name()
    arn = east.create_secret(Name=secret, SecretString="shared")["ARN"]
    key = west_kms.create_key(Description="replica key")["KeyMetadata"]
    # A secret of the same name in the Region is in the way unless the caller asks to overwrite it.
    west.create_secret(Name=secret, SecretString="someone else's")
    status, = east.replicate_secret_to_regions(SecretId=secret, AddReplicaRegions=[
        {"Region": "us-west-2", "KmsKeyId": key["Arn"]}])["ReplicationStatus"]
    assert (status["Region"], status["Status"], status["KmsKeyId"]) == ("us-west-2", "Failed", key["Arn"])
    assert west.get_secret_value(SecretId=secret)["SecretString"] == "someone else's"
    # Changes of the primary do not push it aside either: only the caller's ForceOverwriteReplicaSecret does.
    east.put_secret_value(SecretId=secret, SecretString="shared")
    assert west.get_secret_value(SecretId=secret)["SecretString"] == "someone else's"
    assert "PrimaryRegion" not in west.describe_secret(SecretId=secret)
    assert east.describe_secret(SecretId=secret)["ReplicationStatus"][0]["Status"] == "Failed"
    # A Region that failed is tried again when asked for again, here with leave to overwrite.
    status, = east.replicate_secret_to_regions(SecretId=secret, ForceOverwriteReplicaSecret=True, AddReplicaRegions=[
        {"Region": "us-west-2", "KmsKeyId": key["Arn"]}])["ReplicationStatus"]
    assert status["Status"] == "InSync"
    assert west.get_secret_value(SecretId=secret)["SecretString"] == "shared"
    assert west.describe_secret(SecretId=secret)["KmsKeyId"] == key["Arn"]
    assert west.list_secret_version_ids(SecretId=secret)["Versions"][0]["KmsKeyIds"] == [key["Arn"]]

    # A replica Region whose key refuses: the primary's change stands, and that Region reports Failed.
    west_kms.disable_key(KeyId=key["KeyId"])
    east.put_secret_value(SecretId=secret, SecretString="while disabled")
    status, = east.describe_secret(SecretId=secret)["ReplicationStatus"]
    assert status["Status"] == "Failed"
    assert east.get_secret_value(SecretId=secret)["SecretString"] == "while disabled"
    west_kms.enable_key(KeyId=key["KeyId"])
    east.update_secret(SecretId=secret, Description="again")
    assert east.describe_secret(SecretId=secret)["ReplicationStatus"][0]["Status"] == "InSync"
    assert west.get_secret_value(SecretId=secret)["SecretString"] == "while disabled"

    # primary-region finds replicated secrets, primaries and replicas alike.
    east.replicate_secret_to_regions(SecretId=secret, AddReplicaRegions=[{"Region": "eu-west-1"}])
    for sm in (east, europe):
        found = sm.list_secrets(Filters=[{"Key": "primary-region", "Values": ["us-east"]},  # a prefix, as documented
                                         {"Key": "name", "Values": [secret]}])["SecretList"]
        assert [(s["Name"], s["PrimaryRegion"]) for s in found] == [(secret, "us-east-1")]
    # A retried PutSecretValue on a replica is refused too (the primary's token is no way around it).
    token = east.put_secret_value(SecretId=secret, SecretString="token")["VersionId"]
    assert aws_error(europe.put_secret_value, SecretId=secret, SecretString="token",
                     ClientRequestToken=token)[:2] == REPLICA_WRITE
    # Promotion: the replica becomes a standalone secret of its Region, and the primary forgets it.
    assert europe.stop_replication_to_replica(SecretId=secret)["ARN"] == arn.replace(":us-east-1:", ":eu-west-1:")
    assert "PrimaryRegion" not in europe.describe_secret(SecretId=secret)
    europe.put_secret_value(SecretId=secret, SecretString="on its own")
    assert [s["Region"] for s in east.describe_secret(SecretId=secret)["ReplicationStatus"]] == ["us-west-2"]
    code, message, _ = aws_error(europe.stop_replication_to_replica, SecretId=secret)
    assert (code, message) == ("InvalidParameterException", "The secret isn't a replica secret.")
    raw = unvalidated(client, "secretsmanager", aws_access_key_id="343400001111")
    code, message, _ = aws_error(raw.replicate_secret_to_regions, SecretId=secret, AddReplicaRegions=[{}])
    assert (code, message) == ("InvalidParameterException", "You must specify a Region for each replica.")
    for region in ("us-east-1", "cn-north-1"):  # its own Region, another partition
        code, message, _ = aws_error(east.replicate_secret_to_regions, SecretId=secret,
                                     AddReplicaRegions=[{"Region": region}])
        assert code == "InvalidParameterException" and region in message
