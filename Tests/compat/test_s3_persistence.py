"""S3 with PERSISTENCE=1: no object body lies in clear anywhere under DATA_DIR (the SQLite database, its WAL and
the body files are read raw), the stored envelope is what KMS and AES-256-GCM say it is, a restart reads every
object back, and body files that no record names are cleaned up."""

import base64
import hashlib
import json
import os
import sqlite3
import time
import uuid
import zlib

from awscrt.checksums import crc64nvme
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from awsemu_host import make_client, persistent_host
from kms_helpers import aws_error

MIB = 1024 * 1024
CHUNK = MIB


def all_files(data_dir):
    """Every file under DATA_DIR and its bytes."""
    found = {}
    for root, _, names in os.walk(data_dir):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, data_dir)] = handle.read()
    return found


def s3_records(data_dir, namespace):
    connection = sqlite3.connect(f"file:{data_dir / 'awsemu-state.sqlite'}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT key, value, format FROM records WHERE plugin = 's3' AND ns = ? "
                                  "AND value IS NOT NULL", (namespace,)).fetchall()
    finally:
        connection.close()
    return {key: (json.loads(value), fmt) for key, value, fmt in rows}


def open_chunk(data_dir, blob_id, data_key, index, chunk_count, plain_size):
    """Opens chunk `index` of a stored body with Python's own AES-256-GCM, as the format documents it."""
    with open(data_dir / "s3" / "blobs" / f"{blob_id}.blob", "rb") as handle:
        handle.seek(index * (CHUNK + 28))
        stored = handle.read(min(CHUNK, plain_size - index * CHUNK) + 28)
    aad = f"awsemu-s3-chunk-v1\n{blob_id}\n{index}\n{1 if index == chunk_count - 1 else 0}".encode()
    return AESGCM(data_key).decrypt(stored[:12], stored[12:], aad)


def wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_no_plaintext_at_rest_and_a_restart_reads_everything_back(tmp_path):
    data = tmp_path / "data"
    marker = f"PLAINTEXT-{uuid.uuid4().hex}".encode()
    bodies = {
        "sse-s3.txt": marker + b"-sse-s3 " * 200,
        "sse-kms.txt": marker + b"-sse-kms " * 200,
        "managed.txt": marker + b"-managed-key",
        "big.bin": (marker + b"-multi-chunk ") * 200_000,  # about 10 MB: many 1 MiB chunks
        "gone.txt": marker + b"-deleted",
    }
    parts = [(marker + b"-part-one ") * 130_000, marker + b"-part-two"]
    with persistent_host(data) as host:
        s3 = make_client(host.url, "s3")
        kms = make_client(host.url, "kms")
        key = kms.create_key(Description="persisted s3 key")["KeyMetadata"]
        s3.create_bucket(Bucket="persisted")
        s3.put_bucket_encryption(Bucket="persisted", ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]})
        s3.put_object(Bucket="persisted", Key="sse-s3.txt", Body=bodies["sse-s3.txt"], Metadata={"kept": "yes"})
        s3.put_object(Bucket="persisted", Key="sse-kms.txt", Body=bodies["sse-kms.txt"],
                      ServerSideEncryption="aws:kms", SSEKMSKeyId=key["Arn"])
        s3.put_object(Bucket="persisted", Key="managed.txt", Body=bodies["managed.txt"], ServerSideEncryption="aws:kms")
        s3.put_object(Bucket="persisted", Key="big.bin", Body=bodies["big.bin"])
        s3.put_object(Bucket="persisted", Key="gone.txt", Body=bodies["gone.txt"])
        s3.delete_object(Bucket="persisted", Key="gone.txt")
        mpu = s3.create_multipart_upload(Bucket="persisted", Key="multi.bin", ServerSideEncryption="aws:kms",
                                         SSEKMSKeyId=key["Arn"])["UploadId"]
        etags = [s3.upload_part(Bucket="persisted", Key="multi.bin", UploadId=mpu, PartNumber=i + 1, Body=p)["ETag"]
                 for i, p in enumerate(parts)]
        s3.complete_multipart_upload(Bucket="persisted", Key="multi.bin", UploadId=mpu, MultipartUpload={
            "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
        open_upload = s3.create_multipart_upload(Bucket="persisted", Key="unfinished")["UploadId"]
        unfinished_part = os.urandom(5 * MIB)
        unfinished_etag = s3.upload_part(Bucket="persisted", Key="unfinished", UploadId=open_upload, PartNumber=1,
                                         Body=unfinished_part)["ETag"]

        # On disk while the host runs: records in the WAL, bodies in their files; no plaintext anywhere.
        files = all_files(data)
        assert any(name.endswith("-wal") for name in files)
        assert any(name.startswith(os.path.join("s3", "blobs")) for name in files)
        for name, content in files.items():
            assert marker not in content, f"plaintext found in {name}"

        objects = s3_records(data, "object")
        assert set(objects) == {f"persisted/{k}" for k in ("sse-s3.txt", "sse-kms.txt", "managed.txt", "big.bin",
                                                            "multi.bin")}
        assert all(fmt == 3 for _, fmt in objects.values())
        assert set(s3_records(data, "host-key")) == {"sse-s3"}
        assert set(s3_records(data, "upload")) == {open_upload}

        # The stored envelope is what it claims: KMS unwraps the data key for S3's encryption context, and
        # AES-256-GCM (Python's own implementation) opens the body with it.
        record, _ = objects["persisted/sse-kms.txt"]
        encryption = record["encryption"]
        assert encryption["kmsContext"] == {"aws:s3:arn": "arn:aws:s3:::persisted/sse-kms.txt"}
        assert encryption["kmsKeyArn"] == key["Arn"]
        data_key = kms.decrypt(CiphertextBlob=base64.b64decode(encryption["wrappedKey"]),
                               EncryptionContext=encryption["kmsContext"])["Plaintext"]
        blob = record["blobs"][0]
        assert open_chunk(data, blob["id"], data_key, 0, 1, blob["size"]) == bodies["sse-kms.txt"]
        code, _, _ = aws_error(kms.decrypt, CiphertextBlob=base64.b64decode(encryption["wrappedKey"]),
                               EncryptionContext={"aws:s3:arn": "arn:aws:s3:::persisted/other"})
        assert code == "InvalidCiphertextException"
        multi, _ = objects["persisted/multi.bin"]
        assert multi["partsCount"] == 2 and [b["size"] for b in multi["blobs"]] == [len(p) for p in parts]

    # After a clean stop there is still no plaintext anywhere.
    for name, content in all_files(data).items():
        assert marker not in content, f"plaintext found in {name} after shutdown"

    # An orphaned body file (a crash between writing a body and committing its record) is swept after a restart.
    orphan = data / "s3" / "blobs" / ("0" * 32 + ".blob")
    orphan.write_bytes(b"orphan")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))

    with persistent_host(data) as host:
        s3 = make_client(host.url, "s3")
        for name, body in bodies.items():
            if name == "gone.txt":
                code, _, _ = aws_error(s3.get_object, Bucket="persisted", Key=name)
                assert code == "NoSuchKey"
                continue
            got = s3.get_object(Bucket="persisted", Key=name)
            assert got["Body"].read() == body, name
        assert s3.head_object(Bucket="persisted", Key="sse-s3.txt")["Metadata"] == {"kept": "yes"}
        assert s3.get_object(Bucket="persisted", Key="sse-kms.txt")["SSEKMSKeyId"] == key["Arn"]
        assert s3.get_object(Bucket="persisted", Key="multi.bin")["Body"].read() == b"".join(parts)
        ranged = s3.get_object(Bucket="persisted", Key="big.bin", Range="bytes=5000000-5000099")
        assert ranged["Body"].read() == bodies["big.bin"][5000000:5000100]
        assert s3.get_bucket_encryption(Bucket="persisted")["ServerSideEncryptionConfiguration"]["Rules"][0][
            "ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        # The unfinished upload survived with its part, and can be completed now.
        listed = s3.list_parts(Bucket="persisted", Key="unfinished", UploadId=open_upload)["Parts"]
        assert [(p["PartNumber"], p["ETag"]) for p in listed] == [(1, unfinished_etag)]
        s3.complete_multipart_upload(Bucket="persisted", Key="unfinished", UploadId=open_upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": unfinished_etag}]})
        assert s3.get_object(Bucket="persisted", Key="unfinished")["Body"].read() == unfinished_part
        # Checksums survive too: the one boto3 sent with a PutObject, and the parts' own CRC64NVME that S3's default
        # object checksum is made of.
        head = s3.head_object(Bucket="persisted", Key="sse-s3.txt", ChecksumMode="ENABLED")
        assert head["ChecksumCRC32"] == base64.b64encode(zlib.crc32(bodies["sse-s3.txt"]).to_bytes(4, "big")).decode()
        head = s3.head_object(Bucket="persisted", Key="unfinished", ChecksumMode="ENABLED")
        assert head["ChecksumCRC64NVME"] == base64.b64encode(crc64nvme(unfinished_part).to_bytes(8, "big")).decode()

        assert wait_until(lambda: not orphan.exists()), "the orphaned body file was not swept"
        # Deleting an object retires its body file; it is removed after a short grace period.
        victim = data / "s3" / "blobs" / f"{s3_records(data, 'object')['persisted/sse-s3.txt'][0]['blobs'][0]['id']}.blob"
        assert victim.exists()
        s3.delete_object(Bucket="persisted", Key="sse-s3.txt")
        assert wait_until(lambda: not victim.exists()), "the deleted object's body file was not removed"


def test_sse_s3_objects_survive_a_restart_without_kms(tmp_path):
    data = tmp_path / "data"
    with persistent_host(data, services="s3") as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="only-s3")
        s3.put_object(Bucket="only-s3", Key="k", Body=b"host-managed key")
    with persistent_host(data, services="s3") as host:
        s3 = make_client(host.url, "s3")
        assert s3.get_object(Bucket="only-s3", Key="k")["Body"].read() == b"host-managed key"


def test_an_uploads_checksum_settings_and_its_parts_checksums_survive_restarts(tmp_path):
    parts = [os.urandom(5 * 1024 * 1024), b"second part"]
    sums = [base64.b64encode(hashlib.sha256(p).digest()).decode() for p in parts]
    with persistent_host(tmp_path, services="s3") as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="sums")
        upload_id = s3.create_multipart_upload(Bucket="sums", Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
        etags = [s3.upload_part(Bucket="sums", Key="k", UploadId=upload_id, PartNumber=n, Body=p,
                                ChecksumAlgorithm="SHA256")["ETag"] for n, p in enumerate(parts, start=1)]
    with persistent_host(tmp_path, services="s3") as host:
        s3 = make_client(host.url, "s3")
        listing = s3.list_parts(Bucket="sums", Key="k", UploadId=upload_id)
        assert (listing["ChecksumAlgorithm"], listing["ChecksumType"]) == ("SHA256", "COMPOSITE")
        assert [p["ChecksumSHA256"] for p in listing["Parts"]] == sums
        s3.complete_multipart_upload(Bucket="sums", Key="k", UploadId=upload_id, MultipartUpload={"Parts": [
            {"PartNumber": n, "ETag": e, "ChecksumSHA256": c} for n, (e, c) in enumerate(zip(etags, sums), start=1)]})
    with persistent_host(tmp_path, services="s3") as host:
        s3 = make_client(host.url, "s3")
        expected = base64.b64encode(hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).digest())
        head = s3.head_object(Bucket="sums", Key="k", ChecksumMode="ENABLED")
        assert (head["ChecksumSHA256"], head["ChecksumType"]) == (expected.decode() + "-2", "COMPOSITE")
        got = s3.get_object(Bucket="sums", Key="k", PartNumber=2, ChecksumMode="ENABLED")
        assert got["ChecksumSHA256"] == sums[1] and got["Body"].read() == parts[1]
