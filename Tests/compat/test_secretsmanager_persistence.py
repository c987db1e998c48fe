"""Secrets Manager with PERSISTENCE=1: the stored records hold no plaintext (the SQLite file and its WAL are read
raw), the stored envelope is what KMS and AES-256-GCM say it is, and a restart reads every secret back."""

import base64
import json
import os
import sqlite3
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from awsemu_host import make_client
from awsemu_host import persistent_host as shared_persistent_host
from kms_helpers import advance_clock, aws_error

DAY = 86400


def persistent_host(data_dir):
    return shared_persistent_host(data_dir, services="kms,secretsmanager")


def raw_bytes(data_dir):
    """Every byte of the store as it lies on disk: the database, its -wal and -shm files."""
    return {name: (data_dir / name).read_bytes() for name in os.listdir(data_dir)}


def secret_records(data_dir):
    """The plugin's live records (a deletion is a row without a value), read with SQLite itself, which also
    reads what is still only in the WAL."""
    connection = sqlite3.connect(f"file:{data_dir / 'awsemu-state.sqlite'}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT ns, key, value, format FROM records "
                                  "WHERE plugin = 'secretsmanager' AND value IS NOT NULL").fetchall()
    finally:
        connection.close()
    return {key: (ns, json.loads(value), fmt) for ns, key, value, fmt in rows}


def forms(secret: bytes):
    """The plaintext as it could appear: raw, base64 (as JSON carries blobs) and JSON-escaped."""
    return [secret, base64.b64encode(secret), json.dumps(secret.decode("latin-1"))[1:-1].encode()]


def test_records_hold_no_plaintext_and_restart_reads_everything_back(tmp_path):
    data = tmp_path / "data"
    marker = f"PLAINTEXT-{uuid.uuid4().hex}"
    plaintexts = {
        "string": f"{marker}-string".encode(),
        "binary": f"{marker}-binary".encode() + b"\x00\xff",
        "old": f"{marker}-old-version".encode(),
        "pending": f"{marker}-pending".encode(),
        "custom": f"{marker}-custom-key".encode(),
        "doomed": f"{marker}-doomed".encode(),
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::111122223333:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    with persistent_host(data) as host:
        sm = make_client(host.url, "secretsmanager")
        kms = make_client(host.url, "kms")
        key = kms.create_key()["KeyMetadata"]
        plain = sm.create_secret(Name="app/string", SecretString=plaintexts["old"].decode(), Description="kept",
                                 Tags=[{"Key": "env", "Value": "prod"}])
        current = sm.put_secret_value(SecretId="app/string", SecretString=plaintexts["string"].decode())["VersionId"]
        pending = sm.put_secret_value(SecretId="app/string", SecretString=plaintexts["pending"].decode(),
                                      VersionStages=["AWSPENDING"])["VersionId"]
        sm.put_resource_policy(SecretId="app/string", ResourcePolicy=policy)
        binary = sm.create_secret(Name="app/binary", SecretBinary=plaintexts["binary"])
        custom = sm.create_secret(Name="app/custom", SecretString=plaintexts["custom"].decode(), KmsKeyId=key["Arn"])
        sm.create_secret(Name="app/doomed", SecretString=plaintexts["doomed"].decode())
        deletion = sm.delete_secret(SecretId="app/doomed", RecoveryWindowInDays=7)["DeletionDate"]
        sm.create_secret(Name="app/gone", SecretString="forced")
        sm.delete_secret(SecretId="app/gone", ForceDeleteWithoutRecovery=True)

        # On disk while the host runs: the records are still in the WAL.
        files = raw_bytes(data)
        assert any(name.endswith("-wal") for name in files)
        for secret in plaintexts.values():
            for form in forms(secret):
                for name, content in files.items():
                    assert form not in content, f"plaintext found in {name}"
        assert marker.encode() not in b"".join(files.values())

        records = secret_records(data)
        assert set(records) == {f"000000000000/us-east-1/app/{n}" for n in ("string", "binary", "custom", "doomed")}
        ns, record, fmt = records["000000000000/us-east-1/app/string"]
        assert (ns, fmt) == ("secret", 2)  # format 2: replicas
        assert record["arn"] == plain["ARN"] and record["description"] == "kept"
        assert len(record["versions"]) == 3
        for version in record["versions"]:
            assert set(version["value"]) == {"kind", "ciphertext", "iv", "tag", "encryptedDataKey", "kmsKeyArn",
                                             "isDefaultKey"}

        # The stored envelope is what it claims: KMS unwraps the data key for the stored encryption context, and
        # AES-256-GCM (Python's own implementation) opens the value with it.
        _, custom_record, _ = records["000000000000/us-east-1/app/custom"]
        version = custom_record["versions"][0]
        context = {"SecretARN": custom["ARN"], "SecretVersionId": version["versionId"]}
        data_key = kms.decrypt(CiphertextBlob=base64.b64decode(version["value"]["encryptedDataKey"]),
                               EncryptionContext=context)["Plaintext"]
        aad = f"SecretARN={custom['ARN']}\nSecretVersionId={version['versionId']}\nKind=string".encode()
        sealed = base64.b64decode(version["value"]["ciphertext"]) + base64.b64decode(version["value"]["tag"])
        assert AESGCM(data_key).decrypt(base64.b64decode(version["value"]["iv"]), sealed, aad) == plaintexts["custom"]
        code, _, _ = aws_error(kms.decrypt, CiphertextBlob=base64.b64decode(version["value"]["encryptedDataKey"]),
                               EncryptionContext={**context, "SecretVersionId": "other"})
        assert code == "InvalidCiphertextException"

        # Under the AWS managed key, the user's own direct Decrypt of the same kind of record is refused.
        managed = records["000000000000/us-east-1/app/binary"][1]["versions"][0]
        code, message, _ = aws_error(
            kms.decrypt, CiphertextBlob=base64.b64decode(managed["value"]["encryptedDataKey"]),
            EncryptionContext={"SecretARN": binary["ARN"], "SecretVersionId": managed["versionId"]})
        assert code == "AccessDeniedException", message

    # After a clean stop (the WAL checkpointed into the database) there is still no plaintext anywhere.
    stopped = b"".join(raw_bytes(data).values())
    for secret in plaintexts.values():
        for form in forms(secret):
            assert form not in stopped

    with persistent_host(data) as host:
        sm = make_client(host.url, "secretsmanager")
        assert sm.get_secret_value(SecretId="app/string")["SecretString"] == plaintexts["string"].decode()
        assert sm.get_secret_value(SecretId="app/string", VersionStage="AWSPREVIOUS")["SecretString"] == \
            plaintexts["old"].decode()
        assert sm.get_secret_value(SecretId="app/string", VersionId=pending)["SecretString"] == \
            plaintexts["pending"].decode()
        described = sm.describe_secret(SecretId=plain["ARN"])
        assert described["Description"] == "kept" and described["Tags"] == [{"Key": "env", "Value": "prod"}]
        assert described["VersionIdsToStages"] == {plain["VersionId"]: ["AWSPREVIOUS"], current: ["AWSCURRENT"],
                                                   pending: ["AWSPENDING"]}
        assert sm.get_resource_policy(SecretId="app/string")["ResourcePolicy"] == policy
        assert sm.get_secret_value(SecretId="app/binary")["SecretBinary"] == plaintexts["binary"]
        assert sm.get_secret_value(SecretId=custom["ARN"])["SecretString"] == plaintexts["custom"].decode()
        assert sm.describe_secret(SecretId="app/custom")["KmsKeyId"] == key["Arn"]
        doomed = sm.describe_secret(SecretId="app/doomed")
        assert "DeletedDate" in doomed
        code, _, _ = aws_error(sm.describe_secret, SecretId="app/gone")
        assert code == "ResourceNotFoundException"
        # The recovery window ends on this host's clock; the deletion is stored too.
        until_deletion = (deletion - doomed["DeletedDate"]).total_seconds()
        advance_clock(host.url, until_deletion + 60)
        code, _, _ = aws_error(sm.describe_secret, SecretId="app/doomed")
        assert code == "ResourceNotFoundException"
        # Reads change LastAccessedDate, which is stored as well.
        accessed = sm.describe_secret(SecretId="app/binary")["LastAccessedDate"]

    with persistent_host(data) as host:
        sm = make_client(host.url, "secretsmanager")
        names = sorted(s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"])
        assert names == ["app/binary", "app/custom", "app/string"]
        assert sm.describe_secret(SecretId="app/binary")["LastAccessedDate"] == accessed
        assert sm.get_secret_value(SecretId="app/custom")["SecretString"] == plaintexts["custom"].decode()
    assert "000000000000/us-east-1/app/doomed" not in secret_records(data)


def test_a_replicated_secret_survives_a_restart(tmp_path):
    """The primary's replica Regions and each replica (its own record in its Region) come back after a restart:
    the replica is still read-only, still encrypted in its Region, and still follows its primary."""
    data = tmp_path / "data"
    with persistent_host(data) as host:
        east = make_client(host.url, "secretsmanager")
        east.create_secret(Name="app/multi", SecretString="before", AddReplicaRegions=[{"Region": "eu-west-1"}])
    with persistent_host(data) as host:
        east = make_client(host.url, "secretsmanager")
        europe = make_client(host.url, "secretsmanager", region_name="eu-west-1")
        assert [s["Region"] for s in east.describe_secret(SecretId="app/multi")["ReplicationStatus"]] == ["eu-west-1"]
        assert europe.get_secret_value(SecretId="app/multi")["SecretString"] == "before"
        assert aws_error(europe.update_secret, SecretId="app/multi", Description="x")[0] == "InvalidParameterException"
        east.put_secret_value(SecretId="app/multi", SecretString="after")
        assert europe.get_secret_value(SecretId="app/multi")["SecretString"] == "after"
