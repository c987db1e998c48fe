"""Symmetric cryptography through boto3: Encrypt, Decrypt, ReEncrypt, data keys, random, encryption context."""

import base64
import os

import pytest

from awsemu_host import request
from kms_helpers import aws_error, unvalidated


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


@pytest.fixture(scope="module")
def key(kms):
    return kms.create_key(Description="crypto tests")["KeyMetadata"]


def test_round_trip_without_key_id(kms, key):
    for size in (1, 16, 4096):
        plaintext = os.urandom(size)
        encrypted = kms.encrypt(KeyId=key["KeyId"], Plaintext=plaintext)
        assert encrypted["KeyId"] == key["Arn"]
        assert encrypted["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
        decrypted = kms.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])
        assert decrypted["Plaintext"] == plaintext
        assert decrypted["KeyId"] == key["Arn"]
        assert decrypted["KeyMaterialId"] == key["CurrentKeyMaterialId"]


def raw_encrypt(endpoint, key_id, plaintext_text):
    """An Encrypt whose Plaintext is written as given: an SDK always sends well-formed, padded base64."""
    body = ('{"KeyId":"%s","Plaintext":"%s"}' % (key_id, plaintext_text)).encode()
    return request(endpoint, "POST", "/", body, {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.Encrypt",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, "
                         "SignedHeaders=host, Signature=0"})


@pytest.mark.parametrize("text", ["aGVsbG8=", "aGVsbG8"])
def test_plaintext_base64_with_or_without_padding(endpoint, kms, key, text):
    answer = raw_encrypt(endpoint, key["KeyId"], text)
    assert answer.status == 200, answer.body
    blob = base64.b64decode(answer.json()["CiphertextBlob"])
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"


@pytest.mark.parametrize("text", ["====", "QQ=A", "QUJD=", "aGVsbG8=a", "QQ=", "aGVs bG8=", "aGVs_G8="])
def test_malformed_plaintext_base64_is_a_serialization_error(endpoint, key, text):
    """Malformed base64 gets the JSON protocol's SerializationException, whatever a lenient decoder would make of it
    (Foundation's read `====` as a zero byte and `QQ=A` as two bytes)."""
    answer = raw_encrypt(endpoint, key["KeyId"], text)
    assert answer.status == 400
    assert answer.json() == {"__type": "SerializationException",
                             "message": "Value at 'plaintext' is not valid base64."}


def test_plaintext_limits(client, key):
    kms = unvalidated(client)
    code, message, _ = aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x" * 4097)
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
                       "Member must have length less than or equal to 4096")


def test_encryption_context_is_bound_unambiguously(kms, key):
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"ctx", EncryptionContext={"a": "bc"})["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "bc"})["Plaintext"] == b"ctx"
    for wrong in ({"ab": "c"}, {}, {"a": "BC"}, {"a": "bc", "x": "y"}):
        code, message, _ = aws_error(kms.decrypt, CiphertextBlob=blob, EncryptionContext=wrong)
        assert (code, message) == ("InvalidCiphertextException", "")
    many = {"k%d" % i: "v%d" % i for i in range(10)}
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"order", EncryptionContext=many)["CiphertextBlob"]
    reordered = dict(reversed(list(many.items())))
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)["Plaintext"] == b"order"


def test_tampered_and_foreign_blobs(kms, key):
    blob = bytearray(kms.encrypt(KeyId=key["KeyId"], Plaintext=b"tamper me")["CiphertextBlob"])
    for index in (0, 5, 20, len(blob) - 20, len(blob) - 1):
        changed = bytearray(blob)
        changed[index] ^= 0x01
        assert aws_error(kms.decrypt, CiphertextBlob=bytes(changed))[0] == "InvalidCiphertextException"
    assert aws_error(kms.decrypt, CiphertextBlob=os.urandom(200))[0] == "InvalidCiphertextException"
    esdk_header = base64.b64decode("AgV4" + "A" * 120)
    assert aws_error(kms.decrypt, CiphertextBlob=esdk_header)[0] == "InvalidCiphertextException"
    assert aws_error(kms.decrypt, CiphertextBlob=bytes(blob[:40]))[0] == "InvalidCiphertextException"


def test_wrong_key_id_is_incorrect_key(kms, key):
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"mine")["CiphertextBlob"]
    code, message, _ = aws_error(kms.decrypt, CiphertextBlob=blob, KeyId=other["KeyId"])
    assert code == "IncorrectKeyException"
    assert message == "The key ID in the request does not identify a CMK that can perform this operation."
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key["Arn"])["Plaintext"] == b"mine"


def test_disabled_key_cannot_decrypt(kms):
    meta = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"later")["CiphertextBlob"]
    kms.disable_key(KeyId=meta["KeyId"])
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "DisabledException"
    kms.enable_key(KeyId=meta["KeyId"])
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"later"


def test_wrong_usage_for_encrypt(kms):
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    code, message, _ = aws_error(kms.encrypt, KeyId=signing["KeyId"], Plaintext=b"x")
    assert (code, message) == ("InvalidKeyUsageException",
                               f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt.")


def test_re_encrypt(kms, key):
    destination = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"move me", EncryptionContext={"from": "a"})["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"from": "a"},
                           DestinationKeyId=destination["KeyId"], DestinationEncryptionContext={"to": "b"})
    assert moved["SourceKeyId"] == key["Arn"] and moved["KeyId"] == destination["Arn"]
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"to": "b"})["Plaintext"] == b"move me"
    assert aws_error(kms.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])[0] \
        == "InvalidCiphertextException"


@pytest.mark.parametrize("args,length", [({"KeySpec": "AES_256"}, 32), ({"KeySpec": "AES_128"}, 16),
                                         ({"NumberOfBytes": 1}, 1), ({"NumberOfBytes": 1024}, 1024)])
def test_generate_data_key_lengths(kms, key, args, length):
    answer = kms.generate_data_key(KeyId=key["KeyId"], EncryptionContext={"p": "q"}, **args)
    assert len(answer["Plaintext"]) == length
    assert answer["KeyId"] == key["Arn"]
    opened = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], EncryptionContext={"p": "q"})
    assert opened["Plaintext"] == answer["Plaintext"]
    without = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], **args)
    assert "Plaintext" not in without
    assert len(kms.decrypt(CiphertextBlob=without["CiphertextBlob"])["Plaintext"]) == length


def test_generate_data_key_needs_exactly_one_size(client, key):
    kms = unvalidated(client)
    for args in ({}, {"KeySpec": "AES_256", "NumberOfBytes": 32}):
        code, _, _ = aws_error(kms.generate_data_key, KeyId=key["KeyId"], **args)
        assert code == "ValidationException"
    code, message, _ = aws_error(kms.generate_data_key, KeyId=key["KeyId"], NumberOfBytes=1025)
    assert "Value '1025' at 'numberOfBytes'" in message


def test_generate_random(kms, client):
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024
    kms = unvalidated(client)
    code, message, _ = aws_error(kms.generate_random, NumberOfBytes=1025)
    assert message == ("1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
                       "Member must have value less than or equal to 1024")
    code, message, _ = aws_error(kms.generate_random, NumberOfBytes=0)
    assert "Member must have value greater than or equal to 1" in message
    code, message, _ = aws_error(kms.generate_random)
    assert (code, message) == ("ValidationException", "NumberOfBytes is required.")


def test_ciphertext_blob_is_not_plaintext(kms, key):
    secret = b"plain-secret-value-1234567890"
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=secret)["CiphertextBlob"]
    assert secret not in blob
    assert blob[0] == 0x01
