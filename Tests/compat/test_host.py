"""The host itself: its own endpoints, routing and AWS-shaped errors, HTTP behaviour, service selection."""

import http.client
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest

from awsemu_host import (HOST_BINARY, AwsemuHost, json_call, make_client, read_responses, read_responses_lazily, request,
                         signed_headers)


# ---- host endpoints -------------------------------------------------------------------------------------------

def test_health_shape(endpoint):
    response = request(endpoint, "GET", "/_emu/health")
    assert response.status == 200
    health = response.json()
    assert isinstance(health["version"], str) and health["version"]
    assert isinstance(health["uptimeSeconds"], (int, float)) and health["uptimeSeconds"] >= 0
    assert isinstance(health["refused"], list)
    plugins = {p["name"]: p for p in health["plugins"]}
    assert {"kms", "sts", "echo"} <= plugins.keys()
    for plugin in plugins.values():
        assert {"name", "version", "abiVersion", "services", "stateFormatVersion", "status"} <= plugin.keys()
        assert plugin["status"] == "running"
        assert plugin["abiVersion"].startswith("1.")
        assert isinstance(plugin["stateFormatVersion"], int)
    assert plugins["echo"]["services"] == ["echo"]
    assert plugins["echo"]["version"] == "0.1.0"


def test_localstack_health_shape(endpoint):
    response = request(endpoint, "GET", "/_localstack/health")
    assert response.status == 200
    health = response.json()
    assert {"kms", "sts", "echo"} <= health["services"].keys()
    assert set(health["services"].values()) == {"running"}
    assert isinstance(health["version"], str) and isinstance(health["edition"], str)


@pytest.mark.parametrize("path", ["/_emu/state/reset", "/moto-api/reset"])
def test_reset_endpoints(endpoint, path):
    assert request(endpoint, "POST", path).status == 200


def test_reset_puts_the_clock_back(endpoint):
    """A reset host behaves as a fresh one: a later test module must not inherit an earlier one's skipped days."""
    advanced = request(endpoint, "POST", "/_emu/clock", b'{"advanceSeconds": 86400}')
    assert advanced.status == 200 and advanced.json()["offsetMilliseconds"] == 86_400_000
    assert request(endpoint, "POST", "/_emu/state/reset").status == 200
    assert request(endpoint, "GET", "/_emu/clock").json()["offsetMilliseconds"] == 0


def test_unknown_host_endpoint(endpoint):
    response = request(endpoint, "GET", "/_emu/nothing-here")
    assert response.status == 404
    assert response.json()["__type"] == "NotFoundException"


# ---- routing and error shapes ---------------------------------------------------------------------------------

def assert_json_error(response, status, error_type=None):
    """An AWS JSON protocol error: the status, {"__type", "message"} (the message left out when empty, as AWS
    leaves it out), and a request id."""
    assert response.status == status, response.body
    assert response.headers["content-type"].startswith("application/x-amz-json-1.")
    assert response.headers.get("x-amzn-requestid")
    body = response.json()
    assert set(body) in ({"__type", "message"}, {"__type"}) and body.get("message", "x")
    if error_type:
        assert body["__type"] == error_type
    return body


def test_unknown_target_prefix(endpoint):
    body = assert_json_error(json_call(endpoint, "NoSuchService_20260101.Anything"), 400)
    assert "NoSuchService_20260101" in body["message"]


def test_unknown_operation(endpoint):
    assert_json_error(json_call(endpoint, "EchoService.NoSuchOperation"), 400, "UnknownOperationException")


def test_target_prefix_is_case_insensitive(endpoint):
    response = json_call(endpoint, "echoservice.Echo", b'{"a":1}')
    assert response.status == 200 and response.body == b'{"a":1}'


def test_wrong_content_type_is_an_aws_error(endpoint):
    response = json_call(endpoint, "EchoService.Echo", b"{}", content_type="text/plain")
    assert 400 <= response.status < 500
    assert_json_error(response, response.status)


def test_query_unknown_action(endpoint):
    body = b"Action=NoSuchAction&Version=2011-06-15"
    headers = signed_headers(endpoint, body, {"Content-Type": "application/x-www-form-urlencoded"}, service="sts")
    response = request(endpoint, "POST", "/", body, headers)
    assert response.status == 400
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.body)
    assert local_name(root) == "ErrorResponse"
    fields = {local_name(e): e.text for e in root.iter() if len(e) == 0}
    assert fields["Code"] == "InvalidAction"
    assert fields["Type"] == "Sender"
    assert fields["RequestId"] == response.headers["x-amzn-requestid"]


def local_name(element) -> str:
    """An XML element's name without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def test_keep_alive(awsemu):
    """Several requests, of several kinds, on one connection: the host never closes it."""
    conn = http.client.HTTPConnection(awsemu.host, awsemu.port, timeout=10)
    try:
        sockets = set()
        for _ in range(3):
            assert request(awsemu.url, "GET", "/_emu/health", connection=conn).status == 200
            sockets.add(conn.sock.getsockname())
            assert json_call(awsemu.url, "EchoService.Echo", b'{"n":1}', connection=conn).body == b'{"n":1}'
            sockets.add(conn.sock.getsockname())
            assert json_call(awsemu.url, "EchoService.Nope", connection=conn).status == 400
            sockets.add(conn.sock.getsockname())
        assert len(sockets) == 1
    finally:
        conn.close()


def echo_request(body: bytes) -> bytes:
    """A raw EchoService.Echo request with `body`, for tests that write to the socket themselves."""
    return (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: EchoService.Echo\r\n"
            b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def test_pipelined_requests_are_answered_in_order(awsemu):
    """Requests sent back to back before any answer (HTTP/1.1 pipelining) are answered one by one, in order, on the
    same connection; a malformed request behind them is answered 400 last, and then the connection closes."""
    import socket

    def echo(n):
        return echo_request(b'{"n":%d}' % n)

    requests = [echo(1), b"GET /_emu/health HTTP/1.1\r\nHost: x\r\n\r\n", echo(2),
                b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: EchoService.Nope\r\nContent-Length: 2\r\n\r\n{}"]
    requests += [echo(n) for n in range(3, 40)]
    with socket.create_connection((awsemu.host, awsemu.port), timeout=10) as sock:
        sock.sendall(b"".join(requests) + b"NOT HTTP AT ALL\r\n\r\n")
        answers = [(status, headers.get("connection"), body)
                   for status, headers, body in read_responses(sock, len(requests) + 1)]
        assert sock.recv(1) == b""  # closed after the 400
    assert answers[0] == (200, "keep-alive", b'{"n":1}')
    assert answers[1][0] == 200 and json.loads(answers[1][2])["plugins"]
    assert answers[2] == (200, "keep-alive", b'{"n":2}')
    assert answers[3][0] == 400 and json.loads(answers[3][2])["__type"] == "UnknownOperationException"
    assert [body for _, _, body in answers[4:-1]] == [b'{"n":%d}' % n for n in range(3, 40)]
    assert answers[-1][0] == 400 and answers[-1][1] == "close" and b"<Code>BadRequest</Code>" in answers[-1][2]


def test_requests_ready_together_on_many_connections_each_get_their_answer(awsemu):
    """The host flushes the answers to requests that arrived together once its event loop has handled them all:
    every connection still gets its own answer, in order, also when a connection in the same pass went away."""
    import socket

    def echo(n):
        return echo_request(b'{"n":%d}' % n)

    sockets = [socket.create_connection((awsemu.host, awsemu.port), timeout=10) for _ in range(48)]
    try:
        for round_ in range(3):
            gone = socket.create_connection((awsemu.host, awsemu.port), timeout=10)
            for index, sock in enumerate(sockets):
                sock.sendall(echo(round_ * 1000 + index) * 2)
                if index == 24:
                    gone.sendall(echo(-1))
                    gone.close()
            for index, sock in enumerate(sockets):
                expected = (200, b'{"n":%d}' % (round_ * 1000 + index))
                assert [(status, body) for status, _, body in read_responses(sock, 2)] == [expected] * 2
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="module")
def host_without_io_uring():
    with AwsemuHost({"GATEWAY_IO_URING": "0"}) as host:
        yield host


@pytest.mark.parametrize("which", ["awsemu", "host_without_io_uring"])
def test_a_client_that_reads_slowly_gets_every_answer_in_order(request, which):
    """Answers a client does not take fill its socket: the host sends what fits and writes the rest once the client
    reads, and the answers behind them queue up in order, whether answers go out in one io_uring submission per
    event-loop pass (the default) or one write each (GATEWAY_IO_URING=0). Several such connections share a pass,
    and once a backlog is gone the next answers go the quick way again."""
    import socket
    import time

    host = request.getfixturevalue(which)
    # Each connection gets 2,000 answers of 3 KB (6 MB: more than a socket's send buffer, at most 4 MB, and the
    # client's small receive buffer take). Two connections ask for ten at a time, so one pass's answers fit a batch,
    # and the batch that meets the full socket is sent in part, NIO writing the rest; the other two ask for fifty at
    # a time, whose answers are more than a batch takes (64 KiB) and go through NIO.
    padding = "x" * 3000
    count = 2000

    def echo(n):
        return echo_request(json.dumps({"n": n, "pad": padding}).encode())

    def check(sock, numbers):
        answers = read_responses(sock, len(numbers))
        assert [status for status, _, _ in answers] == [200] * len(numbers)
        assert [json.loads(body)["n"] for _, _, body in answers] == numbers

    sockets = []
    try:
        for _ in range(4):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(20)
            sock.connect((host.host, host.port))
            sockets.append(sock)
        for round_ in range(2):
            numbers = {index: [round_ * 100000 + index * 10000 + n for n in range(count)] for index in range(4)}
            # In the second half the client reads half as many answers as it sends requests: room opens in a socket
            # that NIO still has bytes for while new answers are made, and none of them may overtake those.
            readers = {index: read_responses_lazily(sock) for index, sock in enumerate(sockets)}
            taken = {index: [] for index in range(4)}
            for start in range(0, count, 10):
                for index, sock in enumerate(sockets):
                    if index % 2 == 1 and start % 50 != 0:
                        continue
                    group = 10 if index % 2 == 0 else 50
                    sock.sendall(b"".join(echo(n) for n in numbers[index][start:start + group]))
                    if start >= count // 2:
                        taken[index] += [next(readers[index]) for _ in range(group // 2)]
                time.sleep(0.001)
            for index in range(4):
                taken[index] += [next(readers[index]) for _ in range(count - len(taken[index]))]
                assert [status for status, _, _ in taken[index]] == [200] * count
                assert [json.loads(body)["n"] for _, _, body in taken[index]] == numbers[index]
            for index, sock in enumerate(sockets):
                sock.sendall(echo(-index))
            for index, sock in enumerate(sockets):
                check(sock, [-index])
    finally:
        for sock in sockets:
            sock.close()


def _large_echo() -> tuple[bytes, bytes]:
    """A 60 KB Echo body and the request that carries it."""
    body = json.dumps({"pad": "x" * 60000}).encode()
    return body, echo_request(body)


def _pipeline_without_reading(sock, request: bytes, count: int):
    """Sends `count` copies of `request` from a thread, reading nothing; returns the thread and a list that gets
    the error that stopped it, if any."""
    import threading

    failures = []

    def send_all():
        try:
            for _ in range(count):
                sock.sendall(request)
        except OSError as error:
            failures.append(error)

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    return sender, failures


@pytest.mark.parametrize("which", ["awsemu", "host_without_io_uring"])
def test_a_client_that_does_not_read_its_answers_is_not_read_either(request, which):
    """A client that pipelines 72 MB of requests and reads nothing makes the host stop reading once the answers
    back up, instead of holding them all in memory; the host's memory stays flat, and every answer still comes, in
    order, once the client reads."""
    import socket
    import time

    host = request.getfixturevalue(which)
    body, echo = _large_echo()
    count = 1200

    def rss_kb() -> int:
        with open(f"/proc/{host.process.pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

    before = rss_kb()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect((host.host, host.port))
    try:
        sender, failures = _pipeline_without_reading(sock, echo, count)
        time.sleep(2)
        # Without backpressure the host would have read all of it by now and hold the answers.
        assert sender.is_alive()
        grown_mb = (rss_kb() - before) / 1024
        assert grown_mb < 48, f"the host grew by {grown_mb:.0f} MB for a client that reads nothing"
        answers = read_responses_lazily(sock)
        for index in range(count):
            status, _, answer = next(answers)
            assert status == 200 and answer == body, index
        sender.join(10)
        assert not failures and not sender.is_alive()
    finally:
        sock.close()


def test_a_backlogged_client_that_shuts_its_side_gets_the_close_at_once(awsemu):
    """A client that pipelines more than it reads and shuts its sending side before reading gets the answers the
    host made and then the end of the connection at once, not after the idle timeout because its reads were held
    back when it shut its side."""
    import socket

    body = b'{"NumberOfBytes":1024}'
    generate = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.GenerateRandom\r\n"
                b"Content-Type: application/x-amz-json-1.1\r\n"
                b"Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, "
                b"SignedHeaders=host, Signature=0\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect((awsemu.host, awsemu.port))
        # 2.6 MB of requests, which the sockets' buffers take whole, for 14 MB of answers, which they do not: the
        # host holds its reads back while the client has not read yet.
        sock.sendall(generate * 10000)
        sock.shutdown(socket.SHUT_WR)
        received = bytearray()
        # Answers, then the close, well within the 10 s timeout (the idle timeout is 120 s).
        while chunk := sock.recv(1 << 20):
            received += chunk
    answers = received.count(b"HTTP/1.1 ")
    assert answers >= 1 and received.count(b"HTTP/1.1 200 OK\r\n") == answers


def test_a_client_that_never_takes_its_answers_is_closed_at_the_idle_timeout():
    """A client that pipelines more than its socket takes and never reads is not read from; after IDLE_TIMEOUT_SECONDS
    the host closes its connection instead of holding it and its answers for ever."""
    import socket
    import time

    body, echo = _large_echo()
    with AwsemuHost({"IDLE_TIMEOUT_SECONDS": "1", "SERVICES": "echo"}) as host, socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect((host.host, host.port))
        sender, failures = _pipeline_without_reading(sock, echo, 1000)
        time.sleep(3)
        # What reached the client before the close, then its end (or a reset), well before 10 s.
        received = 0
        try:
            while chunk := sock.recv(1 << 20):
                received += len(chunk)
        except ConnectionResetError:
            pass
        assert received < 1000 * len(body)
        sender.join(10)
        assert failures  # the sender met the closed connection
        assert json_call(host.url, "EchoService.Echo", b'{"n":1}').body == b'{"n":1}'


@pytest.mark.parametrize("target, body", [("EchoService.Echo", b'{"n":1}'), ("EchoService.Stall", b"1")])
def test_a_client_that_shuts_its_side_after_a_request_gets_the_answer(awsemu, target, body):
    """A client may shut down its sending side once its request is out (HTTP/1.0 habits, `nc -N`): the answer
    still comes, whether it is made on the event loop (Echo) or on the thread pool (Stall), and then the host
    closes the connection."""
    import socket

    request = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: %s\r\n"
               b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n%s"
               % (target.encode(), len(body), body))
    with socket.create_connection((awsemu.host, awsemu.port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        [(status, _, answer)] = read_responses(sock, 1)
        assert sock.recv(1) == b""
    assert status == 200 and answer == (body if target == "EchoService.Echo" else b"{}")


def test_requests_pipelined_by_a_client_that_went_away_are_not_run(awsemu, client):
    """A client that closes its connection while an earlier request is still being handled takes what it
    pipelined behind it along: that CreateKey never runs."""
    import socket
    import time
    import uuid

    marker = f"ghost-{uuid.uuid4()}"
    stall = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: EchoService.Stall\r\nContent-Length: 1\r\n\r\n1"
    body = json.dumps({"Description": marker}).encode()
    create = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.CreateKey\r\n"
              b"Content-Type: application/x-amz-json-1.1\r\n"
              b"Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, "
              b"SignedHeaders=host, Signature=0\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    with socket.create_connection((awsemu.host, awsemu.port), timeout=10) as sock:
        sock.sendall(stall + create)
        time.sleep(0.3)
    # The stall ends a second in; a host that ran the orphaned CreateKey would have done so well before this.
    time.sleep(2.7)
    kms = client("kms")
    descriptions = [kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Description"]
                    for page in kms.get_paginator("list_keys").paginate() for key in page["Keys"]]
    assert marker not in descriptions


def test_head_and_no_content_answers_are_framed_without_a_body(awsemu, client):
    """A HEAD keeps the length S3 states (the object's size) but sends no body, a 204 carries neither length nor
    body, and the next pipelined request on the same connection is still read right."""
    import socket

    s3 = client("s3")
    s3.create_bucket(Bucket="framing")
    s3.put_object(Bucket="framing", Key="k", Body=b"x" * 1234)
    requests = [b"HEAD /framing/k HTTP/1.1\r\nHost: x\r\n\r\n", b"DELETE /framing/k HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /framing/k HTTP/1.1\r\nHost: x\r\n\r\n"]
    with socket.create_connection((awsemu.host, awsemu.port), timeout=10) as sock:
        sock.sendall(b"".join(requests))
        (head, head_headers, head_body), (deleted, deleted_headers, deleted_body), (missing, _, missing_body) = \
            read_responses(sock, 3, methods=["HEAD", "DELETE", "GET"])
    assert head == 200 and head_headers["content-length"] == "1234" and head_body == b""
    assert deleted == 204 and "content-length" not in deleted_headers and deleted_body == b""
    assert missing == 404 and b"<Code>NoSuchKey</Code>" in missing_body


def test_http_1_0_is_answered_in_1_0_and_closed(awsemu):
    import socket

    with socket.create_connection((awsemu.host, awsemu.port), timeout=10) as sock:
        sock.sendall(b"GET /_emu/health HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.0 200 OK"
    headers = {name.lower(): value for name, _, value in (line.partition(b": ") for line in lines[1:])}
    assert headers[b"connection"] == b"close"
    assert int(headers[b"content-length"]) == len(body) and json.loads(body)["plugins"]



def test_http_1_0_keep_alive_is_honoured(awsemu):
    """An HTTP/1.0 client that asks for keep-alive gets it, and its next request is answered on the same
    connection."""
    import socket

    request_bytes = b"GET /_emu/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    with socket.create_connection((awsemu.host, awsemu.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        (first, first_headers, first_body), = read_responses(sock, 1)
        sock.sendall(request_bytes)
        (second, _, second_body), = read_responses(sock, 1)
    assert first == second == 200
    assert first_headers["connection"] == "keep-alive"
    assert json.loads(first_body)["plugins"] and json.loads(second_body)["plugins"]


def test_expect_100_continue_gets_the_interim_answer_before_the_body(awsemu):
    """A client that sends `Expect: 100-continue` waits for `100 Continue` before its body (the gateway writes
    that interim answer itself), then gets the real answer."""
    import socket

    body = b'{"Message":"after the go-ahead"}'
    head = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: EchoService.Echo\r\n"
            b"Content-Type: application/x-amz-json-1.1\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    with socket.create_connection((awsemu.host, awsemu.port), timeout=10) as sock:
        sock.sendall(head)
        interim = b""
        while not interim.endswith(b"\r\n\r\n"):
            chunk = sock.recv(1)
            assert chunk, "the connection closed before 100 Continue"
            interim += chunk
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        (status, _, answer), = read_responses(sock, 1)
    assert status == 200 and answer == body

# ---- request size limit (a second host with a small limit) ----------------------------------------------------

@pytest.fixture(scope="module")
def small_host():
    with AwsemuHost({"MAX_REQUEST_BODY_BYTES": "1024"}) as host:
        yield host


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_body_is_413_and_the_connection_survives(small_host, chunked):
    conn = http.client.HTTPConnection(small_host.host, small_host.port, timeout=10)
    try:
        big = b'{"Message":"' + b"x" * 4096 + b'"}'
        headers = {"X-Amz-Target": "EchoService.Echo", "Content-Type": "application/x-amz-json-1.1"}
        if chunked:
            conn.request("POST", "/", body=iter([big[:2000], big[2000:]]), headers=headers, encode_chunked=True)
        else:
            conn.request("POST", "/", body=big, headers=headers)
        response = conn.getresponse()
        body = response.read()
        assert response.status == 413
        assert response.getheader("x-amzn-RequestId")
        error = json.loads(body)
        assert set(error) == {"__type", "message"}
        assert error["__type"] == "RequestEntityTooLargeException"
        # The same connection still serves a request within the limit.
        small = json_call(small_host.url, "EchoService.Echo", b'{"Message":"hello"}', connection=conn)
        assert small.status == 200 and small.body == b'{"Message":"hello"}'
    finally:
        conn.close()


# ---- SERVICES selects plugins (a second host) ----------------------------------------------------------------

def test_services_selects_plugins():
    with AwsemuHost({"SERVICES": "sts"}) as host:
        assert "sts 0.1.0" in host.ready_line
        assert "kms" not in host.ready_line and "echo" not in host.ready_line
        health = request(host.url, "GET", "/_emu/health").json()
        assert [p["name"] for p in health["plugins"]] == ["sts"]
        assert make_client(host.url, "sts").get_caller_identity()["Account"] == "000000000000"
        assert json_call(host.url, "EchoService.Echo").status == 400


# ---- what the binaries load -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["awsemu", "libKMSPlugin.so", "libSTSPlugin.so", "libSecretsManagerPlugin.so",
                                  "libS3Plugin.so"])
def test_no_binary_loads_foundation(name):
    """The host and plugins import FoundationEssentials only: Foundation, FoundationXML and their ICU data would be
    megabytes of an idle host's memory (the idle-RSS budget). One `import Foundation` anywhere, or a package that
    imports it, brings them back; ldd shows it through any chain of libraries."""
    binary = HOST_BINARY.parent / name
    loaded = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    assert "libFoundationEssentials.so" in loaded, loaded
    for library in ("libFoundation.so", "libFoundationXML.so", "libFoundationInternationalization.so",
                    "lib_FoundationICU.so"):
        assert library not in loaded, f"{name} loads {library}"


@pytest.mark.parametrize("name", ["libKMSPlugin.so", "libSTSPlugin.so", "libSecretsManagerPlugin.so", "libS3Plugin.so"])
def test_a_swift_plugin_exports_only_its_entry(name):
    """Sources/PluginABI/plugin.exports: a plugin's dynamic symbol table holds its entry and nothing else, so dlopen
    relocates no other symbol and no plugin can bind to another's copy of a library linked into both."""
    exported = subprocess.run(["nm", "-D", "--defined-only", str(HOST_BINARY.parent / name)], capture_output=True,
                              text=True, check=True).stdout.split()
    assert exported[1::3] == ["T"] and exported[2::3] == ["emu_plugin_entry_v1"], exported[:30]

