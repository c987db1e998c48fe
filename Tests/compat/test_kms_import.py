"""Imported key material, wrapped by Python `cryptography` as a user does it."""

import base64
import hashlib
import hmac
import os
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kms_helpers import advance_clock, aws_error, host_now, import_material, wrap


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
                                       "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"])
def test_import_symmetric_material(kms, algorithm):
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    answer = import_material(kms, key["KeyId"], material, algorithm, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert answer["KeyId"] == key["Arn"]
    assert answer["KeyMaterialId"] == hashlib.sha256(material).hexdigest()
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "Enabled" and meta["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"imported")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"


def test_reimport_delete_and_expiry(endpoint, client):
    kms = client("kms", aws_access_key_id="888899990000")
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    import_material(kms, key["KeyId"], material)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"survives re-import")["CiphertextBlob"]
    code, _, _ = aws_error(import_material, kms, key["KeyId"], os.urandom(32))
    assert code == "IncorrectKeyMaterialException"
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    valid_to = int(host_now(endpoint)) + 3 * 86400
    import_material(kms, key["KeyId"], material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["ExpirationModel"] == "KEY_MATERIAL_EXPIRES" and int(meta["ValidTo"].timestamp()) == valid_to
    row, = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert (row["ImportState"], row["ExpirationModel"], int(row["ValidTo"].timestamp())) \
        == ("IMPORTED", "KEY_MATERIAL_EXPIRES", valid_to)  # as DescribeKey says
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"survives re-import"
    advance_clock(endpoint, 4 * 86400)
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport" and "ExpirationModel" not in meta and "ValidTo" not in meta
    row, = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert (row["KeyMaterialId"], row["ImportState"]) == (hashlib.sha256(material).hexdigest(), "PENDING_IMPORT")


def test_deleting_one_material_of_a_rotated_imported_key(kms):
    """DeleteImportedKeyMaterial deletes the material named, or the current one, not the key's others: the deleted
    one stays listed as PENDING_IMPORT, and once it is imported again every ciphertext of the key decrypts."""
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    first, second = os.urandom(32), os.urandom(32)
    first_id, second_id = hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()
    import_material(kms, key["KeyId"], first)
    old_blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"under the first")["CiphertextBlob"]
    import_material(kms, key["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    new_blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"under the second")["CiphertextBlob"]

    def listed():
        rows = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        return [(r["KeyMaterialId"], r["ImportState"], r["KeyMaterialState"]) for r in rows]

    # Imported again as EXISTING_KEY_MATERIAL, material pending rotation stays pending.
    third = os.urandom(32)
    import_material(kms, key["KeyId"], third, ImportType="NEW_KEY_MATERIAL")
    import_material(kms, key["KeyId"], third)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == second_id
    kms.delete_imported_key_material(KeyId=key["KeyId"], KeyMaterialId=hashlib.sha256(third).hexdigest())
    deleted = kms.delete_imported_key_material(KeyId=key["KeyId"])  # the current one: the second
    assert deleted["KeyMaterialId"] == second_id
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    assert listed() == [(first_id, "IMPORTED", "NON_CURRENT"), (second_id, "PENDING_IMPORT", "CURRENT")]
    rotation, = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert (rotation["KeyMaterialId"], rotation["RotationType"]) == (second_id, "ON_DEMAND")
    assert aws_error(kms.delete_imported_key_material, KeyId=key["KeyId"], KeyMaterialId="0" * 64)[0] \
        == "NotFoundException"
    kms.delete_imported_key_material(KeyId=key["KeyId"], KeyMaterialId=first_id)
    assert listed() == [(first_id, "PENDING_IMPORT", "NON_CURRENT"), (second_id, "PENDING_IMPORT", "CURRENT")]
    import_material(kms, key["KeyId"], second)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"  # the first is missing
    # Cancelled deletion gives a Disabled key, and enabling it waits for the missing material.
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    import_material(kms, key["KeyId"], first)
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", second_id)
    assert listed() == [(first_id, "IMPORTED", "NON_CURRENT"), (second_id, "IMPORTED", "CURRENT")]
    assert kms.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"under the first"
    assert kms.decrypt(CiphertextBlob=new_blob)["Plaintext"] == b"under the second"
    assert kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"])["KeyMaterialId"] \
        == second_id


def test_pkcs1_wrapping_is_refused_as_kms_refuses_it_since_2023(kms):
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    code, message, _ = aws_error(kms.get_parameters_for_import, KeyId=key["KeyId"], WrappingAlgorithm="RSAES_PKCS1_V1_5",
                                 WrappingKeySpec="RSA_2048")
    assert (code, message) == ("ValidationException", "As of October 10, 2023, KMS does not support the "
                                                      "RSAES_PKCS1_V1_5 wrapping algorithm.")


def test_import_errors(kms):
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    params = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    good = wrap(params["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256")
    assert aws_error(kms.import_key_material, KeyId=key["KeyId"], ImportToken=b"forged",
                     EncryptedKeyMaterial=good)[0] == "InvalidImportTokenException"
    assert aws_error(kms.import_key_material, KeyId=key["KeyId"], ImportToken=params["ImportToken"],
                     EncryptedKeyMaterial=os.urandom(256), ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")[0] \
        == "InvalidCiphertextException"
    # ExpirationModel defaults to KEY_MATERIAL_EXPIRES, so naming neither it nor ValidTo is refused too (as AWS
    # answered a recorded import without them).
    for model in ({"ExpirationModel": "KEY_MATERIAL_EXPIRES"}, {}):
        code, message, _ = aws_error(kms.import_key_material, KeyId=key["KeyId"], ImportToken=params["ImportToken"],
                                     EncryptedKeyMaterial=good, **model)
        assert (code, message) == ("ValidationException",
                                   "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    short = wrap(params["PublicKey"], os.urandom(16), "RSAES_OAEP_SHA_256")
    assert aws_error(kms.import_key_material, KeyId=key["KeyId"], ImportToken=params["ImportToken"],
                     EncryptedKeyMaterial=short, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")[0] \
        == "IncorrectKeyMaterialException"
    native = kms.create_key()["KeyMetadata"]
    code, message, _ = aws_error(kms.get_parameters_for_import, KeyId=native["KeyId"],
                                 WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    assert (code, message) == ("UnsupportedOperationException",
                               f"{native['Arn']} origin is AWS_KMS which is not valid for this operation.")


def test_expired_import_token(endpoint, client):
    kms = client("kms", aws_access_key_id="999900001111")
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    params = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    advance_clock(endpoint, 24 * 3600 + 1)
    assert aws_error(kms.import_key_material, KeyId=key["KeyId"], ImportToken=params["ImportToken"],
                     EncryptedKeyMaterial=wrap(params["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256"))[0] \
        == "ExpiredImportTokenException"


def test_import_hmac_and_asymmetric_material(kms):
    hmac_key = kms.create_key(Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    secret = os.urandom(32)
    import_material(kms, hmac_key["KeyId"], secret)
    mac = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(secret, b"m", hashlib.sha256).digest()

    ecc_key = kms.create_key(Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    private = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    import_material(kms, ecc_key["KeyId"], pkcs8, algorithm="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_4096")
    signature = kms.sign(KeyId=ecc_key["KeyId"], Message=b"imported ecc", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    private.public_key().verify(signature, b"imported ecc", ec.ECDSA(hashes.SHA256()))


def test_on_demand_rotation_of_imported_material(kms):
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    first, second = os.urandom(32), os.urandom(32)
    import_material(kms, key["KeyId"], first)
    old_blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"first material")["CiphertextBlob"]
    assert aws_error(kms.rotate_key_on_demand, KeyId=key["KeyId"])[0] == "KMSInvalidStateException"
    assert aws_error(import_material, kms, key["KeyId"], first, ImportType="NEW_KEY_MATERIAL")[0] \
        == "IncorrectKeyMaterialException"
    answer = import_material(kms, key["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    assert answer["KeyMaterialId"] == hashlib.sha256(second).hexdigest()
    rows = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [(r["KeyMaterialId"], r["KeyMaterialState"]) for r in rows] == [
        (hashlib.sha256(first).hexdigest(), "CURRENT"), (hashlib.sha256(second).hexdigest(), "PENDING_ROTATION")]
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [(r["KeyMaterialId"], r["RotationType"], r["KeyMaterialState"]) for r in rotations] == [
        (hashlib.sha256(second).hexdigest(), "ON_DEMAND", "CURRENT")]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == hashlib.sha256(second).hexdigest()
    assert kms.decrypt(CiphertextBlob=old_blob)["Plaintext"] == b"first material"
    new_blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"second material")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=new_blob)["KeyMaterialId"] == hashlib.sha256(second).hexdigest()


def test_deleting_material_pending_rotation(kms):
    """Material waiting for rotation is not yet part of the key: deleting it leaves the key Enabled with its
    current material, and the same bytes may come back only as new material."""
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    first, second = os.urandom(32), os.urandom(32)
    import_material(kms, key["KeyId"], first)
    import_material(kms, key["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    answer = kms.delete_imported_key_material(KeyId=key["KeyId"], KeyMaterialId=hashlib.sha256(second).hexdigest())
    assert answer["KeyMaterialId"] == hashlib.sha256(second).hexdigest()
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", hashlib.sha256(first).hexdigest())
    rows = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [r["KeyMaterialId"] for r in rows] == [hashlib.sha256(first).hexdigest()]
    assert aws_error(kms.rotate_key_on_demand, KeyId=key["KeyId"])[0] == "KMSInvalidStateException"
    assert aws_error(import_material, kms, key["KeyId"], second)[0] == "IncorrectKeyMaterialException"
    import_material(kms, key["KeyId"], second, ImportType="NEW_KEY_MATERIAL")
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] \
        == hashlib.sha256(second).hexdigest()


def test_custom_material_of_an_imported_key_can_be_imported_again(kms):
    """An EXTERNAL key given its material by the _custom_key_material_ tag has the material id an import of those
    bytes gives, so after DeleteImportedKeyMaterial the same bytes (and only they) bring it back."""
    material = os.urandom(32)
    key = kms.create_key(Origin="EXTERNAL", Tags=[{"TagKey": "_custom_key_material_",
                                                   "TagValue": base64.b64encode(material).decode()}])["KeyMetadata"]
    assert key["KeyState"] == "Enabled"
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"custom")["CiphertextBlob"]
    assert kms.delete_imported_key_material(KeyId=key["KeyId"])["KeyMaterialId"] == hashlib.sha256(material).hexdigest()
    assert aws_error(import_material, kms, key["KeyId"], os.urandom(32))[0] == "IncorrectKeyMaterialException"
    import_material(kms, key["KeyId"], material)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"custom"


def test_each_material_has_its_own_expiration_and_description(endpoint, client):
    """ExpirationModel, ValidTo and KeyMaterialDescription belong to each imported material: the first expiring
    puts the key back to PendingImport while the second stays; the descriptions stay listed even for deleted
    material; ValidTo may be at most 365 days ahead; pending material that expires just goes."""
    kms = client("kms", aws_access_key_id="565656565656")
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    first, second, third = os.urandom(32), os.urandom(32), os.urandom(32)
    now = host_now(endpoint)
    assert aws_error(import_material, kms, key["KeyId"], first, ValidTo=now + 366 * 86400,
                     ExpirationModel="KEY_MATERIAL_EXPIRES")[0] == "ValidationException"
    import_material(kms, key["KeyId"], first, ValidTo=now + 2 * 86400, ExpirationModel="KEY_MATERIAL_EXPIRES",
                    KeyMaterialDescription="first material")
    import_material(kms, key["KeyId"], second, ImportType="NEW_KEY_MATERIAL", KeyMaterialDescription="second one")
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    # DescribeKey's ValidTo is the earliest of the key's permanent materials, here the first's.
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["ExpirationModel"] == "KEY_MATERIAL_EXPIRES" and abs(meta["ValidTo"].timestamp() - (now + 2 * 86400)) < 1
    import_material(kms, key["KeyId"], third, ImportType="NEW_KEY_MATERIAL", ValidTo=now + 86400,
                    ExpirationModel="KEY_MATERIAL_EXPIRES")

    def listed():
        rows = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        return [(r["KeyMaterialId"], r["ImportState"], r.get("ExpirationModel"), r.get("KeyMaterialDescription"))
                for r in rows]

    first_id, second_id, third_id = (hashlib.sha256(m).hexdigest() for m in (first, second, third))
    assert listed() == [(first_id, "IMPORTED", "KEY_MATERIAL_EXPIRES", "first material"),
                        (second_id, "IMPORTED", "KEY_MATERIAL_DOES_NOT_EXPIRE", "second one"),
                        (third_id, "IMPORTED", "KEY_MATERIAL_EXPIRES", None)]
    advance_clock(endpoint, 3 * 86400)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    assert listed() == [(first_id, "PENDING_IMPORT", None, "first material"),
                        (second_id, "IMPORTED", "KEY_MATERIAL_DOES_NOT_EXPIRE", "second one")]
    import_material(kms, key["KeyId"], first)
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["CurrentKeyMaterialId"]) == ("Enabled", second_id)
    assert meta["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE" and "ValidTo" not in meta
    assert listed()[0] == (first_id, "IMPORTED", "KEY_MATERIAL_DOES_NOT_EXPIRE", "first material")


def test_deleted_on_demand_material_still_counts_toward_the_rotation_limit(client):
    """25 on-demand rotations per key: deleting a rotated imported material gives none back."""
    kms = client("kms", aws_access_key_id="575757575757")
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    import_material(kms, key["KeyId"], os.urandom(32))
    rotated = []
    for _ in range(25):
        material = os.urandom(32)
        import_material(kms, key["KeyId"], material, ImportType="NEW_KEY_MATERIAL")
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
        rotated.append(material)
    kms.delete_imported_key_material(KeyId=key["KeyId"], KeyMaterialId=hashlib.sha256(rotated[0]).hexdigest())
    import_material(kms, key["KeyId"], rotated[0])
    import_material(kms, key["KeyId"], os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    assert aws_error(kms.rotate_key_on_demand, KeyId=key["KeyId"])[0] == "LimitExceededException"


def test_reimporting_imported_material_changes_its_expiration(endpoint, client):
    """ImportKeyMaterial "can also ... set or update the expiration model and expiration date of the imported key
    material": the same bytes imported again while still imported replace ExpirationModel and ValidTo, and keep
    the description when none is given; the key stays Enabled throughout and its ciphertext stays readable."""
    kms = client("kms", aws_access_key_id="585858585858")
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    now = host_now(endpoint)
    import_material(kms, key["KeyId"], material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=now + 86400,
                    KeyMaterialDescription="first import")
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"kept")["CiphertextBlob"]

    def expiration():
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        row, = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        valid_to = meta.get("ValidTo")
        assert (row.get("ExpirationModel"), row.get("ValidTo")) == (meta["ExpirationModel"], valid_to)
        return meta["KeyState"], meta["ExpirationModel"], valid_to and int(valid_to.timestamp()), \
            row.get("KeyMaterialDescription")

    assert expiration() == ("Enabled", "KEY_MATERIAL_EXPIRES", int(now) + 86400, "first import")
    import_material(kms, key["KeyId"], material, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert expiration() == ("Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", None, "first import")
    advance_clock(endpoint, 2 * 86400)  # past the first ValidTo, which no longer applies
    assert expiration() == ("Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", None, "first import")
    later = int(host_now(endpoint)) + 3 * 86400
    import_material(kms, key["KeyId"], material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=later,
                    KeyMaterialDescription="second import")
    assert expiration() == ("Enabled", "KEY_MATERIAL_EXPIRES", later, "second import")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
    advance_clock(endpoint, 4 * 86400)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"


def test_material_that_expires_while_the_key_is_pending_deletion(endpoint, client):
    """Expiry deletes the material but, as DeleteImportedKeyMaterial, leaves a key pending deletion in that state and
    its deletion date; CancelKeyDeletion then gives Disabled (as always), EnableKey finds no material and leaves the
    key PendingImport, and importing the same bytes makes it usable again."""
    kms = client("kms", aws_access_key_id="595959595959")
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    import_material(kms, key["KeyId"], material, ExpirationModel="KEY_MATERIAL_EXPIRES",
                    ValidTo=int(host_now(endpoint)) + 86400)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"before")["CiphertextBlob"]
    deletion_date = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)["DeletionDate"]
    advance_clock(endpoint, 2 * 86400)
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["DeletionDate"]) == ("PendingDeletion", deletion_date)
    assert "ExpirationModel" not in meta
    row, = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert row["ImportState"] == "PENDING_IMPORT"
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    import_material(kms, key["KeyId"], material)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"


# Made by the host of df83ab0 (before the Encrypt path built the blob and its additional data differently): key
# 0b1ab0b5-…, material bytes 0..31 imported, Encrypt of b"format pinned" under {"a": "bc", "purpose": "vector"}.
PINNED_BLOB = ("ATAwMDAwMDAwMDAwMCQwYjFhYjBiNS1mMGUxLTRhMTEtOGVlZC1iYTVlNjRlYzcwNzVjDc0pZsQzZpESVEi7sltP9BKknHMtssirwbh"
               "YG9cQ3fjzoWnCkxuDAFtVXPctzAp3n34K2WryRZrB0T4SBYdxegN36udtl3wS")


def test_a_blob_made_by_an_earlier_host_still_decrypts(kms):
    """The ciphertext format is fixed: a blob another build made decrypts, and a new one starts with the same
    header (format, account, key id, material id). Imported material has a fixed KeyMaterialId (its SHA-256), so
    the same key can be made again here."""
    key_id = "0b1ab0b5-f0e1-4a11-8eed-ba5e64ec7075"
    context = {"a": "bc", "purpose": "vector"}
    try:
        kms.describe_key(KeyId=key_id)
    except kms.exceptions.NotFoundException:
        kms.create_key(Origin="EXTERNAL", Tags=[{"TagKey": "_custom_id_", "TagValue": key_id}])
        import_material(kms, key_id, bytes(range(32)))
    pinned = base64.b64decode(PINNED_BLOB)
    assert kms.decrypt(CiphertextBlob=pinned, EncryptionContext=context)["Plaintext"] == b"format pinned"
    assert aws_error(kms.decrypt, CiphertextBlob=pinned, EncryptionContext={"a": "b", "cpurpose": "vector"})[0] \
        == "InvalidCiphertextException"
    fresh = kms.encrypt(KeyId=key_id, Plaintext=b"format pinned", EncryptionContext=context)["CiphertextBlob"]
    header = 1 + 12 + 1 + len(key_id) + 32
    assert fresh[:header] == pinned[:header] and len(fresh) == len(pinned)
