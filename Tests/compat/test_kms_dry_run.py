"""DryRun on all 15 operations that take it: every check runs first, then DryRunOperationException, and nothing
happens (no grant, no last-usage record)."""

import base64

import pytest

from kms_helpers import aws_error

DRY_RUN = "DryRunOperationException"
MESSAGE = "The request would have succeeded, but the DryRun option is set."


@pytest.fixture(scope="module")
def keys(client):
    kms = client("kms")
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    agreement = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeyId"]
    mac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=symmetric, Plaintext=b"x")["CiphertextBlob"]
    signature = kms.sign(KeyId=signing, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    tag = kms.generate_mac(KeyId=mac, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    peer = \
        kms.get_public_key(KeyId=agreement)["PublicKey"]
    grant = kms.create_grant(KeyId=symmetric, GranteePrincipal="arn:aws:iam::000000000000:role/r",
                             Operations=["Decrypt"])
    return dict(kms=kms, symmetric=symmetric, signing=signing, agreement=agreement, mac=mac, blob=blob,
                signature=signature, tag=tag, peer=peer, grant=grant)


def calls(k):
    kms = k["kms"]
    return {
        "CreateGrant": lambda **d: kms.create_grant(KeyId=k["symmetric"], GranteePrincipal="arn:aws:iam::000000000000:role/d",
                                                    Operations=["Encrypt"], **d),
        "Decrypt": lambda **d: kms.decrypt(CiphertextBlob=k["blob"], **d),
        "DeriveSharedSecret": lambda **d: kms.derive_shared_secret(KeyId=k["agreement"], KeyAgreementAlgorithm="ECDH",
                                                                   PublicKey=k["peer"], **d),
        "Encrypt": lambda **d: kms.encrypt(KeyId=k["symmetric"], Plaintext=b"x", **d),
        "GenerateDataKey": lambda **d: kms.generate_data_key(KeyId=k["symmetric"], KeySpec="AES_256", **d),
        "GenerateDataKeyPair": lambda **d: kms.generate_data_key_pair(KeyId=k["symmetric"], KeyPairSpec="ECC_NIST_P256", **d),
        "GenerateDataKeyPairWithoutPlaintext": lambda **d: kms.generate_data_key_pair_without_plaintext(
            KeyId=k["symmetric"], KeyPairSpec="ECC_NIST_P256", **d),
        "GenerateDataKeyWithoutPlaintext": lambda **d: kms.generate_data_key_without_plaintext(
            KeyId=k["symmetric"], KeySpec="AES_256", **d),
        "GenerateMac": lambda **d: kms.generate_mac(KeyId=k["mac"], Message=b"m", MacAlgorithm="HMAC_SHA_256", **d),
        "ReEncrypt": lambda **d: kms.re_encrypt(CiphertextBlob=k["blob"], DestinationKeyId=k["symmetric"], **d),
        "RetireGrant": lambda **d: kms.retire_grant(GrantToken=k["grant"]["GrantToken"], **d),
        "RevokeGrant": lambda **d: kms.revoke_grant(KeyId=k["symmetric"], GrantId=k["grant"]["GrantId"], **d),
        "Sign": lambda **d: kms.sign(KeyId=k["signing"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256", **d),
        "Verify": lambda **d: kms.verify(KeyId=k["signing"], Message=b"m", Signature=k["signature"],
                                         SigningAlgorithm="ECDSA_SHA_256", **d),
        "VerifyMac": lambda **d: kms.verify_mac(KeyId=k["mac"], Message=b"m", Mac=k["tag"], MacAlgorithm="HMAC_SHA_256", **d),
    }


OPERATIONS = ["CreateGrant", "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
              "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt",
              "RetireGrant", "RevokeGrant", "Sign", "Verify", "VerifyMac"]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_dry_run(keys, operation):
    kms = keys["kms"]
    before_grants = len(kms.list_grants(KeyId=keys["symmetric"])["Grants"])
    usage_before = {k: kms.get_key_last_usage(KeyId=keys[k]).get("KeyLastUsage") for k in ("symmetric", "signing", "mac", "agreement")}
    code, message, _ = aws_error(calls(keys)[operation], DryRun=True)
    assert (code, message) == (DRY_RUN, MESSAGE)
    assert len(kms.list_grants(KeyId=keys["symmetric"])["Grants"]) == before_grants
    usage_after = {k: kms.get_key_last_usage(KeyId=keys[k]).get("KeyLastUsage") for k in ("symmetric", "signing", "mac", "agreement")}
    assert usage_after == usage_before


def test_dry_run_runs_the_checks_first(keys):
    kms = keys["kms"]
    kms.disable_key(KeyId=keys["signing"])
    try:
        assert aws_error(kms.sign, KeyId=keys["signing"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256",
                         DryRun=True)[0] == "DisabledException"
    finally:
        kms.enable_key(KeyId=keys["signing"])
    assert aws_error(kms.verify, KeyId=keys["signing"], Message=b"other", Signature=keys["signature"],
                     SigningAlgorithm="ECDSA_SHA_256", DryRun=True)[0] == "KMSInvalidSignatureException"
    assert aws_error(kms.decrypt, CiphertextBlob=b"\x01" * 80, DryRun=True)[0] == "InvalidCiphertextException"
