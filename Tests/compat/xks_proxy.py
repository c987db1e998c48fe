"""A small external key store proxy speaking the public XKS Proxy API v1, for the KMS tests.

It checks every request's SigV4 signature with botocore (service `kms-xks-proxy`), so KMS's signing is verified
by an independent implementation, and does AES-256-GCM with Python `cryptography`. `calls` records what KMS
asked, for assertions; `delay` makes it slow.
"""

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ACCESS_KEY_ID = "ABCDEFGHIJKLMNOPQRST"  # 20 characters of [A-Z2-7], as KMS requires
SECRET_ACCESS_KEY = "K" * 43


class FixedTimestamp:
    """Mixed in before a botocore SigV4 signer (header or query): signs with `self.timestamp` as X-Amz-Date
    instead of now, for requests signed in the past or the future."""

    timestamp = None

    def add_auth(self, request):
        request.context["timestamp"] = self.timestamp
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


class _FixedTimeSigV4(FixedTimestamp, SigV4Auth):
    """botocore's SigV4 with the request's own X-Amz-Date instead of now."""

    def __init__(self, credentials, service, region, timestamp):
        super().__init__(credentials, service, region)
        self.timestamp = timestamp


class XksProxy:
    def __init__(self, prefix="/example", region="us-east-1"):
        self.prefix = prefix
        self.region = region
        self.keys = {"key-one": os.urandom(32), "key-two": os.urandom(32)}
        self.disabled = set()
        self.calls = []
        # Seconds to wait before answering each request: a slow proxy, for KMS's timeout.
        self.delay = 0.0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._answer(405, {"errorName": "UnsupportedOperationException"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if proxy.delay:
                    time.sleep(proxy.delay)
                status, answer = proxy.handle(self.command, self.path, dict(self.headers.items()), body)
                self._answer(status, answer)

            def _answer(self, status, answer):
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.path = f"{prefix}/kms/xks/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.delay = 0.0
        self.stop()

    def signature_ok(self, method, path, headers, body):
        authorization = headers.get("Authorization", "")
        if f"Credential={ACCESS_KEY_ID}/" not in authorization:
            return False
        signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
        lower = {k.lower(): v for k, v in headers.items()}
        request = AWSRequest(method=method, url=self.endpoint + path, data=body,
                             headers={name: lower[name] for name in signed if name in lower})
        _FixedTimeSigV4(Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), "kms-xks-proxy", self.region,
                        lower["x-amz-date"]).add_auth(request)
        expected = request.headers["Authorization"].split("Signature=")[1]
        return authorization.split("Signature=")[1] == expected

    def handle(self, method, path, headers, body):
        if not path.startswith(self.path):
            return 404, {"errorName": "InvalidUriPathException"}
        if not self.signature_ok(method, path, headers, body):
            return 401, {"errorName": "AuthenticationFailedException"}
        request = json.loads(body or b"{}")
        route = path[len(self.path):]
        self.calls.append((route, request.get("requestMetadata", {})))
        if route == "/health":
            return 200, {"xksProxyFleetSize": 1, "xksProxyVendor": "awsemu-tests", "xksProxyModel": "python",
                         "ekmVendor": "in-memory", "ekmFleetDetails": [{"id": "hsm-1", "model": "python",
                                                                         "healthStatus": "ACTIVE"}]}
        parts = route.split("/")
        if len(parts) != 4 or parts[1] != "keys":
            return 404, {"errorName": "InvalidUriPathException"}
        key_id, action = parts[2], parts[3]
        if key_id not in self.keys:
            return 404, {"errorName": "KeyNotFoundException"}
        if action == "metadata":
            return 200, {"keySpec": "AES_256", "keyUsage": ["ENCRYPT", "DECRYPT"],
                         "keyStatus": "DISABLED" if key_id in self.disabled else "ENABLED"}
        if key_id in self.disabled:
            return 400, {"errorName": "InvalidStateException"}
        aad = base64.b64decode(request.get("additionalAuthenticatedData", ""))
        cipher = AESGCM(self.keys[key_id])
        if action == "encrypt":
            iv = os.urandom(12)
            sealed = cipher.encrypt(iv, base64.b64decode(request["plaintext"]), aad or None)
            return 200, {"ciphertext": base64.b64encode(sealed[:-16]).decode(),
                         "initializationVector": base64.b64encode(iv).decode(),
                         "authenticationTag": base64.b64encode(sealed[-16:]).decode()}
        if action == "decrypt":
            try:
                plaintext = cipher.decrypt(base64.b64decode(request["initializationVector"]),
                                           base64.b64decode(request["ciphertext"])
                                           + base64.b64decode(request["authenticationTag"]), aad or None)
            except InvalidTag:
                return 400, {"errorName": "InvalidCiphertextException"}
            return 200, {"plaintext": base64.b64encode(plaintext).decode()}
        return 404, {"errorName": "InvalidUriPathException"}
