"""A seed file in local-kms's YAML format (KMS_SEED_PATH), read at start-up by a second host."""

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from awsemu_host import AwsemuHost, make_client, request
from kms_helpers import aws_error, import_material

SYMMETRIC_ID = "bc436485-5092-42b8-92a3-0aa8b93536dc"
RSA_ID = "800d5768-3fd7-4edd-a4b8-4c81c3e4c147"
ECC_ID = "800d5768-3fd7-4edd-a4b8-4c81c3e4c148"


def seeded_host(folder, seed: str, services="kms"):
    """A host that reads `seed` (the YAML text) from a seed file in `folder` at start-up."""
    path = folder / "seed.yaml"
    path.write_text(seed)
    return AwsemuHost(env={"KMS_SEED_PATH": str(path), "SERVICES": services})


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    ecc_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    def pem_block(pem: bytes) -> list[str]:
        return ["        PrivateKeyPem: |"] + ["          " + line for line in pem.decode().strip().splitlines()]

    lines = [
        "Keys:",
        "  Symmetric:",
        "    Aes:",
        "      - Metadata:",
        f"          KeyId: {SYMMETRIC_ID}",
        "          Description: seeded symmetric key",
        "        BackingKeys:",
        "          - 5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9",
        "          - 0000000000000000000000000000000000000000000000000000000000000001",
        "        NextKeyRotation: 2030-01-02T03:04:05Z",
        "      - Metadata:",
        f"          KeyId: {SYMMETRIC_ID}",
        "          Description: a duplicate that must not overwrite the first",
        "        BackingKeys:",
        "          - 1111111111111111111111111111111111111111111111111111111111111111",
        "  Asymmetric:",
        "    Rsa:",
        "      - Metadata:",
        f"          KeyId: {RSA_ID}",
        "          KeyUsage: SIGN_VERIFY",
        "          Description: seeded rsa key",
    ] + pem_block(rsa_pem) + [
        "    Ecc:",
        "      - Metadata:",
        f"          KeyId: {ECC_ID}",
        "          KeyUsage: SIGN_VERIFY",
        "          Description: seeded ecc key",
    ] + pem_block(ecc_pem) + [
        "Aliases:",
        "  - AliasName: alias/seeded",
        f"    TargetKeyId: {SYMMETRIC_ID}",
    ]
    seed = "\n".join(lines) + "\n"
    with seeded_host(tmp_path_factory.mktemp("seed"), seed) as host:
        yield make_client(host.url, "kms")


def test_seeded_keys_exist(seeded):
    meta = seeded.describe_key(KeyId=SYMMETRIC_ID)["KeyMetadata"]
    assert meta["Description"] == "seeded symmetric key"
    assert seeded.describe_key(KeyId=RSA_ID)["KeyMetadata"]["KeySpec"] == "RSA_2048"
    ecc = seeded.describe_key(KeyId=ECC_ID)["KeyMetadata"]
    assert ecc["KeySpec"] == "ECC_NIST_P256" and ecc["KeyUsage"] == "SIGN_VERIFY"
    assert seeded.describe_key(KeyId="alias/seeded")["KeyMetadata"]["KeyId"] == SYMMETRIC_ID


def test_a_seeded_next_key_rotation_turns_rotation_on(seeded):
    status = seeded.get_key_rotation_status(KeyId=SYMMETRIC_ID)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 365
    assert status["NextRotationDate"].isoformat() == "2030-01-02T03:04:05+00:00"


def test_seeded_symmetric_key_encrypts_and_decrypts(seeded):
    blob = seeded.encrypt(KeyId="alias/seeded", Plaintext=b"seeded")["CiphertextBlob"]
    assert seeded.decrypt(CiphertextBlob=blob)["Plaintext"] == b"seeded"
    assert aws_error(seeded.describe_key, KeyId="alias/not-seeded")[0] == "NotFoundException"


def test_a_state_reset_returns_to_the_seed(seeded):
    extra = seeded.create_key(Description="made after start-up")["KeyMetadata"]["KeyId"]
    seeded.update_key_description(KeyId=SYMMETRIC_ID, Description="changed")
    assert request(seeded.meta.endpoint_url, "POST", "/_emu/state/reset").status == 200
    assert aws_error(seeded.describe_key, KeyId=extra)[0] == "NotFoundException"
    assert seeded.describe_key(KeyId="alias/seeded")["KeyMetadata"]["Description"] == "seeded symmetric key"
    blob = seeded.encrypt(KeyId="alias/seeded", Plaintext=b"after reset")["CiphertextBlob"]
    assert seeded.decrypt(CiphertextBlob=blob)["Plaintext"] == b"after reset"


def test_seed_with_anchors_aliases_and_flow_style(tmp_path):
    """YAML's own shorthand reads as in local-kms: an alias copies its anchor (also as a mapping key), flow style and
    quotes are plain text."""
    first, second = "11111111-2222-3333-4444-555555555555", "mrk-0123456789abcdef0123456789abcdef"
    seed = "\n".join([
        "Names: [&description Description]",
        "Keys:",
        "  Symmetric:",
        "    Aes:",
        f"      - Metadata: {{KeyId: {first}, *description : 'quoted: with a colon'}}",
        "        BackingKeys: &material",
        "          - 00000000000000000000000000000000000000000000000000000000000000ff",
        f"      - Metadata: {{KeyId: \"{second}\"}}",
        "        BackingKeys: *material",
        "Aliases:",
        f"  - {{AliasName: alias/flow, TargetKeyId: {second}}}",
    ]) + "\n"
    with seeded_host(tmp_path, seed) as host:
        kms = make_client(host.url, "kms")
        assert kms.describe_key(KeyId=first)["KeyMetadata"]["Description"] == "quoted: with a colon"
        assert kms.describe_key(KeyId="alias/flow")["KeyMetadata"]["KeyId"] == second
        for key in (first, second):
            blob = kms.encrypt(KeyId=key, Plaintext=b"same material")["CiphertextBlob"]
            assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"same material"


def test_a_seeded_imported_key_takes_its_backing_key_again_after_deletion(tmp_path):
    """A seeded key of Origin EXTERNAL has the material ids an import of its backing keys gives, so deleting the
    current one and importing the same bytes again restores it (and other bytes are refused)."""
    key_id = "22222222-3333-4444-5555-666666666666"
    first, second = bytes(range(32)), bytes(range(1, 33))
    seed = "\n".join([
        "Keys:",
        "  Symmetric:",
        "    Aes:",
        f"      - Metadata: {{KeyId: {key_id}, Origin: EXTERNAL}}",
        "        BackingKeys:",
        f"          - {first.hex()}",
        f"          - {second.hex()}",
    ]) + "\n"
    with seeded_host(tmp_path, seed) as host:
        kms = make_client(host.url, "kms")
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        assert (meta["Origin"], meta["CurrentKeyMaterialId"]) == ("EXTERNAL", hashlib.sha256(second).hexdigest())
        blob = kms.encrypt(KeyId=key_id, Plaintext=b"seeded")["CiphertextBlob"]
        deleted = kms.delete_imported_key_material(KeyId=key_id)
        assert deleted["KeyMaterialId"] == hashlib.sha256(second).hexdigest()
        assert aws_error(import_material, kms, key_id, bytes(32))[0] == "IncorrectKeyMaterialException"
        import_material(kms, key_id, second)
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"seeded"


@pytest.mark.parametrize("seed, problem", [
    ("Keys:\n  Symmetric:\n    Aes: [unclosed\n  Asymmetric: {}\n", "line 4"),
    ("Keys: {}\n---\nKeys: {}\n", "a second document at line 2"),
    ("---\n---\nKeys: {}\n", "a second document at line 2"),
    ("Keys:\n  Symmetric: *nowhere\n", "alias *nowhere at line 2 has no anchor"),
    ("Aliases: []\nKeys: {}\nAliases: []\n", "key 'Aliases' at line 3 is given twice"),
    ("Keys: \"\x01\"\n", "at byte 7"),
], ids=["unclosed", "two-documents", "empty-then-second", "undefined-alias", "duplicate-key", "control-character"])
def test_a_malformed_seed_refuses_kms_and_says_where(tmp_path, seed, problem):
    """A seed that is not one well-formed YAML document stops the KMS plugin with one log line saying where; the
    host serves the rest."""
    with seeded_host(tmp_path, seed, services="kms,sts") as host:
        health = request(host.url, "GET", "/_emu/health").json()
        assert [p["name"] for p in health["plugins"]] == ["sts"]
        kms = [r for r in health["refused"] if r["path"].endswith("/libKMSPlugin.so")]
        assert len(kms) == 1 and "on_init" in kms[0]["reason"], health["refused"]
        log = host.log
        assert "could not read the seed file" in log and "not valid YAML" in log and problem in log, log
        sts = make_client(host.url, "sts")
        assert sts.get_caller_identity()["Account"] == "000000000000"


def test_a_missing_seed_file_is_said_in_the_systems_words(tmp_path):
    """Not as a structure dump of FoundationEssentials' CocoaError: the path and the system's reason."""
    missing = tmp_path / "nowhere" / "seed.yaml"
    with AwsemuHost(env={"KMS_SEED_PATH": str(missing), "SERVICES": "kms,sts"}) as host:
        log = host.log
        assert f"could not read the seed file {missing}" in log and "No such file or directory" in log, log
        assert "CocoaError" not in log and "_code" not in log, log
