"""Multi-Region keys: replicas share material, a ciphertext from one region decrypts in another, roles swap."""

import pytest

from kms_helpers import advance_clock, aws_error


@pytest.fixture
def regions(client):
    account = {"aws_access_key_id": "121212121212"}
    return {region: client("kms", region_name=region, **account) for region in ("us-east-1", "eu-west-1", "ap-south-1")}


def test_replicate_and_decrypt_anywhere(regions):
    east, west, south = regions["us-east-1"], regions["eu-west-1"], regions["ap-south-1"]
    primary = east.create_key(MultiRegion=True, Description="primary")["KeyMetadata"]
    replica = east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1", Description="replica",
                                 Tags=[{"TagKey": "where", "TagValue": "eu"}])
    meta = replica["ReplicaKeyMetadata"]
    assert meta["KeyId"] == primary["KeyId"]
    assert meta["Arn"] == primary["Arn"].replace("us-east-1", "eu-west-1")
    assert meta["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    assert meta["MultiRegionConfiguration"]["PrimaryKey"]["Region"] == "us-east-1"
    assert replica["ReplicaTags"] == [{"TagKey": "where", "TagValue": "eu"}]
    assert '"kms:*"' in replica["ReplicaPolicy"]
    config = east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY"
    assert [r["Region"] for r in config["ReplicaKeys"]] == ["eu-west-1"]
    blob = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"everywhere")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"everywhere"
    back = west.encrypt(KeyId=primary["KeyId"], Plaintext=b"from eu")["CiphertextBlob"]
    assert east.decrypt(CiphertextBlob=back)["Plaintext"] == b"from eu"
    assert aws_error(south.decrypt, CiphertextBlob=blob)[0] == "InvalidCiphertextException"
    assert aws_error(east.replicate_key, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")[0] == "AlreadyExistsException"
    code, message, _ = aws_error(west.replicate_key, KeyId=primary["KeyId"], ReplicaRegion="ap-south-1")
    assert (code, message) == ("UnsupportedOperationException", f"{meta['Arn']} is not a multi-region primary key.")


def test_single_region_key_cannot_replicate(regions):
    east = regions["us-east-1"]
    key = east.create_key()["KeyMetadata"]
    assert aws_error(east.replicate_key, KeyId=key["KeyId"], ReplicaRegion="eu-west-1")[0] \
        == "UnsupportedOperationException"
    assert aws_error(east.update_primary_region, KeyId=key["KeyId"], PrimaryRegion="eu-west-1")[0] \
        == "UnsupportedOperationException"


def test_rotation_of_the_primary_reaches_replicas(regions):
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    blob = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"new material")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"new material"
    assert aws_error(west.rotate_key_on_demand, KeyId=primary["KeyId"])[0] == "UnsupportedOperationException"


def test_update_primary_region_swaps_roles(regions):
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    east.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")
    assert east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"] \
        == "REPLICA"
    config = west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY" and config["PrimaryKey"]["Region"] == "eu-west-1"
    assert [r["Region"] for r in config["ReplicaKeys"]] == ["us-east-1"]
    west.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="ap-south-1")


def test_primary_with_replicas_waits_for_them(regions):
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    answer = east.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)
    assert answer["KeyState"] == "PendingReplicaDeletion"
    assert aws_error(east.encrypt, KeyId=primary["KeyId"], Plaintext=b"x")[0] == "KMSInvalidStateException"
    east.cancel_key_deletion(KeyId=primary["KeyId"])
    assert east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_a_primarys_window_starts_when_its_last_replica_is_deleted(regions, endpoint):
    """Even when the clock jumps past both windows at once: the replica goes at its deletion date, the primary's
    seven days count from then, and both are gone."""
    east, west = regions["us-east-1"], regions["eu-west-1"]
    keys = []
    for _ in range(2):
        primary = east.create_key(MultiRegion=True)["KeyMetadata"]
        east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
        replica_deletion = west.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)["DeletionDate"]
        assert east.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)["KeyState"] \
            == "PendingReplicaDeletion"
        keys.append((primary["KeyId"], replica_deletion))
    advance_clock(endpoint, 10 * 86400)
    for key_id, replica_deletion in keys:
        assert aws_error(west.describe_key, KeyId=key_id)[0] == "NotFoundException"
        meta = east.describe_key(KeyId=key_id)["KeyMetadata"]
        assert meta["KeyState"] == "PendingDeletion"
        assert abs((meta["DeletionDate"] - replica_deletion).total_seconds() - 7 * 86400) < 60
    east.cancel_key_deletion(KeyId=keys[1][0])
    advance_clock(endpoint, 5 * 86400)
    assert aws_error(east.describe_key, KeyId=keys[0][0])[0] == "NotFoundException"
    assert east.describe_key(KeyId=keys[1][0])["KeyMetadata"]["KeyState"] == "Disabled"
