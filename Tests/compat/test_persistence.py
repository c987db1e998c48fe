"""Persistence (PERSISTENCE=1): restarts, a SIGKILL in the middle of load, corrupt databases, encryption at
rest, export and import."""

import base64
import hashlib
import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import threading
import time

import botocore.exceptions
import pytest

from awsemu_host import HOST_BINARY, AwsemuHost, make_client, request
from awsemu_host import persistent_host as shared_persistent_host
from kms_helpers import advance_clock, aws_error, import_material, wrap


def persistent_host(data_dir, **env):
    return shared_persistent_host(data_dir, services="kms,sts", **env)


def test_restart_keeps_every_kind_of_kms_state(tmp_path):
    data = tmp_path / "data"
    with persistent_host(data) as host:
        kms = make_client(host.url, "kms")
        symmetric = kms.create_key(Description="kept", Tags=[{"TagKey": "t", "TagValue": "v"}])["KeyMetadata"]
        kms.create_alias(AliasName="alias/kept", TargetKeyId=symmetric["KeyId"])
        blobs = [kms.encrypt(KeyId="alias/kept", Plaintext=b"before rotation",
                             EncryptionContext={"k": "v"})["CiphertextBlob"]]
        kms.rotate_key_on_demand(KeyId=symmetric["KeyId"])
        blobs.append(kms.encrypt(KeyId="alias/kept", Plaintext=b"after rotation")["CiphertextBlob"])
        kms.enable_key_rotation(KeyId=symmetric["KeyId"], RotationPeriodInDays=180)
        grant = kms.create_grant(KeyId=symmetric["KeyId"], GranteePrincipal="arn:aws:iam::000000000000:role/r",
                                 Operations=["Decrypt"], Name="kept-grant")
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "s", "Effect": "Allow", "Principal": {
            "AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*", "Resource": "*"}]})
        kms.put_key_policy(KeyId=symmetric["KeyId"], PolicyName="default", Policy=policy)
        signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        public_key = kms.get_public_key(KeyId=signing["KeyId"])["PublicKey"]
        signature = kms.sign(KeyId=signing["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        pq = kms.create_key(KeySpec="ML_DSA_65", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        pq_public = kms.get_public_key(KeyId=pq["KeyId"])["PublicKey"]
        hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
        mac = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
        doomed = kms.create_key()["KeyMetadata"]
        kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
        disabled = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=disabled["KeyId"])
        external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        params = kms.get_parameters_for_import(KeyId=external["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                               WrappingKeySpec="RSA_2048")
    with persistent_host(data) as host:
        kms = make_client(host.url, "kms")
        assert kms.decrypt(CiphertextBlob=blobs[0], EncryptionContext={"k": "v"})["Plaintext"] == b"before rotation"
        assert kms.decrypt(CiphertextBlob=blobs[1])["Plaintext"] == b"after rotation"
        meta = kms.describe_key(KeyId="alias/kept")["KeyMetadata"]
        assert meta["Description"] == "kept"
        assert kms.list_resource_tags(KeyId=symmetric["KeyId"])["Tags"] == [{"TagKey": "t", "TagValue": "v"}]
        assert len(kms.list_key_rotations(KeyId=symmetric["KeyId"])["Rotations"]) == 1
        assert kms.get_key_rotation_status(KeyId=symmetric["KeyId"])["RotationPeriodInDays"] == 180
        assert [g["GrantId"] for g in kms.list_grants(KeyId=symmetric["KeyId"])["Grants"]] == [grant["GrantId"]]
        kms.retire_grant(GrantToken=grant["GrantToken"])
        assert kms.get_key_policy(KeyId=symmetric["KeyId"])["Policy"] == policy
        assert kms.get_public_key(KeyId=signing["KeyId"])["PublicKey"] == public_key
        assert kms.verify(KeyId=signing["KeyId"], Message=b"m", Signature=signature,
                          SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"]
        assert kms.get_public_key(KeyId=pq["KeyId"])["PublicKey"] == pq_public
        assert kms.verify_mac(KeyId=hmac_key["KeyId"], Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256")["MacValid"]
        assert kms.describe_key(KeyId=doomed["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
        assert kms.describe_key(KeyId=disabled["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
        assert kms.get_key_last_usage(KeyId=symmetric["KeyId"])["KeyLastUsage"]["Operation"] == "Decrypt"
        material = os.urandom(32)
        kms.import_key_material(KeyId=external["KeyId"], ImportToken=params["ImportToken"],
                                EncryptedKeyMaterial=wrap(params["PublicKey"], material, "RSAES_OAEP_SHA_256"),
                                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
        # The restored keys are still on the tick's list: past the window the doomed key really goes, and past
        # the rotation period the symmetric key rotates.
        advance_clock(host.url, 181 * 86400)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                kms.describe_key(KeyId=doomed["KeyId"])
            except kms.exceptions.NotFoundException:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the key whose deletion window ended was not deleted after a restart")
        rotations = kms.list_key_rotations(KeyId=symmetric["KeyId"])["Rotations"]
        assert [r["RotationType"] for r in rotations] == ["ON_DEMAND", "AUTOMATIC"]


def test_sigkill_loses_no_acknowledged_change(tmp_path):
    data = tmp_path / "data"
    host = persistent_host(data)
    kms = make_client(host.url, "kms")
    base_key = kms.create_key()["KeyMetadata"]["KeyId"]
    acknowledged = {"keys": [], "aliases": [], "grants": [], "tags": [], "rotations": {}, "blobs": []}
    lock = threading.Lock()
    stop = threading.Event()

    def worker(index):
        client = make_client(host.url, "kms")
        n = 0
        # Aliases go to the worker's newest key: AWS allows 50 per key, and the load must last until the kill.
        alias_target = base_key
        while not stop.is_set() and n < 600:
            n += 1
            try:
                choice = n % 6
                if choice == 0:
                    key_id = client.create_key()["KeyMetadata"]["KeyId"]
                    alias_target = key_id
                    with lock:
                        acknowledged["keys"].append(key_id)
                elif choice == 1:
                    name = f"alias/crash-{index}-{n}"
                    client.create_alias(AliasName=name, TargetKeyId=alias_target)
                    with lock:
                        acknowledged["aliases"].append(name)
                elif choice == 2:
                    grant_id = client.create_grant(KeyId=base_key, GranteePrincipal=f"arn:aws:iam::000000000000:role/r{index}",
                                                   Operations=["Decrypt"])["GrantId"]
                    with lock:
                        acknowledged["grants"].append(grant_id)
                elif choice == 3:
                    with lock:
                        targets = list(acknowledged["keys"][-5:])
                    if targets:
                        key_id = random.choice(targets)
                        client.tag_resource(KeyId=key_id, Tags=[{"TagKey": f"w{index}", "TagValue": str(n)}])
                        with lock:
                            acknowledged["tags"].append((key_id, f"w{index}", str(n)))
                elif choice == 4:
                    with lock:
                        targets = list(acknowledged["keys"][-20:])
                    if targets:
                        key_id = random.choice(targets)
                        client.rotate_key_on_demand(KeyId=key_id)
                        with lock:
                            acknowledged["rotations"][key_id] = acknowledged["rotations"].get(key_id, 0) + 1
                else:
                    plaintext = os.urandom(24)
                    blob = client.encrypt(KeyId=base_key, Plaintext=plaintext)["CiphertextBlob"]
                    with lock:
                        acknowledged["blobs"].append((blob, plaintext))
            except botocore.exceptions.ClientError as error:
                if error.response["Error"]["Code"] == "LimitExceededException":
                    continue  # a key rotated on demand 10 times: AWS's limit, not the crash
                return
            except botocore.exceptions.BotoCoreError:
                return  # the host died under this call: its answer never came, so nothing is owed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(2.0, 4.0))
    host.process.send_signal(signal.SIGKILL)
    host.process.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    total = sum(len(v) for k, v in acknowledged.items() if k != "rotations") + sum(acknowledged["rotations"].values())
    assert total > 200, f"too few calls before the kill to prove anything: {total}"

    with persistent_host(data) as restarted:
        kms = make_client(restarted.url, "kms")
        existing = set()
        page = kms.list_keys(Limit=1000)
        existing.update(k["KeyId"] for k in page["Keys"])
        while page["Truncated"]:
            page = kms.list_keys(Limit=1000, Marker=page["NextMarker"])
            existing.update(k["KeyId"] for k in page["Keys"])
        assert set(acknowledged["keys"]) <= existing
        aliases = set()
        page = kms.list_aliases(Limit=1000)
        aliases.update(a["AliasName"] for a in page["Aliases"])
        while page["Truncated"]:
            page = kms.list_aliases(Limit=1000, Marker=page["NextMarker"])
            aliases.update(a["AliasName"] for a in page["Aliases"])
        assert set(acknowledged["aliases"]) <= aliases
        grants = set()
        page = kms.list_grants(KeyId=base_key, Limit=1000)
        grants.update(g["GrantId"] for g in page["Grants"])
        while page["Truncated"]:
            page = kms.list_grants(KeyId=base_key, Limit=1000, Marker=page["NextMarker"])
            grants.update(g["GrantId"] for g in page["Grants"])
        assert set(acknowledged["grants"]) <= grants
        for key_id, tag_key, _ in acknowledged["tags"]:
            tags = {t["TagKey"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]}
            assert tag_key in tags
        for key_id, count in acknowledged["rotations"].items():
            assert len(kms.list_key_rotations(KeyId=key_id)["Rotations"]) >= count
        for blob, plaintext in acknowledged["blobs"]:
            assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == plaintext


def test_files_are_private(tmp_path):
    data = tmp_path / "data"
    with persistent_host(data) as host:
        make_client(host.url, "kms").create_key()
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    for name in os.listdir(data):
        assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name


def test_encryption_at_rest(tmp_path):
    data = tmp_path / "data"
    with persistent_host(data, STATE_ENCRYPTION_KEY="correct horse") as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="SECRET-DESCRIPTION-MARKER")["KeyMetadata"]
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    raw = b"".join((data / name).read_bytes() for name in os.listdir(data))
    assert b"SECRET-DESCRIPTION-MARKER" not in raw
    with persistent_host(data, STATE_ENCRYPTION_KEY="correct horse") as host:
        assert make_client(host.url, "kms").decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    with pytest.raises(RuntimeError) as failure:
        persistent_host(data, STATE_ENCRYPTION_KEY="wrong key")
    assert "does not match" in str(failure.value)
    with pytest.raises(RuntimeError) as failure:
        persistent_host(data)
    assert "STATE_ENCRYPTION_KEY" in str(failure.value)


def test_corrupt_database_is_a_clear_error(tmp_path):
    data = tmp_path / "data"
    with persistent_host(data) as host:
        kms = make_client(host.url, "kms")
        for _ in range(50):
            kms.create_key(Description="x" * 500)
    database = data / "awsemu-state.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    content = database.read_bytes()
    database.write_bytes(content[:4096] + b"\xff" * 4096 + content[8192:])
    with pytest.raises(RuntimeError) as failure:
        persistent_host(data)
    assert "corrupt" in str(failure.value)


@pytest.mark.parametrize("column, value, problem", [
    ("format", 99, "has state format 99, newer than the plugin's"),
    ("format", 2**40, "format version or sequence number out of range; the state database is corrupt"),
    ("seq", -5, "format version or sequence number out of range; the state database is corrupt"),
], ids=["newer-format", "format-out-of-range", "negative-sequence"])
def test_a_stored_record_the_host_cannot_read_stops_start_up(tmp_path, column, value, problem):
    """A record newer than its plugin, or with numbers no host wrote, stops start-up with a message naming it,
    instead of starting with part of the state missing or read wrong."""
    data = tmp_path / "data"
    with persistent_host(data) as host:
        make_client(host.url, "kms").create_key(Description="stored")
    with sqlite3.connect(data / "awsemu-state.sqlite") as connection:
        connection.execute(f"UPDATE records SET {column} = ? WHERE plugin = 'kms' AND ns = 'key'", (value,))
    with pytest.raises(RuntimeError) as failure:
        persistent_host(data)
    assert problem in str(failure.value)


def test_a_data_dir_that_cannot_be_made_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(RuntimeError) as failure:
        persistent_host(tmp_path / "file" / "data")
    assert f"DATA_DIR {tmp_path}/file/data cannot be created: " in str(failure.value)
    assert "Not a directory" in str(failure.value) or "File exists" in str(failure.value)


@pytest.mark.parametrize("order", [("first", "second"), ("second", "first")])
def test_an_import_naming_one_record_twice_keeps_the_later(tmp_path, order):
    """The file's order decides, in the running plugin and in the store it restarts from."""
    exports = {}
    with persistent_host(tmp_path / "a") as host:
        kms = make_client(host.url, "kms")
        key_id = kms.create_key(Description="first")["KeyMetadata"]["KeyId"]
        exports["first"] = request(host.url, "GET", "/_emu/state/export").json()
        kms.update_key_description(KeyId=key_id, Description="second")
        exports["second"] = request(host.url, "GET", "/_emu/state/export").json()
    key_record = {name: next(r for r in export["records"] if r["namespace"] == "key" and key_id in r["key"])
                  for name, export in exports.items()}
    doubled = dict(exports["second"], records=[key_record[order[0]], key_record[order[1]]])
    with persistent_host(tmp_path / "b") as host:
        kms = make_client(host.url, "kms")
        assert request(host.url, "POST", "/_emu/state/import", json.dumps(doubled).encode()).status == 200
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == order[1]
    with persistent_host(tmp_path / "b") as host:
        assert make_client(host.url, "kms").describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == order[1]


def test_export_and_import_into_a_fresh_host(tmp_path):
    export_file = tmp_path / "state.json"
    with persistent_host(tmp_path / "a") as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="travels")["KeyMetadata"]
        kms.create_alias(AliasName="alias/travels", TargetKeyId=key["KeyId"])
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"portable")["CiphertextBlob"]
        response = request(host.url, "GET", "/_emu/state/export")
        assert response.status == 200
        export_file.write_bytes(response.body)
    document = json.loads(export_file.read_bytes())
    assert document["format"] == "awsemu-state" and document["records"]
    with AwsemuHost(env={"SERVICES": "kms"}) as fresh:
        response = request(fresh.url, "POST", "/_emu/state/import", export_file.read_bytes())
        assert response.status == 200, response.body
        kms = make_client(fresh.url, "kms")
        assert kms.describe_key(KeyId="alias/travels")["KeyMetadata"]["Description"] == "travels"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"portable"


def test_export_without_persistence_carries_the_live_state(tmp_path):
    """Without PERSISTENCE the plugins hand over their present state (on_state_snapshot): KMS keys, aliases,
    grants and last usage, and Secrets Manager's secrets travel to a fresh host, which reads them."""
    with AwsemuHost(env={"SERVICES": "kms,secretsmanager"}) as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="lives in memory")["KeyMetadata"]
        kms.create_alias(AliasName="alias/in-memory", TargetKeyId=key["KeyId"])
        grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::000000000000:role/reader",
                                 Operations=["Decrypt"])["GrantId"]
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"snapshot")["CiphertextBlob"]
        secrets = make_client(host.url, "secretsmanager")
        secrets.create_secret(Name="in-memory/secret", SecretString="s3cr3t")
        response = request(host.url, "GET", "/_emu/state/export")
        assert response.status == 200, response.body
        document = json.loads(response.body)
    namespaces = {(r["plugin"], r["namespace"]) for r in document["records"]}
    assert {("kms", "key"), ("kms", "alias"), ("kms", "grant"), ("kms", "usage"), ("kms", "meta"),
            ("secretsmanager", "secret")} <= namespaces
    with AwsemuHost(env={"SERVICES": "kms,secretsmanager"}) as fresh:
        response = request(fresh.url, "POST", "/_emu/state/import", json.dumps(document).encode())
        assert response.status == 200, response.body
        kms = make_client(fresh.url, "kms")
        assert kms.describe_key(KeyId="alias/in-memory")["KeyMetadata"]["Description"] == "lives in memory"
        assert kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]["Operation"] == "Encrypt"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"snapshot"
        assert [g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]] == [grant]
        secrets = make_client(fresh.url, "secretsmanager")
        assert secrets.get_secret_value(SecretId="in-memory/secret")["SecretString"] == "s3cr3t"
        # The imported state is the fresh host's own: exported again, it is the same set of records.
        again = json.loads(request(fresh.url, "GET", "/_emu/state/export").body)
        assert {(r["namespace"], r["key"]) for r in again["records"] if r["namespace"] != "usage"} \
            >= {(r["namespace"], r["key"]) for r in document["records"] if r["namespace"] != "usage"}


def test_an_export_with_persistence_carries_what_only_a_tick_would_store(tmp_path):
    """Last usage reaches the state database only on a tick; the export asks KMS for its present state instead, so
    it carries the usage even when no tick has run (TICK_SECONDS=0)."""
    with persistent_host(tmp_path / "data", TICK_SECONDS="0") as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key()["KeyMetadata"]
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"used")
        records = json.loads(request(host.url, "GET", "/_emu/state/export").body)["records"]
        assert ("usage", key["Arn"]) in {(r["namespace"], r["key"]) for r in records}


def test_a_refused_import_without_persistence_changes_nothing(tmp_path):
    """Without a store to go back to, the host keeps each touched plugin's snapshot and loads it back when a later
    plugin refuses a record of the file. Plugins are replaced in name order, so KMS has taken the file's keys
    completely by the time Secrets Manager refuses its record; KMS must still end up as it was."""
    with AwsemuHost(env={"SERVICES": "kms"}) as elsewhere:
        other = make_client(elsewhere.url, "kms").create_key(Description="from elsewhere")["KeyMetadata"]["KeyId"]
        incoming = [r for r in json.loads(request(elsewhere.url, "GET", "/_emu/state/export").body)["records"]
                    if r["namespace"] != "usage"]
    broken = {"plugin": "secretsmanager", "namespace": "secret", "key": "000000000000/us-east-1/broken",
              "formatVersion": 1, "value": base64.b64encode(b"not a secret record").decode()}
    with AwsemuHost(env={"SERVICES": "kms,secretsmanager"}) as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="before the import")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/kept", TargetKeyId=key)
        blob = kms.encrypt(KeyId=key, Plaintext=b"kept")["CiphertextBlob"]
        secrets = make_client(host.url, "secretsmanager")
        secrets.create_secret(Name="kept", SecretString="still here")
        document = {"format": "awsemu-state", "version": 1, "records": incoming + [broken]}
        response = request(host.url, "POST", "/_emu/state/import", json.dumps(document).encode())
        assert response.status == 400 and response.json()["message"] == (
            "plugin secretsmanager could not load record secret/000000000000/us-east-1/broken; nothing was changed")
        assert kms.describe_key(KeyId="alias/kept")["KeyMetadata"]["Description"] == "before the import"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
        listed = {k["KeyId"] for k in kms.list_keys()["Keys"]}  # with the AWS managed key Secrets Manager made
        assert key in listed and other not in listed
        assert secrets.get_secret_value(SecretId="kept")["SecretString"] == "still here"
        # The same file without the broken record replaces KMS's keys: the one above was a real change undone.
        document["records"] = incoming
        assert request(host.url, "POST", "/_emu/state/import", json.dumps(document).encode()).status == 200
        listed = {k["KeyId"] for k in kms.list_keys()["Keys"]}
        assert other in listed and key not in listed


def test_s3_state_is_neither_exported_nor_imported_without_persistence(tmp_path):
    """S3's bodies live in a folder that a reset empties, so without PERSISTENCE its state is not snapshotted:
    the export leaves it out, and an import naming it is refused before any plugin changes."""
    with AwsemuHost(env={"SERVICES": "kms,s3"}) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="kept-bucket")
        s3.put_object(Bucket="kept-bucket", Key="object", Body=b"body")
        key = make_client(host.url, "kms").create_key()["KeyMetadata"]["KeyId"]
        document = json.loads(request(host.url, "GET", "/_emu/state/export").body)
        assert {r["plugin"] for r in document["records"]} == {"kms"}
        s3_record = {"plugin": "s3", "namespace": "bucket", "key": "other-bucket", "formatVersion": 1,
                     "value": base64.b64encode(b"{}").decode()}
        document["records"] = [r for r in document["records"] if r["namespace"] != "usage"] + [s3_record]
        response = request(host.url, "POST", "/_emu/state/import", json.dumps(document).encode())
        assert response.status == 400 and b"plugin s3 cannot hand over its present state" in response.body
        assert s3.get_object(Bucket="kept-bucket", Key="object")["Body"].read() == b"body"
        assert key in {k["KeyId"] for k in make_client(host.url, "kms").list_keys()["Keys"]}


def test_restart_keeps_deleted_imported_material_in_its_place(tmp_path):
    """A deleted material's place among the key's materials survives a restart, so importing it again restores
    the key as it was; so do each material's own ExpirationModel, ValidTo and KeyMaterialDescription, the deleted
    and the pending material's included."""
    first, second, third = os.urandom(32), os.urandom(32), os.urandom(32)
    valid_to = int(time.time()) + 200 * 86400
    with persistent_host(tmp_path / "data") as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        import_material(kms, key["KeyId"], first, KeyMaterialDescription="first deleted")
        old_blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"first")["CiphertextBlob"]
        import_material(kms, key["KeyId"], second, ImportType="NEW_KEY_MATERIAL", ValidTo=valid_to,
                        ExpirationModel="KEY_MATERIAL_EXPIRES", KeyMaterialDescription="second current")
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
        kms.delete_imported_key_material(KeyId=key["KeyId"], KeyMaterialId=hashlib.sha256(first).hexdigest())
        import_material(kms, key["KeyId"], third, ImportType="NEW_KEY_MATERIAL", ValidTo=valid_to + 86400,
                        ExpirationModel="KEY_MATERIAL_EXPIRES", KeyMaterialDescription="third pending")

    def listed(kms):
        rows = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        return [(r["KeyMaterialId"], r["ImportState"], r["KeyMaterialState"], r.get("ExpirationModel"),
                 r.get("ValidTo") and int(r["ValidTo"].timestamp()), r.get("KeyMaterialDescription")) for r in rows]

    with persistent_host(tmp_path / "data") as host:
        kms = make_client(host.url, "kms")
        first_id, second_id, third_id = (hashlib.sha256(m).hexdigest() for m in (first, second, third))
        assert listed(kms) == [
            (first_id, "PENDING_IMPORT", "NON_CURRENT", None, None, "first deleted"),
            (second_id, "IMPORTED", "CURRENT", "KEY_MATERIAL_EXPIRES", valid_to, "second current"),
            (third_id, "IMPORTED", "PENDING_ROTATION", "KEY_MATERIAL_EXPIRES", valid_to + 86400, "third pending")]
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        assert (meta["ExpirationModel"], int(meta["ValidTo"].timestamp())) == ("KEY_MATERIAL_EXPIRES", valid_to)
        import_material(kms, key["KeyId"], first)
        assert kms.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"first"
        assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] \
            == hashlib.sha256(second).hexdigest()


def format1_key_export(key_id, material, material_id, description, origin="AWS_KMS", tags=(), **fields):
    """An export file holding one key record in format 1 (JSON), as the plugin stored keys before format 2: a
    symmetric key of the default account and region with one material; `fields` adds or replaces record fields."""
    record = {"keyId": key_id, "accountId": "000000000000", "region": "us-east-1", "creationDate": 1700000000.0,
              "description": description, "keySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT",
              "origin": origin, "keyManager": "CUSTOMER", "state": "Enabled", "multiRegion": False,
              "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                  "AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*", "Resource": "*"}]}),
              "tags": list(tags), "rotationEnabled": False, "rotationPeriodInDays": 365, "importParameters": [],
              "materials": [{"id": material_id, "kind": "symmetric", "bytes": base64.b64encode(material).decode(),
                             "createdAt": 1700000000.0}], **fields}
    return {"format": "awsemu-state", "version": 1, "records": [
        {"plugin": "kms", "namespace": "key", "key": f"000000000000/us-east-1/{key_id}", "formatVersion": 1,
         "value": base64.b64encode(json.dumps(record).encode()).decode()}]}


def test_a_key_record_written_before_deleted_materials_were_kept_loads(tmp_path):
    """Binary key records gained two trailing lists (deleted materials, each material's expiration and
    description); a record without them (as the plugin wrote them before) still loads. They are the record's last
    fields, so dropping their empty counts (eight zero bytes) gives the older record."""
    with persistent_host(tmp_path / "a") as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="older record")["KeyMetadata"]
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"older")["CiphertextBlob"]
        document = json.loads(request(host.url, "GET", "/_emu/state/export").body)
    record, = [r for r in document["records"] if r["namespace"] == "key"]
    value = base64.b64decode(record["value"])
    assert value.endswith(b"\0" * 8)
    record["value"] = base64.b64encode(value[:-8]).decode()
    with persistent_host(tmp_path / "b") as host:
        response = request(host.url, "POST", "/_emu/state/import", json.dumps(document).encode())
        assert response.status == 200, response.body
        kms = make_client(host.url, "kms")
        assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Description"] == "older record"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"older"


def test_a_stored_key_material_id_that_is_not_hex_fails_the_request_not_the_host(tmp_path):
    """A key record whose material id is not 64 hex digits (hand-edited, or from a broken export) still imports;
    Encrypt under that key answers KMSInternalException, and the host goes on serving."""
    import re

    with persistent_host(tmp_path / "a") as host:
        key = make_client(host.url, "kms").create_key()["KeyMetadata"]
        document = json.loads(request(host.url, "GET", "/_emu/state/export").body)
    record, = [r for r in document["records"] if r["namespace"] == "key"]
    value = base64.b64decode(record["value"])
    material_id = re.search(rb"[0-9a-f]{64}", value)
    record["value"] = base64.b64encode(value[:material_id.start()] + b"z" * 64 + value[material_id.end():]).decode()
    with persistent_host(tmp_path / "b") as host:
        assert request(host.url, "POST", "/_emu/state/import", json.dumps(document).encode()).status == 200
        kms = make_client(host.url, "kms")
        assert aws_error(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x"))[0] == "KMSInternalException"
        assert request(host.url, "GET", "/_emu/health").status == 200
        assert kms.create_key()["KeyMetadata"]["Enabled"]


def test_an_older_record_gives_its_key_expiration_to_the_current_material(tmp_path):
    """Records older than per-material expirations had one ExpirationModel and ValidTo per key: loaded, they belong
    to the key's current material, which DescribeKey and ListKeyRotations then show."""
    key_id = "0f0f0f0f-5555-6666-7777-888888888888"
    material = bytes(range(32))
    material_id = hashlib.sha256(material).hexdigest()
    valid_to = 1_900_000_000.0
    export = format1_key_export(key_id, material, material_id, description="imported, older record",
                                origin="EXTERNAL", importedMaterialDigest=material_id, knownMaterialIds=[material_id],
                                expirationModel="KEY_MATERIAL_EXPIRES", validTo=valid_to)
    with persistent_host(tmp_path / "data") as host:
        response = request(host.url, "POST", "/_emu/state/import", json.dumps(export).encode())
        assert response.status == 200, response.body
        kms = make_client(host.url, "kms")
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        assert (meta["ExpirationModel"], meta["ValidTo"].timestamp()) == ("KEY_MATERIAL_EXPIRES", valid_to)
        row, = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        assert (row["KeyMaterialId"], row["ExpirationModel"], row["ValidTo"].timestamp()) \
            == (material_id, "KEY_MATERIAL_EXPIRES", valid_to)


def test_aws_managed_key_made_by_a_failed_request_is_kept(tmp_path):
    data = tmp_path / "data"
    with persistent_host(data) as host:
        kms = make_client(host.url, "kms")
        # A direct Encrypt with an AWS managed key creates the key, then is denied by its policy (no ViaService).
        assert aws_error(kms.encrypt, KeyId="alias/aws/ebs", Plaintext=b"x")[0] == "AccessDeniedException"
        managed = kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]
        assert managed["KeyManager"] == "AWS"
    with persistent_host(data) as host:
        kms = make_client(host.url, "kms")
        assert kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["KeyId"] == managed["KeyId"]


def test_older_record_formats_load_and_newer_ones_are_refused(tmp_path):
    """Format 1 stored key records as JSON; the plugin now writes format 2 and must still read format 1."""
    key_id = "0f0f0f0f-1111-2222-3333-444444444444"
    export = format1_key_export(key_id, bytes(range(32)), "ab" * 32, description="written by format 1",
                                tags=[["t", "v"]])
    with persistent_host(tmp_path / "data") as host:
        response = request(host.url, "POST", "/_emu/state/import", json.dumps(export).encode())
        assert response.status == 200, response.body
        kms = make_client(host.url, "kms")
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "written by format 1"
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"old format key")["CiphertextBlob"]
        kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "rewritten", "TagValue": "as format 2"}])
    with persistent_host(tmp_path / "data") as host:
        kms = make_client(host.url, "kms")
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"old format key"
        newer = dict(export)
        newer["records"] = [dict(export["records"][0], formatVersion=99)]
        response = request(host.url, "POST", "/_emu/state/import", json.dumps(newer).encode())
        assert response.status == 400 and b"newer" in response.body
        # A refused import changes nothing.
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"old format key"


def test_an_import_a_plugin_refuses_midway_changes_nothing(tmp_path):
    """The file is valid JSON and every format is known, but the plugin cannot read one record: the plugins keep
    what they had, in memory and in the store, instead of being left with half the file."""
    data = tmp_path / "data"
    with persistent_host(data) as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="before the import")["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key, Plaintext=b"kept")["CiphertextBlob"]
        exported = json.loads(request(host.url, "GET", "/_emu/state/export").body)
        good = [dict(record, key=record["key"].replace(key, "0f0f0f0f-5555-6666-7777-888888888888"))
                for record in exported["records"] if record["plugin"] == "kms"]
        broken = {"plugin": "kms", "namespace": "key", "key": "000000000000/us-east-1/broken", "formatVersion": 2,
                  "value": base64.b64encode(b"not a key record").decode()}
        document = {"format": "awsemu-state", "version": 1, "records": good + [broken]}
        response = request(host.url, "POST", "/_emu/state/import", json.dumps(document).encode())
        assert response.status == 400 and b"could not load record" in response.body
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["Description"] == "before the import"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
        listed = {k["KeyId"] for k in kms.list_keys()["Keys"]}
        assert key in listed and "0f0f0f0f-5555-6666-7777-888888888888" not in listed
    with persistent_host(data) as host:
        kms = make_client(host.url, "kms")
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
        assert "0f0f0f0f-5555-6666-7777-888888888888" not in {k["KeyId"] for k in kms.list_keys()["Keys"]}


def test_imports_during_a_write_load_leave_memory_and_store_agreeing(tmp_path):
    """Requests in flight finish before an import replaces the state, requests that arrive during it get a 503
    (SDKs retry it), and after a restart the store holds exactly what the host showed before it."""
    data = tmp_path / "data"
    with persistent_host(data, SERVICES="kms") as host:
        kms = make_client(host.url, "kms")
        for _ in range(300):  # a file large enough that replacing the state takes a while
            kms.create_key(Description="in the file")
        document = request(host.url, "GET", "/_emu/state/export").body
        stop = threading.Event()
        acknowledged, refused = [], []

        def write_load():
            client = make_client(host.url, "kms")
            while not stop.is_set():
                try:
                    # Stamped before sending: a request sent after the last import must be in the state.
                    sent = time.monotonic()
                    acknowledged.append((sent, client.create_key(Description="load")["KeyMetadata"]["KeyId"]))
                except botocore.exceptions.ClientError as error:
                    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503, error
                    refused.append(error)

        writers = [threading.Thread(target=write_load) for _ in range(3)]
        for writer in writers:
            writer.start()
        for _ in range(5):
            time.sleep(0.2)
            assert request(host.url, "POST", "/_emu/state/import", document).status == 200
        last_import = time.monotonic()
        time.sleep(0.3)
        stop.set()
        for writer in writers:
            writer.join()
        shown = {key["KeyId"] for page in kms.get_paginator("list_keys").paginate() for key in page["Keys"]}
        after_last_import = {key for sent, key in acknowledged if sent > last_import}
        assert after_last_import and after_last_import <= shown
    with persistent_host(data, SERVICES="kms") as host:
        kms = make_client(host.url, "kms")
        stored = {key["KeyId"] for page in kms.get_paginator("list_keys").paginate() for key in page["Keys"]}
        assert stored == shown


def test_a_reset_waits_for_the_requests_in_flight(tmp_path):
    """A reset empties the plugins only once the requests in flight have finished, and turns away (503, which SDKs
    retry) those that arrive meanwhile: a request must not change a plugin after it was emptied, or store its change
    after the plugin's records were removed, so that a restart brings back what the reset took away."""
    from awsemu_host import json_call

    with persistent_host(tmp_path / "data", SERVICES="kms,echo") as host:
        kms = make_client(host.url, "kms")
        kms.create_key(Description="before the reset")
        stalled, reset = {}, {}

        def stall():
            stalled["status"] = json_call(host.url, "EchoService.Stall", b"2").status
            stalled["done"] = time.monotonic()

        def do_reset():
            reset["status"] = request(host.url, "POST", "/_emu/state/reset").status
            reset["done"] = time.monotonic()

        threading.Thread(target=stall, daemon=True).start()
        deadline = time.monotonic() + 10
        while "Stall: blocking this thread on purpose" not in host.log:
            assert time.monotonic() < deadline, "the Stall request never reached its handler"
            time.sleep(0.02)
        resetter = threading.Thread(target=do_reset, daemon=True)
        resetter.start()
        turned_away = None
        while turned_away is None and "status" not in reset:
            answer = json_call(host.url, "TrentService.ListKeys", b"{}", service="kms")
            if answer.status == 503:
                turned_away = answer.json()
            time.sleep(0.02)
        resetter.join(15)
        assert stalled.get("status") == 200 and reset.get("status") == 200
        assert reset["done"] >= stalled["done"], "the reset finished while a request was still in flight"
        assert turned_away and turned_away["__type"] == "ServiceUnavailableException"
        assert kms.list_keys()["Keys"] == []
        kept = kms.create_key(Description="after the reset")["KeyMetadata"]["KeyId"]
    with persistent_host(tmp_path / "data", SERVICES="kms") as host:
        assert [key["KeyId"] for key in make_client(host.url, "kms").list_keys()["Keys"]] == [kept]


def test_resets_from_many_workers_at_once_do_not_stall(tmp_path):
    """Test workers sharing one host reset it between their tests, often at once. Each reset waits for quiet on a
    thread of its own: waiting on the pool that plugin requests run on, six of them could take every pool thread
    from a request that had already passed the gate, and the reset then waited 30 s for a request that could not
    run."""
    with persistent_host(tmp_path / "data", SERVICES="kms") as host:
        stop = threading.Event()
        slow, failed = [], []

        def resetter():
            while not stop.is_set():
                started = time.monotonic()
                status = request(host.url, "POST", "/_emu/state/reset").status
                (slow if time.monotonic() - started > 5 else []).append(time.monotonic() - started)
                if status != 200:
                    failed.append(status)

        def worker():
            client = make_client(host.url, "kms")
            while not stop.is_set():
                try:
                    client.create_key()
                except botocore.exceptions.ClientError as error:
                    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503, error

        threads = [threading.Thread(target=resetter) for _ in range(6)] + [threading.Thread(target=worker)
                                                                        for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(60)
        assert not failed and not slow, (failed, slow)


def test_resets_during_a_write_load_leave_memory_and_store_agreeing(tmp_path):
    """Keys made while resets come and go are, after a restart, exactly the keys the host showed before it: no
    change lands in the store after the reset that emptied memory, or is lost from it."""
    data = tmp_path / "data"
    with persistent_host(data, SERVICES="kms") as host:
        stop = threading.Event()
        failures = []

        def write_load():
            client = make_client(host.url, "kms")
            while not stop.is_set():
                try:
                    key = client.create_key(Description="load")["KeyMetadata"]["KeyId"]
                    client.create_alias(AliasName=f"alias/load-{key}", TargetKeyId=key)
                except botocore.exceptions.ClientError as error:
                    # A reset between the two calls takes the key away; a 503 is a request that came during one.
                    if error.response["Error"]["Code"] not in ("NotFoundException", "ServiceUnavailableException"):
                        failures.append(error)

        writers = [threading.Thread(target=write_load) for _ in range(3)]
        for writer in writers:
            writer.start()
        for _ in range(10):
            time.sleep(0.15)
            assert request(host.url, "POST", "/_emu/state/reset").status == 200
        time.sleep(0.3)
        stop.set()
        for writer in writers:
            writer.join()
        assert not failures, failures
        kms = make_client(host.url, "kms")
        shown = {key["KeyId"] for page in kms.get_paginator("list_keys").paginate() for key in page["Keys"]}
        aliases = {alias["AliasName"] for page in kms.get_paginator("list_aliases").paginate()
                   for alias in page["Aliases"]}
        assert shown
    with persistent_host(data, SERVICES="kms") as host:
        kms = make_client(host.url, "kms")
        assert {key["KeyId"] for page in kms.get_paginator("list_keys").paginate() for key in page["Keys"]} == shown
        assert {alias["AliasName"] for page in kms.get_paginator("list_aliases").paginate()
                for alias in page["Aliases"]} == aliases


def test_state_export_and_import_through_the_cli(tmp_path):
    export_file = tmp_path / "exported.json"
    with persistent_host(tmp_path / "a") as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="via the cli")["KeyMetadata"]
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"cli")["CiphertextBlob"]
        result = subprocess.run([str(HOST_BINARY), "state", "export", str(export_file), "--endpoint", host.url],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
    assert stat.S_IMODE(os.stat(export_file).st_mode) == 0o600
    with AwsemuHost(env={"SERVICES": "kms"}) as fresh:
        result = subprocess.run([str(HOST_BINARY), "state", "import", str(export_file), "--endpoint", fresh.url],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        kms = make_client(fresh.url, "kms")
        assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Description"] == "via the cli"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"cli"
