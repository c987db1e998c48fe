"""Multi-Region keys: replicas share material, a ciphertext from one region decrypts in another, roles swap."""

import hashlib
import os
import time

import pytest

from awsemu_host import AwsemuHost, make_client
from kms_helpers import advance_clock, aws_error, host_now, import_material, wait_out_transient_state


@pytest.fixture
def regions(client):
    account = {"aws_access_key_id": "121212121212"}
    return {region: client("kms", region_name=region, **account) for region in ("us-east-1", "eu-west-1", "ap-south-1")}


def replicate(source, target, **kwargs):
    """ReplicateKey, then the wait AWS documents: the replica answers in the transient state Creating and is
    Enabled (or PendingImport) a moment later."""
    answer = source.replicate_key(**kwargs)
    meta = answer["ReplicaKeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Creating", False)
    state, seen = wait_out_transient_state(target, meta["KeyId"])
    assert set(seen) <= {"Creating"}
    return answer, state


def test_replicate_and_decrypt_anywhere(regions):
    east, west, south = regions["us-east-1"], regions["eu-west-1"], regions["ap-south-1"]
    primary = east.create_key(MultiRegion=True, Description="primary")["KeyMetadata"]
    replica, state = replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1", Description="replica",
                               Tags=[{"TagKey": "where", "TagValue": "eu"}])
    assert state == "Enabled"
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
    replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    blob = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"new material")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"new material"
    assert aws_error(west.rotate_key_on_demand, KeyId=primary["KeyId"])[0] == "UnsupportedOperationException"


def test_update_primary_region_swaps_roles(regions):
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    east.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")
    # Both keys are Updating for a moment (until the host's next tick): still usable for cryptography.
    blob = west.encrypt(KeyId=primary["KeyId"], Plaintext=b"while updating")["CiphertextBlob"]
    assert east.decrypt(CiphertextBlob=blob)["Plaintext"] == b"while updating"
    for kms in (east, west):
        state, seen = wait_out_transient_state(kms, primary["KeyId"])
        assert state == "Enabled" and set(seen) <= {"Updating"}
    assert east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"] \
        == "REPLICA"
    config = west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY" and config["PrimaryKey"]["Region"] == "eu-west-1"
    assert [r["Region"] for r in config["ReplicaKeys"]] == ["us-east-1"]
    replicate(west, regions["ap-south-1"], KeyId=primary["KeyId"], ReplicaRegion="ap-south-1")


def test_primary_with_replicas_waits_for_them(regions):
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
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
        replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
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


def test_imported_material_is_imported_into_each_replica(regions, endpoint):
    """AWS does not copy imported material to replicas: each is created PendingImport and takes the same material
    by its own import, with its own expiration; new material for rotation goes into the primary first, then into
    every replica, and RotateKeyOnDemand on the primary makes it current everywhere."""
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]
    first, second = os.urandom(32), os.urandom(32)
    import_material(east, primary["KeyId"], first)
    _, state = replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    assert state == "PendingImport"
    blob = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"imported")["CiphertextBlob"]
    assert aws_error(west.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    assert aws_error(import_material, west, primary["KeyId"], os.urandom(32))[0] == "IncorrectKeyMaterialException"
    # On the host clock, which other tests move forward by weeks.
    import_material(west, primary["KeyId"], first, ValidTo=host_now(endpoint) + 86400,
                    ExpirationModel="KEY_MATERIAL_EXPIRES")
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"
    # Each key's expiration is its own.
    assert west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"

    assert aws_error(import_material, west, primary["KeyId"], second, ImportType="NEW_KEY_MATERIAL")[0] \
        == "UnsupportedOperationException"
    import_material(east, primary["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    pending = east.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][-1]
    assert (pending["KeyMaterialId"], pending["KeyMaterialState"]) == (
        hashlib.sha256(second).hexdigest(), "PENDING_MULTI_REGION_IMPORT_AND_ROTATION")
    assert aws_error(east.rotate_key_on_demand, KeyId=primary["KeyId"])[0] == "KMSInvalidStateException"
    import_material(west, primary["KeyId"], second)
    pending = east.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][-1]
    assert pending["KeyMaterialState"] == "PENDING_ROTATION"
    # Still pending in the replica too: its current material is the first until the primary rotates.
    assert west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] \
        == hashlib.sha256(first).hexdigest()
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    for kms in (east, west):
        assert kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] \
            == hashlib.sha256(second).hexdigest()
    rotated = west.encrypt(KeyId=primary["KeyId"], Plaintext=b"second")["CiphertextBlob"]
    assert east.decrypt(CiphertextBlob=rotated)["Plaintext"] == b"second"
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"
    # Pending material deleted from the primary goes from its replicas too.
    third = os.urandom(32)
    import_material(east, primary["KeyId"], third, ImportType="NEW_KEY_MATERIAL")
    import_material(west, primary["KeyId"], third)
    east.delete_imported_key_material(KeyId=primary["KeyId"], KeyMaterialId=hashlib.sha256(third).hexdigest())
    for kms in (east, west):
        rows = kms.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        assert hashlib.sha256(third).hexdigest() not in [r["KeyMaterialId"] for r in rows]
        assert kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_replica_of_a_rotated_imported_key_needs_every_material(regions):
    """A replica of an imported key that already rotated is usable only once it has every material of the primary,
    whatever the order they are imported in, and its current material is the primary's."""
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]
    first, second = os.urandom(32), os.urandom(32)
    _, state = replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    assert state == "PendingImport"
    # Nothing to take before the primary has material.
    assert aws_error(import_material, west, primary["KeyId"], first)[0] == "KMSInvalidStateException"
    import_material(east, primary["KeyId"], first)
    old_blob = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"first")["CiphertextBlob"]
    import_material(east, primary["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    import_material(west, primary["KeyId"], second)
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    assert west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    import_material(west, primary["KeyId"], first)
    meta = west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", hashlib.sha256(second).hexdigest())
    assert west.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"first"
    assert east.decrypt(CiphertextBlob=west.encrypt(KeyId=primary["KeyId"], Plaintext=b"x")["CiphertextBlob"])[
        "KeyMaterialId"] == hashlib.sha256(second).hexdigest()


def test_a_creating_replica_can_be_managed_and_a_disabled_one_cannot_become_primary(regions):
    """ReplicateKey: "While the key state is Creating, you can manage key, but you cannot yet use it in
    cryptographic operations"; UpdatePrimaryRegion needs both keys Enabled."""
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    west.tag_resource(KeyId=primary["KeyId"], Tags=[{"TagKey": "made", "TagValue": "while creating"}])
    west.update_key_description(KeyId=primary["KeyId"], Description="managed while creating")
    west.create_alias(AliasName="alias/creating-replica", TargetKeyId=primary["KeyId"])
    wait_out_transient_state(west, primary["KeyId"])
    meta = west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["Description"]) == ("Enabled", "managed while creating")
    west.disable_key(KeyId=primary["KeyId"])
    assert aws_error(east.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")[0] \
        == "DisabledException"
    west.enable_key(KeyId=primary["KeyId"])
    east.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")


def test_transient_states_hold_until_the_clock_ticks():
    """With TICK_SECONDS=0 nothing moves on until POST /_emu/clock, so each transient state can be looked at for
    as long as a test needs. A Creating replica can be managed but neither used nor enabled or disabled; keys
    Updating after UpdatePrimaryRegion serve cryptography but refuse EnableKey, DisableKey and ReplicateKey."""
    with AwsemuHost(env={"SERVICES": "kms", "TICK_SECONDS": "0"}) as host:
        east, west, south = (make_client(host.url, "kms", region_name=region)
                             for region in ("us-east-1", "eu-west-1", "ap-south-1"))
        key = east.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
        answer = east.replicate_key(KeyId=key, ReplicaRegion="eu-west-1")
        assert "ReplicaTags" not in answer  # no tags, no member, as AWS answered a recorded ReplicateKey
        blob = east.encrypt(KeyId=key, Plaintext=b"from the primary")["CiphertextBlob"]
        time.sleep(1.5)  # longer than the default tick, which would have ended Creating by now
        for _ in range(3):
            assert west.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Creating"
            for call, kwargs in ((west.encrypt, {"Plaintext": b"x"}), (west.enable_key, {}), (west.disable_key, {})):
                assert aws_error(call, KeyId=key, **kwargs)[0] == "KMSInvalidStateException", call
            assert aws_error(west.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
            # Nor may a Creating replica become the primary (both keys must be Enabled).
            code, message, _ = aws_error(east.update_primary_region, KeyId=key, PrimaryRegion="eu-west-1")
            assert (code, message) == ("KMSInvalidStateException",
                                       f"arn:aws:kms:eu-west-1:000000000000:key/{key} is Creating, not Enabled.")
        west.update_key_description(KeyId=key, Description="managed while creating")
        advance_clock(host.url, 0)
        assert west.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
        assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"from the primary"

        east.update_primary_region(KeyId=key, PrimaryRegion="eu-west-1")
        for kms in (east, west):
            assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Updating"
            assert kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key, Plaintext=b"u")["CiphertextBlob"])["Plaintext"] \
                == b"u"
            for call in (kms.enable_key, kms.disable_key):
                assert aws_error(call, KeyId=key)[0] == "KMSInvalidStateException", call
        assert aws_error(west.replicate_key, KeyId=key, ReplicaRegion="ap-south-1")[0] == "KMSInvalidStateException"
        # Nor may the primary move again until both are Enabled, from either side.
        for kms, target in ((west, "us-east-1"), (east, "eu-west-1")):
            assert aws_error(kms.update_primary_region, KeyId=key, PrimaryRegion=target)[0] \
                == "KMSInvalidStateException"
        advance_clock(host.url, 0)
        for kms in (east, west):
            assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
        west.replicate_key(KeyId=key, ReplicaRegion="ap-south-1")
        assert south.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Creating"


def test_a_replica_pending_import_cannot_become_primary_and_its_own_material_expires_alone(regions, endpoint):
    """An imported key's replica waits in PendingImport for its own import, and cannot become the primary until then.
    Material the replica imported with its own ValidTo expires from the replica alone: the replica goes back to
    PendingImport without ExpirationModel while the primary serves on, and the same bytes make it usable again."""
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary = east.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    import_material(east, primary["KeyId"], material)
    _, state = replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    assert state == "PendingImport"
    code, message, _ = aws_error(east.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")
    assert (code, message) == ("KMSInvalidStateException", f"{primary['Arn'].replace('us-east-1', 'eu-west-1')} "
                               "is PendingImport, not Enabled.")
    import_material(west, primary["KeyId"], material, ValidTo=host_now(endpoint) + 86400,
                    ExpirationModel="KEY_MATERIAL_EXPIRES")
    blob = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"both regions")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"both regions"
    advance_clock(endpoint, 2 * 86400)
    replica = west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert replica["KeyState"] == "PendingImport" and "ExpirationModel" not in replica
    row, = west.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert (row["KeyMaterialId"], row["ImportState"]) == (hashlib.sha256(material).hexdigest(), "PENDING_IMPORT")
    assert aws_error(west.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    meta = east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["ExpirationModel"]) == ("Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert east.decrypt(CiphertextBlob=blob)["Plaintext"] == b"both regions"
    import_material(west, primary["KeyId"], material)
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"both regions"
    east.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")


def imported_key_with_replica(east, west):
    """An imported multi-Region key in us-east-1 with its replica in eu-west-1, both given the same material."""
    primary = east.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    import_material(east, primary["KeyId"], material)
    replicate(east, west, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    import_material(west, primary["KeyId"], material)
    return primary, material


def test_a_replica_that_deletes_its_pending_material_may_import_it_again(regions):
    """Pending material a replica deletes is still its primary's: the replica may import it again, and the primary
    rotates once it has."""
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary, _ = imported_key_with_replica(east, west)
    second = os.urandom(32)
    pending_id = hashlib.sha256(second).hexdigest()
    import_material(east, primary["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    import_material(west, primary["KeyId"], second)
    deleted = west.delete_imported_key_material(KeyId=primary["KeyId"], KeyMaterialId=pending_id)
    assert deleted["KeyMaterialId"] == pending_id
    assert west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    pending = east.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][-1]
    assert pending["KeyMaterialState"] == "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
    import_material(west, primary["KeyId"], second)
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    assert west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == pending_id


def test_pending_material_that_expires_in_the_primary_goes_from_the_replicas(regions, endpoint):
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary, first = imported_key_with_replica(east, west)
    second = os.urandom(32)
    import_material(east, primary["KeyId"], second, ImportType="NEW_KEY_MATERIAL",
                    ValidTo=host_now(endpoint) + 86400, ExpirationModel="KEY_MATERIAL_EXPIRES")
    import_material(west, primary["KeyId"], second)
    advance_clock(endpoint, 2 * 86400)
    for kms in (east, west):
        rows = kms.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        assert [r["KeyMaterialId"] for r in rows] == [hashlib.sha256(first).hexdigest()]
        assert kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    # It may come back as new material, and the replica take it again.
    import_material(east, primary["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    import_material(west, primary["KeyId"], second)
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    assert west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] \
        == hashlib.sha256(second).hexdigest()


def test_a_replicas_own_pending_material_expires_and_may_be_imported_again(regions, endpoint):
    """Pending material a replica imported with its own ValidTo goes from the replica alone when that passes; the
    replica may import it again, and the primary's rotation then goes ahead."""
    east, west = regions["us-east-1"], regions["eu-west-1"]
    primary, first = imported_key_with_replica(east, west)
    second = os.urandom(32)
    import_material(east, primary["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    import_material(west, primary["KeyId"], second, ValidTo=host_now(endpoint) + 86400,
                    ExpirationModel="KEY_MATERIAL_EXPIRES")
    advance_clock(endpoint, 2 * 86400)
    rows = west.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [r["KeyMaterialId"] for r in rows] == [hashlib.sha256(first).hexdigest()]
    pending = east.list_key_rotations(KeyId=primary["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][-1]
    assert pending["KeyMaterialState"] == "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
    import_material(west, primary["KeyId"], second)
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    assert west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] \
        == hashlib.sha256(second).hexdigest()
