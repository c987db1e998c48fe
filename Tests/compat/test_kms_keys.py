"""KMS key lifecycle through boto3: CreateKey for every spec, DescribeKey, ListKeys, enable/disable, deletion."""

import json
import re

import pytest

from kms_helpers import advance_clock, aws_error, unvalidated

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Every key spec with a usage AWS accepts for it; ML_DSA_44 and ML_KEM_512 have no implementation on this host.
SPECS = [
    ("SYMMETRIC_DEFAULT", None), ("RSA_2048", "ENCRYPT_DECRYPT"), ("RSA_3072", "SIGN_VERIFY"),
    ("RSA_4096", "SIGN_VERIFY"), ("ECC_NIST_P256", "SIGN_VERIFY"), ("ECC_NIST_P384", "KEY_AGREEMENT"),
    ("ECC_NIST_P521", "SIGN_VERIFY"), ("ECC_SECG_P256K1", "SIGN_VERIFY"), ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
    ("HMAC_224", "GENERATE_VERIFY_MAC"), ("HMAC_256", "GENERATE_VERIFY_MAC"), ("HMAC_384", "GENERATE_VERIFY_MAC"),
    ("HMAC_512", "GENERATE_VERIFY_MAC"), ("SM2", "SIGN_VERIFY"), ("ML_DSA_65", "SIGN_VERIFY"),
    ("ML_DSA_87", "SIGN_VERIFY"), ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"), ("ML_KEM_1024", "ENCAPSULATE_DECAPSULATE"),
]


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


def test_create_symmetric_key_defaults(kms):
    meta = kms.create_key(Description="demo")["KeyMetadata"]
    assert UUID.match(meta["KeyId"])
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:000000000000:key/{meta['KeyId']}"
    assert meta["AWSAccountId"] == "000000000000"
    assert meta["KeySpec"] == meta["CustomerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert meta["KeyState"] == "Enabled" and meta["Enabled"] is True
    assert meta["Origin"] == "AWS_KMS" and meta["KeyManager"] == "CUSTOMER"
    assert meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert re.match(r"^[0-9a-f]{64}$", meta["CurrentKeyMaterialId"])
    assert meta["MultiRegion"] is False
    assert meta["Description"] == "demo"


@pytest.mark.parametrize("spec,usage", SPECS)
def test_create_key_every_spec(kms, client, spec, usage):
    if spec == "SM2":  # China Regions only
        kms = client("kms", region_name="cn-north-1")
    args = {"KeySpec": spec}
    if usage:
        args["KeyUsage"] = usage
    meta = kms.create_key(**args)["KeyMetadata"]
    assert meta["KeySpec"] == spec
    assert meta["KeyUsage"] == (usage or "ENCRYPT_DECRYPT")
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["KeySpec"] == spec
    if spec.startswith("HMAC"):
        assert described["MacAlgorithms"] == ["HMAC_SHA_" + spec.split("_")[1]]
    if usage == "SIGN_VERIFY":
        assert described["SigningAlgorithms"]
    if usage == "KEY_AGREEMENT":
        assert described["KeyAgreementAlgorithms"] == ["ECDH"]


def test_sm2_only_in_the_china_regions(kms, client):
    for usage in ("SIGN_VERIFY", "ENCRYPT_DECRYPT", "KEY_AGREEMENT"):
        code, message, status = aws_error(kms.create_key, KeySpec="SM2", KeyUsage=usage)
        assert (code, message, status) == ("UnsupportedOperationException", "KeySpec SM2 is not supported in this Region", 400)
    for region in ("cn-north-1", "cn-northwest-1"):
        meta = client("kms", region_name=region).create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        assert meta["Arn"].startswith(f"arn:aws-cn:kms:{region}:")


@pytest.mark.parametrize("spec,usage", [("ML_DSA_44", "SIGN_VERIFY"), ("ML_KEM_512", "ENCAPSULATE_DECAPSULATE")])
def test_specs_without_a_library_are_refused_not_faked(kms, spec, usage):
    code, message, _ = aws_error(kms.create_key, KeySpec=spec, KeyUsage=usage)
    assert code == "UnsupportedOperationException"
    assert spec in message


def test_invalid_usage_pairs(kms):
    code, message, _ = aws_error(kms.create_key, KeySpec="RSA_2048", KeyUsage="KEY_AGREEMENT")
    assert (code, message) == ("ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048")
    code, message, _ = aws_error(kms.create_key, KeySpec="ECC_SECG_P256K1", KeyUsage="KEY_AGREEMENT")
    assert code == "ValidationException"
    code, message, _ = aws_error(kms.create_key, KeySpec="RSA_2048")
    assert message == "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
    code, message, _ = aws_error(kms.create_key, KeySpec="SYMMETRIC_DEFAULT", CustomerMasterKeySpec="SYMMETRIC_DEFAULT")
    assert code == "ValidationException" and "CustomerMasterKeySpec is deprecated" in message


def test_enum_validation_wording(kms):
    code, message, status = aws_error(kms.create_key, KeySpec="AES_512")
    assert status == 400 and code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: "
                              "Member must satisfy enum value set: [")


def test_external_origin_is_pending_import(kms):
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport" and meta["Enabled"] is False
    assert meta["Origin"] == "EXTERNAL"
    # No material, so no expiration: AWS leaves ExpirationModel out (the Terraform provider's acceptance tests
    # against AWS read it as empty for a new EXTERNAL key).
    assert "ExpirationModel" not in meta and "ValidTo" not in meta
    code, message, _ = aws_error(kms.encrypt, KeyId=meta["KeyId"], Plaintext=b"x")
    assert (code, message) == ("KMSInvalidStateException", f"{meta['Arn']} is pending import.")


def test_multi_region_key_id(kms):
    meta = kms.create_key(MultiRegion=True)["KeyMetadata"]
    assert re.match(r"^mrk-[0-9a-f]{32}$", meta["KeyId"])
    assert meta["MultiRegion"] is True
    assert meta["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"


def test_not_found_messages(kms):
    code, message, _ = aws_error(kms.describe_key, KeyId="fake-key-id")
    assert (code, message) == ("NotFoundException", "Invalid keyId 'fake-key-id'")
    missing = "11111111-2222-3333-4444-555555555555"
    code, message, _ = aws_error(kms.describe_key, KeyId=missing)
    assert message == f"Key 'arn:aws:kms:us-east-1:000000000000:key/{missing}' does not exist"
    code, message, _ = aws_error(kms.describe_key, KeyId=f"arn:aws:kms:us-west-2:000000000000:key/{missing}")
    assert message == "Invalid arn us-west-2"
    code, message, _ = aws_error(kms.describe_key, KeyId="alias/nothing-here")
    assert message == "Alias arn:aws:kms:us-east-1:000000000000:alias/nothing-here is not found."


def test_describe_by_every_identifier(kms):
    meta = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/by-every-id", TargetKeyId=meta["KeyId"])
    for ident in (meta["KeyId"], meta["Arn"], "alias/by-every-id",
                  "arn:aws:kms:us-east-1:000000000000:alias/by-every-id"):
        assert kms.describe_key(KeyId=ident)["KeyMetadata"]["Arn"] == meta["Arn"]


def test_accounts_and_regions_are_separate(client):
    other_account = client("kms", aws_access_key_id="111122223333")
    other_region = client("kms", region_name="eu-west-1")
    meta = other_account.create_key()["KeyMetadata"]
    assert meta["AWSAccountId"] == "111122223333"
    key_ids = [k["KeyId"] for k in client("kms").list_keys()["Keys"]]
    assert meta["KeyId"] not in key_ids
    eu = other_region.create_key()["KeyMetadata"]
    assert eu["Arn"].startswith("arn:aws:kms:eu-west-1:")


def test_list_keys_pagination(client):
    kms = client("kms", aws_access_key_id="222233334444")
    created = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5)]
    page = kms.list_keys(Limit=2)
    assert page["Truncated"] is True and len(page["Keys"]) == 2
    seen = [k["KeyId"] for k in page["Keys"]]
    while page["Truncated"]:
        page = kms.list_keys(Limit=2, Marker=page["NextMarker"])
        seen += [k["KeyId"] for k in page["Keys"]]
    assert seen == created
    kms = unvalidated(client, aws_access_key_id="222233334444")
    code, _, _ = aws_error(kms.list_keys, Marker="not-a-marker")
    assert code == "InvalidMarkerException"
    code, message, _ = aws_error(kms.list_keys, Limit=1001)
    assert "Member must have value less than or equal to 1000" in message


def test_enable_disable_and_states(kms):
    meta = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=meta["KeyId"])
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    code, message, _ = aws_error(kms.encrypt, KeyId=meta["KeyId"], Plaintext=b"x")
    assert (code, message) == ("DisabledException", f"{meta['Arn']} is disabled.")
    kms.enable_key(KeyId=meta["Arn"])
    assert kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"x")["KeyId"] == meta["Arn"]
    kms.update_key_description(KeyId=meta["KeyId"], Description="changed")
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["Description"] == "changed"


def test_schedule_and_cancel_deletion(client):
    kms = unvalidated(client)
    meta = kms.create_key()["KeyMetadata"]
    code, message, _ = aws_error(kms.schedule_key_deletion, KeyId=meta["KeyId"], PendingWindowInDays=6)
    assert code == "ValidationException" and "greater than or equal to 7" in message
    code, message, _ = aws_error(kms.schedule_key_deletion, KeyId=meta["KeyId"], PendingWindowInDays=31)
    assert "less than or equal to 30" in message
    answer = kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    assert answer["KeyId"] == meta["Arn"] and answer["KeyState"] == "PendingDeletion"
    assert answer["PendingWindowInDays"] == 7
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described["KeyState"] == "PendingDeletion" and described["Enabled"] is False
    assert described["PendingDeletionWindowInDays"] == 7 and "DeletionDate" in described
    code, message, _ = aws_error(kms.encrypt, KeyId=meta["KeyId"], Plaintext=b"x")
    assert (code, message) == ("KMSInvalidStateException", f"{meta['Arn']} is pending deletion.")
    for call in (kms.enable_key, kms.disable_key):
        assert aws_error(call, KeyId=meta["KeyId"])[0] == "KMSInvalidStateException"
    assert kms.cancel_key_deletion(KeyId=meta["KeyId"])["KeyId"] == meta["Arn"]
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    code, message, _ = aws_error(kms.cancel_key_deletion, KeyId=meta["KeyId"])
    assert (code, message) == ("KMSInvalidStateException", f"{meta['Arn']} is not pending deletion")


def test_deletion_window_really_deletes_key_and_aliases(endpoint, client):
    kms = client("kms", aws_access_key_id="333344445555")
    meta = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=meta["KeyId"])
    kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    advance_clock(endpoint, 6 * 86400)
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    advance_clock(endpoint, 86400 + 60)
    code, _, _ = aws_error(kms.describe_key, KeyId=meta["KeyId"])
    assert code == "NotFoundException"
    names = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    assert "alias/doomed" not in names


def test_custom_id_and_material_tags(kms):
    material = bytes(range(32))
    import base64
    meta = kms.create_key(Tags=[{"TagKey": "_custom_id_", "TagValue": "my-fixed-key"},
                                {"TagKey": "_custom_key_material_", "TagValue": base64.b64encode(material).decode()},
                                {"TagKey": "team", "TagValue": "a"}])["KeyMetadata"]
    assert meta["KeyId"] == "my-fixed-key"
    tags = kms.list_resource_tags(KeyId="my-fixed-key")["Tags"]
    assert tags == [{"TagKey": "team", "TagValue": "a"}]
    blob = kms.encrypt(KeyId="my-fixed-key", Plaintext=b"pinned")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"pinned"
    code, _, _ = aws_error(kms.create_key, Tags=[{"TagKey": "_custom_id_", "TagValue": "my-fixed-key"}])
    assert code == "AlreadyExistsException"


def test_malformed_json_is_serialization_error(endpoint):
    from awsemu_host import json_call
    response = json_call(endpoint, "TrentService.CreateKey", b"{not json", service="kms")
    assert response.status == 400
    assert response.json()["__type"] == "SerializationException"
    response = json_call(endpoint, "TrentService.GenerateRandom", b'{"NumberOfBytes": "ten"}', service="kms")
    assert response.status == 400 and response.json()["__type"] == "SerializationException"


def test_management_operations_refuse_another_accounts_key(client):
    """Operations documented "Cross-account use: No" refuse a key ARN from another account even when its policy
    allows that account everything; the cross-account operations work."""
    owner, other = client("kms", aws_access_key_id="515151515151"), client("kms", aws_access_key_id="525252525252")
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "both", "Effect": "Allow", "Action": "kms:*",
              "Resource": "*", "Principal": {"AWS": ["arn:aws:iam::515151515151:root", "arn:aws:iam::525252525252:root"]}}]}
    key = owner.create_key(Policy=json.dumps(policy))["KeyMetadata"]
    arn = key["Arn"]
    blob = other.encrypt(KeyId=arn, Plaintext=b"across")["CiphertextBlob"]
    assert other.decrypt(CiphertextBlob=blob)["Plaintext"] == b"across"
    assert other.describe_key(KeyId=arn)["KeyMetadata"]["KeyId"] == key["KeyId"]
    other.get_key_rotation_status(KeyId=arn)
    for call, args in ((other.put_key_policy, {"PolicyName": "default", "Policy": json.dumps(policy)}),
                       (other.get_key_policy, {}), (other.tag_resource, {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
                       (other.list_resource_tags, {}), (other.disable_key, {}), (other.enable_key_rotation, {}),
                       (other.update_key_description, {"Description": "taken"}),
                       (other.schedule_key_deletion, {"PendingWindowInDays": 7}), (other.list_key_rotations, {})):
        code, message, status = aws_error(call, KeyId=arn, **args)
        assert (code, status) == ("AccessDeniedException", 400) and message.startswith(
            "User: arn:aws:iam::525252525252:root is not authorized to perform: kms:"), call
    # These two answer as for a key that does not exist, so another account learns nothing about it.
    for call in (other.get_key_last_usage, other.list_aliases):
        code, message, _ = aws_error(call, KeyId=arn)
        assert (code, message) == ("NotFoundException", f"Key '{arn}' does not exist"), call
    meta = owner.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["Description"]) == ("Enabled", "")
