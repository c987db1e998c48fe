"""Asymmetric KMS operations, each result checked by an independent implementation: Python `cryptography`
(its own OpenSSL) and the `openssl` CLI."""

import base64
import hashlib
import hmac
import os
import subprocess

import botocore.exceptions
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from kms_helpers import aws_error, unvalidated

HASHES = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}
RSA_ALGORITHMS = ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
                  "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"]
ECC = [("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"), ("ECC_NIST_P521", "ECDSA_SHA_512"),
       ("ECC_SECG_P256K1", "ECDSA_SHA_256")]


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


@pytest.fixture(scope="module")
def rsa_signing_key(kms):
    return kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]


def public_key(kms, key_id):
    answer = kms.get_public_key(KeyId=key_id)
    return answer, serialization.load_der_public_key(answer["PublicKey"])


def digest_of(message: bytes, algorithm):
    h = hashes.Hash(algorithm)
    h.update(message)
    return h.finalize()


@pytest.mark.parametrize("algorithm", RSA_ALGORITHMS)
@pytest.mark.parametrize("message_type", ["RAW", "DIGEST"])
def test_rsa_signatures_verify_independently(kms, rsa_signing_key, algorithm, message_type):
    message = os.urandom(300)
    hash_algorithm = HASHES[algorithm[-3:]]
    sent = message if message_type == "RAW" else digest_of(message, hash_algorithm)
    signature = kms.sign(KeyId=rsa_signing_key["KeyId"], Message=sent, MessageType=message_type,
                         SigningAlgorithm=algorithm)["Signature"]
    _, pub = public_key(kms, rsa_signing_key["KeyId"])
    if "PSS" in algorithm:
        # KMS's PSS: MGF1 with the message hash and a salt exactly as long as the digest.
        pad = padding.PSS(mgf=padding.MGF1(hash_algorithm), salt_length=hash_algorithm.digest_size)
    else:
        pad = padding.PKCS1v15()
    pub.verify(signature, message, pad, hash_algorithm)
    answer = kms.verify(KeyId=rsa_signing_key["KeyId"], Message=sent, MessageType=message_type, Signature=signature,
                        SigningAlgorithm=algorithm)
    assert answer["SignatureValid"] is True and answer["KeyId"] == rsa_signing_key["Arn"]


@pytest.mark.parametrize("spec,algorithm", ECC)
@pytest.mark.parametrize("message_type", ["RAW", "DIGEST"])
def test_ecdsa_signatures_verify_independently(kms, spec, algorithm, message_type):
    key = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    message = b"ecdsa message"
    hash_algorithm = HASHES[algorithm[-3:]]
    sent = message if message_type == "RAW" else digest_of(message, hash_algorithm)
    signature = kms.sign(KeyId=key["KeyId"], Message=sent, MessageType=message_type,
                         SigningAlgorithm=algorithm)["Signature"]
    assert signature[0] == 0x30  # DER SEQUENCE {r, s}
    _, pub = public_key(kms, key["KeyId"])
    pub.verify(signature, message, ec.ECDSA(hash_algorithm))


def test_ed25519_raw_signature_verifies(kms):
    key = kms.create_key(KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    signature = kms.sign(KeyId=key["KeyId"], Message=b"edwards", SigningAlgorithm="ED25519_SHA_512")["Signature"]
    _, pub = public_key(kms, key["KeyId"])
    assert isinstance(pub, ed25519.Ed25519PublicKey)
    pub.verify(signature, b"edwards")
    code, _, _ = aws_error(kms.sign, KeyId=key["KeyId"], Message=b"x" * 64, MessageType="DIGEST",
                           SigningAlgorithm="ED25519_PH_SHA_512")
    assert code == "UnsupportedOperationException"  # Ed25519ph: no library on the host


@pytest.fixture(scope="module")
def china(client):
    """SM2 keys exist in the China Regions only."""
    return client("kms", region_name="cn-north-1")


def test_sm2_signature_verifies_with_openssl_cli(china, tmp_path):
    kms = china
    key = kms.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    message = b"sm2 message"
    signature = kms.sign(KeyId=key["KeyId"], Message=message, SigningAlgorithm="SM2DSA")["Signature"]
    der = kms.get_public_key(KeyId=key["KeyId"])["PublicKey"]
    (tmp_path / "pub.der").write_bytes(der)
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(signature)
    subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-out", "pub.pem"],
                   cwd=tmp_path, check=True)
    result = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest",
                             "sm3", "-pkeyopt", "distid:1234567812345678", "-in", "msg", "-sigfile", "sig"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and "Verified Successfully" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("spec", ["ML_DSA_65", "ML_DSA_87"])
def test_ml_dsa_signature_verifies_with_cryptography(kms, spec):
    key = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    signature = kms.sign(KeyId=key["KeyId"], Message=b"post-quantum", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    answer, pub = public_key(kms, key["KeyId"])
    assert answer["SigningAlgorithms"] == ["ML_DSA_SHAKE_256"]
    pub.verify(signature, b"post-quantum")
    code, _, _ = aws_error(kms.sign, KeyId=key["KeyId"], Message=b"x" * 64, MessageType="DIGEST",
                           SigningAlgorithm="ML_DSA_SHAKE_256")
    assert code == "ValidationException"


def test_failed_verify_is_an_error_never_false(kms, rsa_signing_key):
    """The exception has no message, and AWS's body has no message member at all (boto3 then adds no top-level
    "message" to the response, as recorded from AWS)."""
    signature = kms.sign(KeyId=rsa_signing_key["KeyId"], Message=b"a", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kms.verify(KeyId=rsa_signing_key["KeyId"], Message=b"b", Signature=signature,
                   SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert info.value.response["Error"] == {"Code": "KMSInvalidSignatureException", "Message": ""}
    assert "message" not in info.value.response


def test_signing_rules(kms, rsa_signing_key, client):
    code, message, _ = aws_error(kms.sign, KeyId=rsa_signing_key["KeyId"], Message=b"x",
                                 SigningAlgorithm="ECDSA_SHA_256")
    assert (code, message) == ("InvalidKeyUsageException", "Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048.")
    code, message, _ = aws_error(kms.sign, KeyId=rsa_signing_key["KeyId"], Message=b"x" * 31, MessageType="DIGEST",
                                 SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert (code, message) == ("ValidationException", "Digest is invalid length for algorithm RSASSA_PSS_SHA_256.")
    symmetric = kms.create_key()["KeyMetadata"]
    code, message, _ = aws_error(kms.sign, KeyId=symmetric["KeyId"], Message=b"x", SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert code == "InvalidKeyUsageException" and "ENCRYPT_DECRYPT which is not valid for Sign." in message
    assert aws_error(kms.get_public_key, KeyId=symmetric["KeyId"])[0] == "UnsupportedOperationException"


@pytest.mark.parametrize("spec,limits", [("RSA_2048", (214, 190)), ("RSA_3072", (342, 318))])
def test_rsa_oaep_round_trips_and_limits(kms, spec, limits):
    key = kms.create_key(KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    _, pub = public_key(kms, key["KeyId"])
    for algorithm, hash_algorithm, limit in (("RSAES_OAEP_SHA_1", hashes.SHA1(), limits[0]),
                                             ("RSAES_OAEP_SHA_256", hashes.SHA256(), limits[1])):
        oaep = padding.OAEP(mgf=padding.MGF1(hash_algorithm), algorithm=hash_algorithm, label=None)
        # Made offline with the exported public key, decrypted by KMS.
        offline = pub.encrypt(b"offline secret", oaep)
        answer = kms.decrypt(KeyId=key["KeyId"], CiphertextBlob=offline, EncryptionAlgorithm=algorithm)
        assert answer["Plaintext"] == b"offline secret" and answer["EncryptionAlgorithm"] == algorithm
        # Made by KMS, as long as the modulus.
        encrypted = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x" * limit, EncryptionAlgorithm=algorithm)
        assert len(encrypted["CiphertextBlob"]) == int(spec.split("_")[1]) // 8
        assert kms.decrypt(KeyId=key["Arn"], CiphertextBlob=encrypted["CiphertextBlob"],
                           EncryptionAlgorithm=algorithm)["Plaintext"] == b"x" * limit
        code, message, _ = aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x" * (limit + 1),
                                     EncryptionAlgorithm=algorithm)
        assert (code, message) == ("ValidationException", f"Algorithm {algorithm} and key spec {spec} cannot encrypt "
                                                          f"data larger than {limit} bytes.")
    assert aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x")[0] == "InvalidKeyUsageException"


def test_sm2_encryption_round_trip(china):
    kms = china
    key = kms.create_key(KeySpec="SM2", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"sm2 secret", EncryptionAlgorithm="SM2PKE")["CiphertextBlob"]
    assert kms.decrypt(KeyId=key["KeyId"], CiphertextBlob=blob, EncryptionAlgorithm="SM2PKE")["Plaintext"] == b"sm2 secret"


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
                                  "ECC_NIST_EDWARDS25519"])
def test_generate_data_key_pair(kms, spec):
    wrapping = kms.create_key()["KeyMetadata"]
    pair = kms.generate_data_key_pair(KeyId=wrapping["KeyId"], KeyPairSpec=spec, EncryptionContext={"use": "pair"})
    private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
    public = serialization.load_der_public_key(pair["PublicKey"])
    assert private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == pair["PublicKey"]
    assert isinstance(public, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey))
    opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext={"use": "pair"})
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
    without = kms.generate_data_key_pair_without_plaintext(KeyId=wrapping["KeyId"], KeyPairSpec=spec)
    assert "PrivateKeyPlaintext" not in without
    serialization.load_der_private_key(kms.decrypt(CiphertextBlob=without["PrivateKeyCiphertextBlob"])["Plaintext"],
                                       password=None)


def test_sm2_data_key_pairs_only_in_china(kms):
    wrapping = kms.create_key()["KeyMetadata"]
    assert aws_error(kms.generate_data_key_pair, KeyId=wrapping["KeyId"], KeyPairSpec="SM2")[0] \
        == "UnsupportedOperationException"


@pytest.mark.parametrize("spec,algorithm,digest", [("HMAC_224", "HMAC_SHA_224", hashlib.sha224),
                                                   ("HMAC_256", "HMAC_SHA_256", hashlib.sha256),
                                                   ("HMAC_384", "HMAC_SHA_384", hashlib.sha384),
                                                   ("HMAC_512", "HMAC_SHA_512", hashlib.sha512)])
def test_hmac_matches_python_hmac(kms, spec, algorithm, digest):
    material = os.urandom(32)
    key = kms.create_key(KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC",
                         Tags=[{"TagKey": "_custom_key_material_",
                                "TagValue": base64.b64encode(material).decode()}])["KeyMetadata"]
    mac = kms.generate_mac(KeyId=key["KeyId"], Message=b"mac me", MacAlgorithm=algorithm)
    assert mac["Mac"] == hmac.new(material, b"mac me", digest).digest()
    assert mac["KeyId"] == key["Arn"]
    assert kms.verify_mac(KeyId=key["KeyId"], Message=b"mac me", Mac=mac["Mac"], MacAlgorithm=algorithm)["MacValid"]
    code, message, _ = aws_error(kms.verify_mac, KeyId=key["KeyId"], Message=b"other", Mac=mac["Mac"],
                                 MacAlgorithm=algorithm)
    assert (code, message) == ("KMSInvalidMacException", "")
    wrong = "HMAC_SHA_512" if algorithm != "HMAC_SHA_512" else "HMAC_SHA_256"
    code, message, _ = aws_error(kms.generate_mac, KeyId=key["KeyId"], Message=b"x", MacAlgorithm=wrong)
    assert (code, message) == ("InvalidKeyUsageException", f"Algorithm {wrong} is incompatible with key spec {spec}.")


@pytest.mark.parametrize("spec,curve", [("ECC_NIST_P256", ec.SECP256R1()), ("ECC_NIST_P384", ec.SECP384R1()),
                                        ("ECC_NIST_P521", ec.SECP521R1())])
def test_ecdh_matches_cryptography(kms, spec, curve):
    key = kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    peer = ec.generate_private_key(curve)
    peer_der = peer.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    answer = kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer_der)
    _, kms_public = public_key(kms, key["KeyId"])
    assert answer["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    assert answer["KeyOrigin"] == "AWS_KMS" and answer["KeyId"] == key["Arn"]
    code, _, _ = aws_error(kms.derive_shared_secret, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                           PublicKey=b"not a key")
    assert code == "ValidationException"


@pytest.mark.parametrize("spec", ["ML_KEM_768", "ML_KEM_1024"])
def test_ml_kem_encapsulate_decapsulate(kms, spec):
    key = kms.create_key(KeySpec=spec, KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]
    encapsulated = kms.encapsulate(KeyId=key["KeyId"], EncapsulationAlgorithm="ML_KEM")
    decapsulated = kms.decapsulate(KeyId=key["KeyId"], EncapsulationAlgorithm="ML_KEM",
                                   SharedSecretCiphertextBlob=encapsulated["SharedSecretCiphertextBlob"])
    assert decapsulated["SharedSecret"] == encapsulated["SharedSecret"]
    assert len(encapsulated["SharedSecret"]) == 32
    answer, pub = public_key(kms, key["KeyId"])
    assert answer["EncapsulationAlgorithms"] == ["ML_KEM"]
    # An independent encapsulation to the exported public key decapsulates in KMS to the same secret.
    secret, ciphertext = pub.encapsulate()
    assert kms.decapsulate(KeyId=key["KeyId"], EncapsulationAlgorithm="ML_KEM",
                           SharedSecretCiphertextBlob=ciphertext)["SharedSecret"] == secret


def test_dry_run_on_sign(kms, rsa_signing_key):
    code, message, _ = aws_error(kms.sign, KeyId=rsa_signing_key["KeyId"], Message=b"x",
                                 SigningAlgorithm="RSASSA_PSS_SHA_256", DryRun=True)
    assert (code, message) == ("DryRunOperationException",
                               "The request would have succeeded, but the DryRun option is set.")
