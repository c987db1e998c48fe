"""Helpers for the KMS compat tests: error assertions, the host clock, and key material wrapped for import."""

import json
import os
import time

import botocore.config
import botocore.exceptions
import pytest
from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from awsemu_host import request


def aws_error(call, *args, **kwargs):
    """Runs a boto3 call that must fail; returns (code, message, http status)."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", ""), info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def advance_clock(endpoint: str, seconds: float) -> None:
    """Moves the host clock forward (deletion windows, rotation) and lets plugins act on it."""
    response = request(endpoint, "POST", "/_emu/clock", json.dumps({"advanceSeconds": seconds}).encode())
    assert response.status == 200, response.body


def to_noon_utc(endpoint: str) -> None:
    """Moves the host clock to the next 12:00 UTC (at least a minute ahead): S3 lifecycle rules count whole days
    from midnight UTC, so a test that puts objects and then moves whole days must not straddle a midnight."""
    now = host_now(endpoint)
    noon = now // 86400 * 86400 + 43200
    if noon < now + 60:
        noon += 86400
    advance_clock(endpoint, noon - now)


def host_now(endpoint: str) -> float:
    """The host clock's time in seconds, which tests may have moved ahead of the wall clock."""
    response = request(endpoint, "GET", "/_emu/clock")
    assert response.status == 200, response.body
    return json.loads(response.body)["nowMilliseconds"] / 1000


def wait_out_transient_state(kms, key_id, timeout=10.0):
    """Waits, as AWS callers do, while a key is Creating (after ReplicateKey) or Updating (after
    UpdatePrimaryRegion); the host ends both at its next tick. Returns the state it settles in and the transient
    states seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while (state := kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]) in ("Creating", "Updating"):
        seen.append(state)
        assert time.monotonic() < deadline, f"{key_id} stayed {state}"
        time.sleep(0.05)
    return state, seen


def unvalidated(client, service="kms", **kw):
    """A client that sends what it is given, so the server's own validation answers (boto3 checks min/max first)."""
    config = botocore.config.Config(parameter_validation=False, retries={"total_max_attempts": 1})
    return client(service, config=config, **kw)


def wrap(public_der: bytes, material: bytes, algorithm: str) -> bytes:
    """Wraps key material for ImportKeyMaterial with the public key from GetParametersForImport, by `cryptography`."""
    public = serialization.load_der_public_key(public_der)
    if algorithm.startswith("RSAES_OAEP"):
        h = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
        return public.encrypt(material, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
    h = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    aes_key = os.urandom(32)
    wrapped_key = public.encrypt(aes_key, padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
    return wrapped_key + keywrap.aes_key_wrap_with_padding(aes_key, material)


def import_material(kms, key_id, material, algorithm="RSAES_OAEP_SHA_256", spec="RSA_2048", **extra):
    """GetParametersForImport, then ImportKeyMaterial of `material` wrapped as a user wraps it; `extra` goes to
    ImportKeyMaterial (ImportType, ValidTo, …). Without ValidTo the material does not expire: AWS's default
    ExpirationModel is KEY_MATERIAL_EXPIRES, which needs a ValidTo, so users name the model, and so does this."""
    if "ValidTo" not in extra:
        extra.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    assert params["ParametersValidTo"].timestamp() > time.time() + 23 * 3600
    return kms.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                   EncryptedKeyMaterial=wrap(params["PublicKey"], material, algorithm), **extra)
