"""Running an awsemu host for the compat tests, and talking to it the way real clients do.

`conftest.py` turns these into fixtures; test modules may also import them directly (pytest puts this folder on
sys.path), e.g. to start a second host with other settings:

    with AwsemuHost({"SERVICES": "sts"}) as other:
        make_client(other.url, "sts").get_caller_identity()
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import pathlib
import selectors
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

import pytest

import boto3
import botocore.auth
import botocore.exceptions
import botocore.awsrequest
import botocore.config
import botocore.credentials

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS_DIR = REPO_ROOT / "plugins"
# AWSEMU_BINARY lets the same tests run against a release build.
HOST_BINARY = pathlib.Path(os.environ.get("AWSEMU_BINARY", REPO_ROOT / ".build" / "debug" / "awsemu"))
ECHO_SOURCE = PLUGINS_DIR / "echo" / "echo_plugin.c"
ECHO_LIBRARY = PLUGINS_DIR / "libecho.so"

# Variables that steer the host; a developer's shell must not change what the tests see.
HOST_VARIABLES = ("EMU_PLUGIN_PATH", "SERVICES", "GATEWAY_LISTEN", "DEFAULT_ACCOUNT_ID", "DEFAULT_REGION",
                  "MAX_REQUEST_BODY_BYTES", "MAX_STREAMED_BODY_BYTES", "PERSISTENCE", "DATA_DIR", "LOG_LEVEL")


def ensure_echo_plugin() -> None:
    """Builds plugins/libecho.so when it is missing or older than its source (scripts/test builds it too)."""
    if ECHO_LIBRARY.exists() and ECHO_LIBRARY.stat().st_mtime >= ECHO_SOURCE.stat().st_mtime:
        return
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-I", str(REPO_ROOT / "Sources/PluginABI/include"),
                    "-o", str(ECHO_LIBRARY), str(ECHO_SOURCE)], check=True)


def host_environment(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without host settings, plus the echo plugin's folder and `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in HOST_VARIABLES}
    env["EMU_PLUGIN_PATH"] = str(PLUGINS_DIR)
    env.update(overrides or {})
    return env


class AwsemuHost:
    """`awsemu start` on a free port, ready when its first stdout line says so; `stop()` sends SIGTERM."""

    def __init__(self, env: dict[str, str] | None = None, timeout: float = 30.0):
        if not HOST_BINARY.exists():
            raise RuntimeError(f"{HOST_BINARY} is missing: run `swift build` first")
        self._workdir = tempfile.TemporaryDirectory(prefix="awsemu-compat-")
        self._stderr = open(pathlib.Path(self._workdir.name) / "stderr.log", "w+b")
        environment = host_environment(env)
        environment["GATEWAY_LISTEN"] = "127.0.0.1:0"
        self.process = subprocess.Popen([str(HOST_BINARY), "start"], cwd=self._workdir.name, env=environment,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr)
        self.ready_line = self._read_ready_line(timeout)
        marker = "ready on "
        if marker not in self.ready_line:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"awsemu did not become ready: {self.ready_line!r}\n{self.log}")
        self.url = self.ready_line.split(marker, 1)[1].split()[0]
        parsed = urllib.parse.urlsplit(self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def _read_ready_line(self, timeout: float) -> str:
        """Reads stdout up to the first newline, giving up after `timeout` seconds or at EOF."""
        deadline = time.monotonic() + timeout
        data = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while b"\n" not in data and time.monotonic() < deadline:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    break
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    break
                data += chunk
        return data.decode(errors="replace").strip()

    @property
    def log(self) -> str:
        """What the host wrote to stderr so far."""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self, timeout: float = 15.0) -> int:
        """Sends SIGTERM and returns the exit status (0 is a clean shutdown); kills it if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self._stderr.close()
        self._workdir.cleanup()
        return self.process.returncode

    def __enter__(self) -> "AwsemuHost":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def make_client(endpoint: str, service: str, **kw):
    """A boto3 client for `service` at `endpoint`, with test credentials and us-east-1 unless `kw` says otherwise.

    Retries are off by default so that an error reaches the test at once rather than after back-off.
    """
    options = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                   aws_secret_access_key="test",
                   config=botocore.config.Config(retries={"total_max_attempts": 1}, connect_timeout=5,
                                                 read_timeout=30))
    options.update(kw)
    return boto3.session.Session().client(service, **options)


class Response:
    """A finished HTTP exchange: status, lower-cased headers and the raw body."""

    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.body = response.read()

    def json(self):
        return json.loads(self.body)


def signed_headers(endpoint: str, body: bytes, headers: dict[str, str], *, service: str, region: str = "us-east-1",
                   access_key: str = "test", secret_key: str = "test", token: str | None = None) -> dict[str, str]:
    """The headers of a SigV4-signed POST to `endpoint` (botocore signs it, as every SDK would)."""
    request = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    credentials = botocore.credentials.Credentials(access_key, secret_key, token)
    botocore.auth.SigV4Auth(credentials, service, region).add_auth(request)
    return dict(request.headers.items())


def request(endpoint: str, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
            connection: http.client.HTTPConnection | None = None) -> Response:
    """One HTTP request; pass `connection` to reuse a keep-alive connection."""
    parsed = urllib.parse.urlsplit(endpoint)
    conn = connection or http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        return Response(conn.getresponse())
    finally:
        if connection is None:
            conn.close()


def json_call(endpoint: str, target: str, body: bytes | str = b"{}", *, service: str = "echo",
              content_type: str = "application/x-amz-json-1.1", sign: bool = True,
              connection: http.client.HTTPConnection | None = None, **signing) -> Response:
    """POSTs an AWS JSON 1.1 request with `X-Amz-Target: target`, SigV4-signed unless `sign` is False."""
    if isinstance(body, str):
        body = body.encode()
    headers = {"X-Amz-Target": target, "Content-Type": content_type}
    if sign:
        headers = signed_headers(endpoint, body, headers, service=service, **signing)
    return request(endpoint, "POST", "/", body, headers, connection)


def read_responses(sock, count: int, methods: list[str] | None = None) -> list[tuple[int, dict[str, str], bytes]]:
    """Reads `count` HTTP responses in a row from one socket (answers to pipelined requests): status, headers with
    lower-case names, body. `methods` names each request's method where it matters (a HEAD answer has no body)."""
    return list(itertools.islice(read_responses_lazily(sock, methods), count))


def read_responses_lazily(sock, methods: list[str] | None = None):
    """The HTTP responses on one socket, one at a time as they are asked for (see `read_responses`), so a test can
    send more between two reads."""

    class SharedReader:
        """http.client closes the reader it was given after each body; this one ignores that, so the next
        response is read from the same buffer."""

        def __init__(self, reader):
            self.reader = reader

        def makefile(self, *args, **kwargs):
            return self

        def __getattr__(self, name):
            return getattr(self.reader, name)

        def close(self):
            pass

    reader = sock.makefile("rb")
    for index in itertools.count():
        response = http.client.HTTPResponse(SharedReader(reader), method=methods[index] if methods else None)
        response.begin()
        yield response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def pipelined(endpoint: str, requests: list[tuple[str, str, dict[str, str], bytes]]
              ) -> list[tuple[int, dict[str, str], bytes]]:
    """Sends (method, path, headers, body) requests back to back on one connection and reads their answers: the
    host serves them in order, and fast enough that several fall in one millisecond of its clock."""
    parsed = urllib.parse.urlsplit(endpoint)
    data = b""
    for method, path, headers, body in requests:
        head = {"Host": parsed.netloc, **headers, "Content-Length": str(len(body))}
        data += f"{method} {path} HTTP/1.1\r\n".encode()
        data += "".join(f"{name}: {value}\r\n" for name, value in head.items()).encode() + b"\r\n" + body
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as connection:
        connection.sendall(data)
        return read_responses(connection, len(requests), [method for method, *_ in requests])


def refusal(call, **kw) -> dict:
    """The response of a call that must be refused: botocore's ClientError response (Error, ResponseMetadata)."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kw)
    return raised.value.response


def error_of(call, **kw) -> dict:
    """The `Error` member of a refused call, as boto3 parsed it: code, message and the service's further members."""
    return dict(refusal(call, **kw)["Error"])


def persistent_host(data_dir, services: str = "kms,s3", **env) -> AwsemuHost:
    """A host with PERSISTENCE=1 keeping its state under `data_dir`, serving `services`."""
    return AwsemuHost(env={"PERSISTENCE": "1", "DATA_DIR": str(data_dir), "SERVICES": services, **env})
