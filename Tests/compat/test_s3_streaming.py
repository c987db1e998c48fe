"""S3 bodies larger than the host's in-memory limit stream: uploads are spooled to an unlinked file and sealed
chunk by chunk, downloads are pulled from the plugin as the client reads (ABI 1.2 read_body / respond_stream).

The hosts here set MAX_REQUEST_BODY_BYTES to 1 MiB, so a few MiB exercise every streaming path that a 1 GB object
takes by default (the memory figure for a real 1 GB object is in `Benchmarks/s3_stream.py`)."""

import base64
import hashlib
import http.client
import os
import socket
import time
import zlib

import pytest

from awsemu_host import AwsemuHost, make_client, read_responses

MIB = 1024 * 1024
LIMITS = {"MAX_REQUEST_BODY_BYTES": str(MIB), "MAX_STREAMED_BODY_BYTES": str(48 * MIB)}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("s3-streaming-data")


@pytest.fixture(scope="module")
def host(data_dir):
    with AwsemuHost(env={**LIMITS, "PERSISTENCE": "1", "DATA_DIR": str(data_dir), "SERVICES": "kms,s3"}) as running:
        yield running


@pytest.fixture(scope="module")
def s3(host):
    client = make_client(host.url, "s3")
    client.create_bucket(Bucket="stream")
    return client


def open_descriptors(host):
    return len(os.listdir(f"/proc/{host.process.pid}/fd"))


def raw(host, method, path, body=b"", headers=None):
    connection = http.client.HTTPConnection(host.host, host.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_large_put_and_get_round_trip_with_sse_kms(s3):
    data = os.urandom(20 * MIB + 12345)
    # Content-MD5 is checked against the streamed body; the ETag of an SSE-KMS object is not its MD5, as on AWS.
    put = s3.put_object(Bucket="stream", Key="big", Body=data, ServerSideEncryption="aws:kms",
                        ContentMD5=base64.b64encode(hashlib.md5(data).digest()).decode())
    assert put["ETag"] != f'"{hashlib.md5(data).hexdigest()}"'
    got = s3.get_object(Bucket="stream", Key="big")
    assert got["ContentLength"] == len(data)
    assert got["ServerSideEncryption"] == "aws:kms"
    assert got["Body"].read() == data
    # A range across chunk (1 MiB) boundaries, larger than one chunk, is streamed too.
    ranged = s3.get_object(Bucket="stream", Key="big", Range=f"bytes={MIB - 7}-{5 * MIB + 3}")
    assert ranged["ContentRange"] == f"bytes {MIB - 7}-{5 * MIB + 3}/{len(data)}"
    assert ranged["Body"].read() == data[MIB - 7:5 * MIB + 4]


def test_streamed_upload_is_encrypted_on_disk_and_survives_a_restart(data_dir):
    data = os.urandom(6 * MIB)
    marker = data[3 * MIB:3 * MIB + 64]
    env = {**LIMITS, "PERSISTENCE": "1", "DATA_DIR": str(data_dir / "restart"), "SERVICES": "kms,s3"}
    with AwsemuHost(env=env) as first:
        client = make_client(first.url, "s3")
        client.create_bucket(Bucket="durable")
        client.put_object(Bucket="durable", Key="k", Body=data)
    for root, _, names in os.walk(data_dir / "restart"):
        for name in names:
            with open(os.path.join(root, name), "rb") as handle:
                assert marker not in handle.read(), f"plaintext found in {name}"
    with AwsemuHost(env=env) as second:
        assert make_client(second.url, "s3").get_object(Bucket="durable", Key="k")["Body"].read() == data


def aws_chunked(payload, piece=64 * 1024, trailer=b""):
    framed = b""
    for start in range(0, len(payload), piece):
        chunk = payload[start:start + piece]
        framed += f"{len(chunk):x};chunk-signature={'0' * 64}\r\n".encode() + chunk + b"\r\n"
    return framed + b"0;chunk-signature=" + b"0" * 64 + b"\r\n" + trailer + b"\r\n"


def test_aws_chunked_upload_is_unframed_while_streaming(host, s3):
    data = os.urandom(3 * MIB + 5)
    body = aws_chunked(data, trailer=b"x-amz-checksum-crc32:AAAAAA==\r\n")
    status, _, answer = raw(host, "PUT", "/stream/chunked", body, {
        "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Length": str(len(body))})
    assert status == 200, answer
    assert s3.get_object(Bucket="stream", Key="chunked")["Body"].read() == data


def test_a_declared_trailing_checksum_is_checked_on_a_streamed_body(host, s3):
    """Above MAX_REQUEST_BODY_BYTES the body is spooled and sealed piece by piece; the checksum that x-amz-trailer
    announces arrives after the last piece and is checked then."""
    data = os.urandom(3 * MIB + 7)
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-trailer": "x-amz-checksum-crc32"}
    body = aws_chunked(data, trailer=f"x-amz-checksum-crc32:{crc}\r\n".encode())
    status, answer_headers, answer = raw(host, "PUT", "/stream/trailed", body, headers)
    assert status == 200, answer
    assert {k.lower(): v for k, v in answer_headers.items()}["x-amz-checksum-crc32"] == crc
    body = aws_chunked(data, trailer=b"x-amz-checksum-crc32:AAAAAA==\r\n")
    status, _, answer = raw(host, "PUT", "/stream/trailed-wrong", body, headers)
    assert status == 400 and b"<Code>BadDigest</Code>" in answer
    assert s3.get_object(Bucket="stream", Key="trailed", ChecksumMode="ENABLED")["ChecksumCRC32"] == crc


@pytest.mark.parametrize("case, headers, mangle, code, status", [
    ("no decoded length", {}, None, "MissingContentLength", 411),
    ("decoded length too small", {"x-amz-decoded-content-length": "100"}, None, "IncompleteBody", 400),
    ("decoded length too large", {"x-amz-decoded-content-length": str(4 * MIB)}, None, "IncompleteBody", 400),
    ("broken framing", {"x-amz-decoded-content-length": str(2 * MIB)}, lambda b: b.replace(b"\r\n", b"\n", 3),
     "InvalidArgument", 400),
    ("no final chunk", {"x-amz-decoded-content-length": str(2 * MIB)}, lambda b: b[:-80], "InvalidArgument", 400),
])
def test_bad_aws_chunked_uploads_get_s3_errors(host, s3, case, headers, mangle, code, status):
    body = aws_chunked(os.urandom(2 * MIB))
    if mangle:
        body = mangle(body)
    got, _, answer = raw(host, "PUT", "/stream/bad-chunked", body, {
        "Content-Encoding": "aws-chunked", "Content-Length": str(len(body)), **headers})
    assert got == status, answer
    assert f"<Code>{code}</Code>".encode() in answer
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="stream", Key="bad-chunked")


def test_a_form_typed_upload_streams_like_any_other(host, s3):
    # curl --data-binary labels every body application/x-www-form-urlencoded; a PUT is still an S3 upload.
    data = os.urandom(3 * MIB)
    status, _, answer = raw(host, "PUT", "/stream/form", data, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, answer
    assert s3.get_object(Bucket="stream", Key="form")["Body"].read() == data


def test_body_over_the_streamed_limit_is_entity_too_large(host, s3):
    status, _, answer = raw(host, "PUT", "/stream/huge", b"x" * (48 * MIB + 1))
    assert status == 400 and b"<Code>EntityTooLarge</Code>" in answer
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="stream", Key="huge")


def test_expect_continue_with_an_oversized_length_is_answered_without_the_body(host):
    with socket.create_connection((host.host, host.port), timeout=10) as sock:
        sock.sendall(b"PUT /stream/huge HTTP/1.1\r\nHost: localhost\r\nContent-Length: 999999999999\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        answer = b""
        while b"</Error>" not in answer:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    assert answer.startswith(b"HTTP/1.1 400"), answer
    assert b"<Code>EntityTooLarge</Code>" in answer


def test_an_oversized_xml_document_is_max_message_length_exceeded(host):
    body = b"<Delete>" + b"<Object><Key>k</Key></Object>" * (MIB // 20) + b"</Delete>"
    status, _, answer = raw(host, "POST", "/stream?delete", body, {"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
    assert status == 400 and b"<Code>MaxMessageLengthExceeded</Code>" in answer


def wait_for_descriptors(host, baseline):
    for _ in range(50):
        if open_descriptors(host) <= baseline:
            return
        time.sleep(0.1)
    assert open_descriptors(host) <= baseline


def test_clients_that_vanish_mid_stream_leak_nothing(host, s3):
    data = os.urandom(8 * MIB)
    s3.put_object(Bucket="stream", Key="vanish", Body=data)
    assert s3.get_object(Bucket="stream", Key="vanish")["Body"].read() == data
    baseline = open_descriptors(host)
    for _ in range(3):
        # An upload cut off halfway: its spool file is dropped.
        with socket.create_connection((host.host, host.port), timeout=10) as sock:
            sock.sendall(f"PUT /stream/cut HTTP/1.1\r\nHost: localhost\r\nContent-Length: {6 * MIB}\r\n\r\n".encode())
            sock.sendall(os.urandom(3 * MIB))
        # A download read for one MiB, then abandoned: its open blobs are closed.
        with socket.create_connection((host.host, host.port), timeout=10) as sock:
            sock.sendall(b"GET /stream/vanish HTTP/1.1\r\nHost: localhost\r\n\r\n")
            received = 0
            while received < MIB:
                received += len(sock.recv(65536))
    wait_for_descriptors(host, baseline)
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="stream", Key="cut")
    assert s3.get_object(Bucket="stream", Key="vanish")["Body"].read() == data


def test_a_request_pipelined_behind_a_spooled_upload_waits_for_its_answer(host, s3):
    """The GET sent right behind a PUT that goes to disk is answered after the PUT, and sees the object: it is not
    handled while the upload's last piece is still being written."""
    data = os.urandom(9 * MIB + 17)
    put = (b"PUT /stream/piped HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(data)) + data
    get = b"GET /stream/piped HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection((host.host, host.port), timeout=30) as sock:
        sock.sendall(put + get)
        answers = [(status, body) for status, _, body in read_responses(sock, 2)]
    assert answers[0][0] == 200
    assert answers[1] == (200, data)


def read_response_head(sock):
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    return head


def test_a_streamed_get_holds_one_blob_open_and_outlives_the_objects_replacement(host, s3):
    upload = s3.create_multipart_upload(Bucket="stream", Key="three")["UploadId"]
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(2 * MIB)]
    etags = [s3.upload_part(Bucket="stream", Key="three", UploadId=upload, PartNumber=n + 1, Body=part)["ETag"]
             for n, part in enumerate(parts)]
    s3.complete_multipart_upload(Bucket="stream", Key="three", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": etag} for n, etag in enumerate(etags)]})
    whole = b"".join(parts)
    baseline = open_descriptors(host)
    with socket.create_connection((host.host, host.port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(b"GET /stream/three HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert read_response_head(sock).startswith(b"HTTP/1.1 200")
        received = b""
        while len(received) < 6 * MIB:
            received += sock.recv(65536)
        # The connection and the one blob being read; not one descriptor per part.
        assert open_descriptors(host) <= baseline + 2
        # Replaced and deleted under the reader: its blobs are retired, and kept while it reads.
        s3.put_object(Bucket="stream", Key="three", Body=b"new")
        s3.delete_object(Bucket="stream", Key="three")
        time.sleep(6.5)  # past the retirement grace period, with the tick running
        while len(received) < len(whole):
            piece = sock.recv(1 << 20)
            assert piece, "the stream ended early"
            received += piece
    assert received == whole
    wait_for_descriptors(host, baseline)


def test_a_client_that_stops_reading_a_download_is_timed_out(tmp_path):
    env = {**LIMITS, "SERVICES": "kms,s3", "IDLE_TIMEOUT_SECONDS": "1", "TMPDIR": str(tmp_path)}
    with AwsemuHost(env=env) as running:
        client = make_client(running.url, "s3")
        client.create_bucket(Bucket="stall")
        client.put_object(Bucket="stall", Key="k", Body=os.urandom(40 * MIB))
        baseline = open_descriptors(running)
        with socket.create_connection((running.host, running.port), timeout=10) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            sock.sendall(b"GET /stall/k HTTP/1.1\r\nHost: localhost\r\n\r\n")
            time.sleep(4)  # read nothing: the host's writes stall, and the write-idle timeout closes the connection
            wait_for_descriptors(running, baseline)
            received = 0
            while True:
                piece = sock.recv(1 << 20)
                if not piece:
                    break
                received += len(piece)
            assert received < 40 * MIB
        # The host goes on serving.
        assert client.head_object(Bucket="stall", Key="k")["ContentLength"] == 40 * MIB


def test_multipart_parts_over_the_limit_stream(s3):
    upload = s3.create_multipart_upload(Bucket="stream", Key="parts")["UploadId"]
    parts = [os.urandom(5 * MIB + 17), os.urandom(3 * MIB)]
    etags = [s3.upload_part(Bucket="stream", Key="parts", UploadId=upload, PartNumber=n + 1, Body=part)["ETag"]
             for n, part in enumerate(parts)]
    s3.complete_multipart_upload(Bucket="stream", Key="parts", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": etag} for n, etag in enumerate(etags)]})
    assert s3.get_object(Bucket="stream", Key="parts")["Body"].read() == b"".join(parts)


def test_a_temporary_store_leaves_nothing_behind(tmp_path):
    with AwsemuHost(env={**LIMITS, "SERVICES": "kms,s3", "TMPDIR": str(tmp_path)}) as running:
        client = make_client(running.url, "s3")
        client.create_bucket(Bucket="temp")
        data = os.urandom(4 * MIB)
        client.put_object(Bucket="temp", Key="k", Body=data)
        assert client.get_object(Bucket="temp", Key="k")["Body"].read() == data
        folders = [name for name in os.listdir(tmp_path) if name.startswith("awsemu-s3-")]
        assert len(folders) == 1 and os.listdir(tmp_path / folders[0])
    assert not [name for name in os.listdir(tmp_path) if name.startswith("awsemu-")]


def test_temporary_folders_of_killed_hosts_are_reclaimed_and_live_ones_kept(tmp_path):
    import fcntl

    abandoned = tmp_path / "awsemu-s3-4242-abandoned"
    abandoned.mkdir()
    (abandoned / "lock").write_bytes(b"")
    (abandoned / "0123.blob").write_bytes(b"sealed bytes of a host that was killed")
    live = tmp_path / "awsemu-s3-4343-live"
    live.mkdir()
    with open(live / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another host, still running, holds its folder's lock
        with AwsemuHost(env={"SERVICES": "kms,s3", "TMPDIR": str(tmp_path)}):
            assert not abandoned.exists()
            assert live.exists()


def test_a_large_body_that_cannot_be_spooled_is_an_internal_error(tmp_path):
    env = {**LIMITS, "SERVICES": "kms,s3", "PERSISTENCE": "1", "DATA_DIR": str(tmp_path / "data"),
           "TMPDIR": str(tmp_path / "missing")}
    with AwsemuHost(env=env) as running:
        client = make_client(running.url, "s3")
        client.create_bucket(Bucket="nospool")
        client.put_object(Bucket="nospool", Key="small", Body=b"fits in memory")
        status, _, answer = raw(running, "PUT", "/nospool/large", os.urandom(3 * MIB))
        assert status == 500 and b"<Code>InternalError</Code>" in answer
        assert "cannot create a temporary file" in running.log
        assert client.get_object(Bucket="nospool", Key="small")["Body"].read() == b"fits in memory"
