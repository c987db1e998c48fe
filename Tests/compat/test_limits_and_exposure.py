"""Connection limits and timeouts answered in AWS's shape, and no secret in the logs at any level."""

import base64
import json
import signal
import socket
import time

import botocore.exceptions

from awsemu_host import AwsemuHost, make_client, request


def raw_exchange(host, data: bytes, wait: float = 0.0) -> bytes:
    with socket.create_connection((host.host, host.port), timeout=10) as connection:
        connection.sendall(data)
        if wait:
            time.sleep(wait)
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_slow_client_gets_request_timeout():
    with AwsemuHost(env={"IDLE_TIMEOUT_SECONDS": "1", "SERVICES": "kms"}) as host:
        answer = raw_exchange(host, b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\n"
                                    b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{", wait=2.5)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408")
        assert json.loads(body)["__type"] == "RequestTimeout"
        make_client(host.url, "kms").list_keys()  # the host goes on serving


LIST_KEYS = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\n"
             b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}")


def test_connection_cap():
    with AwsemuHost(env={"MAX_CONNECTIONS": "2", "SERVICES": "kms"}) as host:
        held = []
        try:
            # Each held connection is answered once (and kept open), so both are known to be counted before the
            # probe: a connection that merely opened could still be queued behind the probe's.
            for _ in range(2):
                connection = socket.create_connection((host.host, host.port), timeout=10)
                held.append(connection)
                connection.sendall(LIST_KEYS)
                answer = b""
                while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
                    chunk = connection.recv(65536)
                    assert chunk, f"the host closed a held connection: {answer!r}"
                    answer += chunk
                assert answer.startswith(b"HTTP/1.1 200")
            answer = raw_exchange(host, LIST_KEYS)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 503")
            assert json.loads(body)["__type"] == "ServiceUnavailableException"
        finally:
            for connection in held:
                connection.close()
        # The places come back once the host has seen both connections close.
        kms = make_client(host.url, "kms")
        deadline = time.monotonic() + 10
        while True:
            try:
                kms.list_keys()
                break
            except botocore.exceptions.ClientError as error:
                assert error.response["Error"]["Code"] == "ServiceUnavailableException", error
                assert time.monotonic() < deadline, "the held connections' places never came back"
                time.sleep(0.05)


def test_clients_that_disconnect_mid_request_do_not_hurt_the_host():
    with AwsemuHost(env={"SERVICES": "kms"}) as host:
        for _ in range(200):
            with socket.create_connection((host.host, host.port)) as connection:
                connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial")
        assert make_client(host.url, "kms").list_keys()["Keys"] == []
        assert request(host.url, "GET", "/_emu/health").status == 200


def test_no_key_material_plaintext_or_secret_in_logs():
    material = b"M" * 16 + b"ATERIAL-MARKER-1"
    plaintext = b"PLAINTEXT-MARKER-2"
    with AwsemuHost(env={"LOG_LEVEL": "trace"}) as host:
        kms = make_client(host.url, "kms")
        key = kms.create_key(Tags=[{"TagKey": "_custom_key_material_",
                                    "TagValue": base64.b64encode(material).decode()}])["KeyMetadata"]
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=plaintext)["CiphertextBlob"]
        kms.decrypt(CiphertextBlob=blob)
        data_key = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]
        log = host.log
    log_bytes = log.encode() if isinstance(log, str) else log
    assert b"trace" in log_bytes or b"debug" in log_bytes or len(log_bytes) > 0
    for marker in (material, base64.b64encode(material), plaintext, base64.b64encode(plaintext), data_key,
                   base64.b64encode(data_key)):
        assert marker not in log_bytes


def test_shutdown_does_not_wait_forever_for_a_stuck_handler():
    import threading
    from awsemu_host import json_call

    host = AwsemuHost(env={"SERVICES": "echo", "SHUTDOWN_TIMEOUT_SECONDS": "2"})
    try:
        # A handler that will block for ten minutes, on the host's thread pool.
        stuck = threading.Thread(target=lambda: _ignore_errors(
            lambda: json_call(host.url, "EchoService.Stall", b"600")), daemon=True)
        stuck.start()
        deadline = time.monotonic() + 10
        while "Stall: blocking this thread on purpose" not in host.log:
            assert time.monotonic() < deadline, "the Stall request never reached its handler"
            time.sleep(0.05)
        assert json_call(host.url, "EchoService.Echo", b'{"still":"serving"}').status == 200
        started = time.monotonic()
        host.process.send_signal(signal.SIGTERM)
        status = host.process.wait(20)
        elapsed = time.monotonic() - started
        assert 1.5 <= elapsed < 10, f"shutdown took {elapsed:.1f} s"
        assert status == 1, "a shutdown cut short by its deadline exits 1"
        assert "a handler is stuck" in host.log
    finally:
        if host.process.poll() is None:
            host.process.kill()
        host.stop()


def _ignore_errors(call):
    try:
        call()
    except Exception:
        pass
