"""Rotation with real key-material versions, and GetKeyLastUsage."""

import pytest

from kms_helpers import advance_clock, aws_error, unvalidated


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


def test_rotation_status_shape(kms):
    key = kms.create_key()["KeyMetadata"]
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is False and status["KeyId"] == key["Arn"]
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    assert "NextRotationDate" in status
    kms.enable_key_rotation(KeyId=key["KeyId"])
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["RotationPeriodInDays"] == 365
    kms.disable_key_rotation(KeyId=key["KeyId"])
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status


def test_rotation_status_is_false_while_pending_deletion(kms):
    """GetKeyRotationStatus answers false for a key pending deletion, and the original status returns when the
    deletion is cancelled."""
    key = kms.create_key()["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=180)
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 180


def test_rotation_period_limits(client):
    kms = unvalidated(client)
    key = kms.create_key()["KeyMetadata"]
    code, message, _ = aws_error(kms.enable_key_rotation, KeyId=key["KeyId"], RotationPeriodInDays=89)
    assert code == "ValidationException" and "greater than or equal to 90" in message
    code, message, _ = aws_error(kms.enable_key_rotation, KeyId=key["KeyId"], RotationPeriodInDays=2561)
    assert "less than or equal to 2560" in message


def test_keys_that_cannot_rotate(kms):
    """Asymmetric and HMAC keys refuse rotation, yet GetKeyRotationStatus answers them: "The key rotation status of
    these KMS keys is always false" (the Terraform provider reads it for every key of origin AWS_KMS). Keys with
    imported material are refused there too."""
    for args in ({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}, {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
                 {"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"}):
        key = kms.create_key(**args)["KeyMetadata"]
        for call in (kms.enable_key_rotation, kms.disable_key_rotation, kms.rotate_key_on_demand):
            assert aws_error(call, KeyId=key["KeyId"])[0] == "UnsupportedOperationException", call
        status = kms.get_key_rotation_status(KeyId=key["KeyId"])
        assert (status["KeyRotationEnabled"], status["KeyId"]) == (False, key["Arn"])
        assert "RotationPeriodInDays" not in status and "NextRotationDate" not in status
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    for call in (kms.enable_key_rotation, kms.get_key_rotation_status):
        code, message, _ = aws_error(call, KeyId=external["KeyId"])
        assert (code, message) == ("UnsupportedOperationException",
                                   f"{external['Arn']} origin is EXTERNAL which is not valid for this operation.")


def test_on_demand_rotation_keeps_every_ciphertext(kms):
    key = kms.create_key()["KeyMetadata"]
    blobs = []
    material_ids = [key["CurrentKeyMaterialId"]]
    for round_ in range(5):
        blobs.append((round_, kms.encrypt(KeyId=key["KeyId"], Plaintext=b"round %d" % round_)["CiphertextBlob"]))
        assert kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
        material_ids.append(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"])
    assert len(set(material_ids)) == 6
    for round_, blob in blobs:
        answer = kms.decrypt(CiphertextBlob=blob)
        assert answer["Plaintext"] == b"round %d" % round_
        assert answer["KeyMaterialId"] == material_ids[round_]
    fresh = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"now")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=fresh)["KeyMaterialId"] == material_ids[-1]
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [r["KeyMaterialId"] for r in rotations] == material_ids[1:]
    assert all(r["RotationType"] == "ON_DEMAND" and "RotationDate" in r for r in rotations)
    assert [r["KeyMaterialState"] for r in rotations] == ["NON_CURRENT"] * 4 + ["CURRENT"]
    everything = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert everything[0]["KeyMaterialId"] == material_ids[0] and "RotationType" not in everything[0]
    page = kms.list_key_rotations(KeyId=key["KeyId"], Limit=2)
    assert page["Truncated"] is True and len(page["Rotations"]) == 2


def test_on_demand_limit_is_25(kms):
    key = kms.create_key()["KeyMetadata"]
    for _ in range(25):
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
    code, message, _ = aws_error(kms.rotate_key_on_demand, KeyId=key["KeyId"])
    assert code == "LimitExceededException"
    assert message == ("The on-demand rotations limit has been reached for the given keyId. No more on-demand "
                       f"rotations can be performed for this key: {key['Arn']}")


def test_automatic_rotation_on_the_host_clock(endpoint, client):
    kms = client("kms", aws_access_key_id="777788889999")
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"before")["CiphertextBlob"]
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    advance_clock(endpoint, 89 * 86400)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == key["CurrentKeyMaterialId"]
    advance_clock(endpoint, 2 * 86400)
    rotated = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    assert rotated != key["CurrentKeyMaterialId"]
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["AUTOMATIC"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"


def test_disabled_key_cannot_rotate_on_demand(kms):
    key = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=key["KeyId"])
    assert aws_error(kms.rotate_key_on_demand, KeyId=key["KeyId"])[0] == "DisabledException"


def test_key_last_usage(kms):
    key = kms.create_key()["KeyMetadata"]
    usage = kms.get_key_last_usage(KeyId=key["KeyId"])
    assert usage["KeyId"] == key["Arn"]
    assert not usage.get("KeyLastUsage")
    assert usage["KeyCreationDate"] == key["CreationDate"]
    kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    assert kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]["Operation"] == "Encrypt"
    aws_error(kms.decrypt, CiphertextBlob=b"\x01" * 100)
    assert kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]["Operation"] == "Encrypt"
    aws_error(kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256", DryRun=True)
    assert kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]["Operation"] == "Encrypt"
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"y")["CiphertextBlob"]
    kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other["KeyId"])
    assert kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]["Operation"] == "ReEncrypt"
    assert kms.get_key_last_usage(KeyId=other["KeyId"])["KeyLastUsage"]["Operation"] == "ReEncrypt"
    kms.describe_key(KeyId=key["KeyId"])
    assert kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]["Operation"] == "ReEncrypt"
