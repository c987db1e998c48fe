"""Key policies and grants enforced through the real host, with fixed identities from a principals file
(EMU_PRINCIPALS): the case table in policy_cases.py, and grant and DryRun flows with two identities."""

import json
import pytest

import policy_cases as cases
from awsemu_host import AwsemuHost, make_client, request
from kms_helpers import aws_error

PERMISSIVE = json.dumps(cases.policy(cases.statement(principal="*")))


def principals():
    """Every principal the table uses, each with an access key of its own."""
    names = {cases.ROOT, cases.ALICE, cases.BOB, cases.ADMIN_ROLE, cases.PATH_ROLE, cases.ADMIN_SESSION,
             cases.DEPLOYER_SESSION, cases.OTHER_USER, cases.OTHER_ROOT}
    for group in (cases.EVALUATION_CASES,):
        for case in group:
            names.add(case["request"]["principal"])
    for case in cases.LOCKOUT_CASES:
        names.add(case["caller"])
    names = sorted(n for n in names if n.startswith("arn:"))
    return {name: "AKIAPOLICY%010d" % index for index, name in enumerate(names)}


@pytest.fixture(scope="module")
def policy_host(tmp_path_factory):
    keys = principals()
    path = tmp_path_factory.mktemp("principals") / "principals.json"
    path.write_text(json.dumps({key: {"arn": arn, "secretAccessKey": "secret"} for arn, key in keys.items()}))
    with AwsemuHost(env={"EMU_PRINCIPALS": str(path), "SERVICES": "kms,sts"}) as host:
        yield host, keys


def as_principal(host, keys, arn):
    return make_client(host.url, "kms", aws_access_key_id=keys[arn])


def key_with_policy(host, keys, key_arn, policy_text):
    """Creates the key the case names (its exact id, through `_custom_id_`) in the key's account."""
    account = key_arn.split(":")[4]
    owner = make_client(host.url, "kms", aws_access_key_id=account)
    key_id = key_arn.rsplit("/", 1)[1]
    # Each case starts from an empty emulator; the principals file's identities survive a reset.
    assert request(host.url, "POST", "/_emu/state/reset").status == 200
    owner.create_key(Tags=[{"TagKey": "_custom_id_", "TagValue": key_id}], Policy=PERMISSIVE,
                     BypassPolicyLockoutSafetyCheck=True)
    blob = owner.encrypt(KeyId=key_arn, Plaintext=b"policy case", EncryptionContext={})["CiphertextBlob"]
    owner.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy_text, BypassPolicyLockoutSafetyCheck=True)
    return blob


def drivable(case):
    """Cases whose condition keys a real Encrypt, Decrypt or DescribeKey request can carry."""
    request = case["request"]
    if request["action"] not in ("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"):
        return False
    if not request["principal"].startswith("arn:"):
        return False
    context = request.get("context", {})
    for name, value in context.items():
        if name.startswith("kms:EncryptionContext:") or name == "kms:EncryptionContextKeys":
            continue
        if name == "kms:EncryptionAlgorithm" and value in ("SYMMETRIC_DEFAULT", ["SYMMETRIC_DEFAULT"]):
            continue
        return False
    pairs = {n.split(":", 2)[2] for n in context if n.startswith("kms:EncryptionContext:")}
    listed = context.get("kms:EncryptionContextKeys")
    if listed is not None:
        listed = set(listed if isinstance(listed, list) else [listed])
        if pairs and listed != pairs:
            return False
    return True


def encryption_context(case):
    context = case["request"].get("context", {})
    pairs = {}
    for name, value in context.items():
        if name.startswith("kms:EncryptionContext:"):
            pairs[name.split(":", 2)[2]] = value[0] if isinstance(value, list) else value
    for name in context.get("kms:EncryptionContextKeys", []) if isinstance(
            context.get("kms:EncryptionContextKeys"), list) else [context.get("kms:EncryptionContextKeys")] \
            if "kms:EncryptionContextKeys" in context else []:
        pairs.setdefault(name, "v")
    return pairs


DRIVABLE = [case for case in cases.EVALUATION_CASES if drivable(case)]


def test_the_table_is_mostly_drivable():
    assert len(DRIVABLE) >= 60, len(DRIVABLE)


@pytest.mark.parametrize("case", DRIVABLE, ids=[c["name"] for c in DRIVABLE])
def test_evaluation_case_through_the_host(policy_host, case):
    host, keys = policy_host
    request = case["request"]
    key_arn = request["resource"]
    blob = key_with_policy(host, keys, key_arn, json.dumps(case["policy"]))
    kms = as_principal(host, keys, request["principal"])
    context = encryption_context(case)
    algorithm = {}
    if "kms:EncryptionAlgorithm" in request.get("context", {}):
        algorithm = {"EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    if request["action"] == "kms:Encrypt":
        call = lambda: kms.encrypt(KeyId=key_arn, Plaintext=b"x", EncryptionContext=context, **algorithm)
    elif request["action"] == "kms:Decrypt":
        if context:
            owner = make_client(host.url, "kms", aws_access_key_id=key_arn.split(":")[4])
            owner.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=PERMISSIVE,
                                 BypassPolicyLockoutSafetyCheck=True)
            blob = owner.encrypt(KeyId=key_arn, Plaintext=b"policy case", EncryptionContext=context)["CiphertextBlob"]
            owner.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=json.dumps(case["policy"]),
                                 BypassPolicyLockoutSafetyCheck=True)
        call = lambda: kms.decrypt(CiphertextBlob=blob, KeyId=key_arn, EncryptionContext=context, **algorithm)
    else:
        call = lambda: kms.describe_key(KeyId=key_arn)
    if case["expected"] == "allow":
        call()
    else:
        code, message, _ = aws_error(call)
        assert code == "AccessDeniedException"
        action = request["action"]
        assert message.startswith(f"User: {request['principal']} is not authorized to perform: {action}")


@pytest.mark.parametrize("case", cases.VALIDATION_CASES, ids=[c["name"] for c in cases.VALIDATION_CASES])
def test_validation_case_through_the_host(policy_host, case):
    host, _ = policy_host
    kms = make_client(host.url, "kms", aws_access_key_id=cases.ACCOUNT)
    text = case.get("policy_text") or json.dumps(case["policy"])
    if case["error"] is None:
        kms.create_key(Policy=text, BypassPolicyLockoutSafetyCheck=True)
    else:
        code, message, _ = aws_error(kms.create_key, Policy=text, BypassPolicyLockoutSafetyCheck=True)
        assert code == case["error"]
        if case.get("message"):
            assert message == case["message"]


@pytest.mark.parametrize("case", cases.LOCKOUT_CASES, ids=[c["name"] for c in cases.LOCKOUT_CASES])
def test_lockout_case_through_the_host(policy_host, case):
    host, keys = policy_host
    owner = make_client(host.url, "kms", aws_access_key_id=case["account"])
    key = owner.create_key(Policy=PERMISSIVE, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    caller = as_principal(host, keys, case["caller"]) if case["caller"] in keys else owner
    text = json.dumps(case["policy"])
    if case["allowed"]:
        caller.put_key_policy(KeyId=key["Arn"], PolicyName="default", Policy=text)
    else:
        code, message, _ = aws_error(caller.put_key_policy, KeyId=key["Arn"], PolicyName="default", Policy=text)
        assert (code, message) == ("MalformedPolicyDocumentException",
                                   "The new key policy will not allow you to update the key policy in the future.")
    caller.put_key_policy(KeyId=key["Arn"], PolicyName="default", Policy=text, BypassPolicyLockoutSafetyCheck=True)


def key_only_admin_may_use(policy_host):
    """A key whose policy lets only the admin role in, and clients for the admin, Alice and Bob: whatever Alice and
    Bob may do with it comes from grants."""
    host, keys = policy_host
    owner = make_client(host.url, "kms", aws_access_key_id=cases.ACCOUNT)
    only_admin = json.dumps(cases.policy(cases.statement(principal={"AWS": cases.ADMIN_ROLE})))
    key = owner.create_key(Policy=only_admin, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    return key, *(as_principal(host, keys, arn) for arn in (cases.ADMIN_ROLE, cases.ALICE, cases.BOB))


def test_grants_with_two_identities(policy_host):
    key, admin, alice, bob = key_only_admin_may_use(policy_host)
    assert aws_error(alice.encrypt, KeyId=key["Arn"], Plaintext=b"x")[0] == "AccessDeniedException"
    grant = admin.create_grant(KeyId=key["Arn"], GranteePrincipal=cases.ALICE, Operations=["Encrypt", "Decrypt"],
                               RetiringPrincipal=cases.BOB,
                               Constraints={"EncryptionContextSubset": {"Tenant": "blue"}})
    blob = alice.encrypt(KeyId=key["Arn"], Plaintext=b"granted", EncryptionContext={"tenant": "blue", "extra": "1"},
                         GrantTokens=[grant["GrantToken"]])["CiphertextBlob"]
    assert aws_error(alice.encrypt, KeyId=key["Arn"], Plaintext=b"x", EncryptionContext={"tenant": "BLUE"})[0] \
        == "AccessDeniedException"  # keys compare case-insensitively, values case-sensitively
    assert alice.decrypt(CiphertextBlob=blob, EncryptionContext={"tenant": "blue", "extra": "1"})["Plaintext"] == b"granted"
    assert aws_error(bob.encrypt, KeyId=key["Arn"], Plaintext=b"x", EncryptionContext={"tenant": "blue"})[0] \
        == "AccessDeniedException"
    assert aws_error(alice.sign, KeyId=key["Arn"], Message=b"x", SigningAlgorithm="ECDSA_SHA_256")[0] \
        == "AccessDeniedException"
    bob.retire_grant(GrantToken=grant["GrantToken"])
    assert aws_error(alice.encrypt, KeyId=key["Arn"], Plaintext=b"x", EncryptionContext={"tenant": "blue"})[0] \
        == "AccessDeniedException"
    again = admin.create_grant(KeyId=key["Arn"], GranteePrincipal=cases.ALICE, Operations=["Encrypt"])
    alice.encrypt(KeyId=key["Arn"], Plaintext=b"x")
    admin.revoke_grant(KeyId=key["Arn"], GrantId=again["GrantId"])
    assert aws_error(alice.encrypt, KeyId=key["Arn"], Plaintext=b"x")[0] == "AccessDeniedException"
    assert aws_error(alice.retire_grant, KeyId=key["Arn"], GrantId=grant["GrantId"])[0] in (
        "AccessDeniedException", "InvalidGrantIdException")


def test_grant_constraints_follow_the_operation_and_bind_child_grants(policy_host):
    """A constraint is checked against the context the operation uses (ReEncryptFrom the source context,
    ReEncryptTo the destination one) and not at all for DescribeKey and RetireGrant; grants made through a grant's
    CreateGrant permission may allow only its operations, under a constraint as strict as its own or stricter."""
    key, admin, alice, bob = key_only_admin_may_use(policy_host)
    it = {"Dept": "IT"}
    blob = admin.encrypt(KeyId=key["Arn"], Plaintext=b"moved", EncryptionContext=it)["CiphertextBlob"]
    for constraint in ({"EncryptionContextSubset": it}, {"EncryptionContextEquals": it}):
        grant = admin.create_grant(KeyId=key["Arn"], GranteePrincipal=cases.ALICE, Constraints=constraint,
                                   Operations=["ReEncryptFrom", "ReEncryptTo", "DescribeKey", "CreateGrant"])
        moved = alice.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=it, DestinationKeyId=key["Arn"],
                                 DestinationEncryptionContext=it)
        assert admin.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext=it)["Plaintext"] == b"moved"
        code, message, _ = aws_error(alice.re_encrypt, CiphertextBlob=blob, SourceEncryptionContext=it,
                                     DestinationKeyId=key["Arn"], DestinationEncryptionContext={"Dept": "HR"})
        assert code == "AccessDeniedException" and "kms:ReEncryptTo" in message
        code, message, _ = aws_error(alice.re_encrypt, CiphertextBlob=blob, SourceEncryptionContext={"Dept": "HR"},
                                     DestinationKeyId=key["Arn"], DestinationEncryptionContext=it)
        assert code == "AccessDeniedException" and "kms:ReEncryptFrom" in message
        assert alice.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyId"] == key["KeyId"]
        # Child grants: the same constraint, or (under Subset) a stricter one; never a looser one or more operations.
        alice.create_grant(KeyId=key["Arn"], GranteePrincipal=cases.BOB, Operations=["ReEncryptFrom"],
                           Constraints=constraint)
        if "EncryptionContextSubset" in constraint:
            alice.create_grant(KeyId=key["Arn"], GranteePrincipal=cases.BOB, Operations=["ReEncryptTo"],
                               Constraints={"EncryptionContextEquals": {"dept": "IT", "Site": "Paris"}})
        else:
            assert aws_error(alice.create_grant, KeyId=key["Arn"], GranteePrincipal=cases.BOB,
                             Operations=["ReEncryptTo"],
                             Constraints={"EncryptionContextEquals": {"Dept": "IT", "Site": "Paris"}})[0] \
                == "AccessDeniedException"
        for looser in ({}, {"Constraints": {"EncryptionContextSubset": {"Site": "Paris"}}}):
            assert aws_error(alice.create_grant, KeyId=key["Arn"], GranteePrincipal=cases.BOB,
                             Operations=["ReEncryptFrom"], **looser)[0] == "AccessDeniedException"
        assert aws_error(alice.create_grant, KeyId=key["Arn"], GranteePrincipal=cases.BOB, Operations=["Decrypt"],
                         Constraints=constraint)[0] == "AccessDeniedException"
        admin.revoke_grant(KeyId=key["Arn"], GrantId=grant["GrantId"])
    # An unconstrained parent limits its children's operations too; a constraint applies to data key pairs.
    parent = admin.create_grant(KeyId=key["Arn"], GranteePrincipal=cases.ALICE,
                                Operations=["CreateGrant", "GenerateDataKeyPair"])
    assert aws_error(alice.create_grant, KeyId=key["Arn"], GranteePrincipal=cases.BOB, Operations=["Decrypt"])[0] \
        == "AccessDeniedException"
    alice.create_grant(KeyId=key["Arn"], GranteePrincipal=cases.BOB, Operations=["GenerateDataKeyPair"],
                       Constraints={"EncryptionContextEquals": it})
    assert bob.generate_data_key_pair(KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256", EncryptionContext=it)["KeyId"] \
        == key["Arn"]
    assert aws_error(bob.generate_data_key_pair, KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256")[0] \
        == "AccessDeniedException"
    admin.revoke_grant(KeyId=key["Arn"], GrantId=parent["GrantId"])
    assert aws_error(bob.describe_key, KeyId=key["Arn"])[0] == "AccessDeniedException"


def test_grant_operations_must_suit_the_key_and_constraints_a_symmetric_key(policy_host):
    """CreateGrant refuses operations the key cannot do (ValidationError, as its documentation says) and encryption
    context constraints on keys whose operations take no context, or beyond 8 pairs and 384 characters."""
    host, keys = policy_host
    owner = make_client(host.url, "kms", aws_access_key_id=cases.ACCOUNT)
    created = {spec: owner.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["Arn"] for spec, usage in (
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("RSA_2048", "ENCRYPT_DECRYPT"), ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"), ("ECC_NIST_P384", "KEY_AGREEMENT"))}
    allowed = {"SYMMETRIC_DEFAULT": ["GenerateDataKey", "GenerateDataKeyPair", "ReEncryptTo"],
               "RSA_2048": ["Encrypt", "Decrypt", "GetPublicKey"], "ECC_NIST_P256": ["Sign", "Verify"],
               "HMAC_256": ["GenerateMac", "VerifyMac"], "ECC_NIST_P384": ["DeriveSharedSecret", "GetPublicKey"]}
    refused = {"SYMMETRIC_DEFAULT": "Sign", "RSA_2048": "GenerateDataKey", "ECC_NIST_P256": "Encrypt",
               "HMAC_256": "GetPublicKey", "ECC_NIST_P384": "Sign"}
    for spec, arn in created.items():
        owner.create_grant(KeyId=arn, GranteePrincipal=cases.ALICE, Operations=allowed[spec] + ["DescribeKey"])
        code, message, _ = aws_error(owner.create_grant, KeyId=arn, GranteePrincipal=cases.ALICE,
                                     Operations=["DescribeKey", refused[spec]])
        assert (code, message.startswith(f"Operations [{refused[spec]}] are not supported")) == ("ValidationError", True)
    code, _, _ = aws_error(owner.create_grant, KeyId=created["RSA_2048"], GranteePrincipal=cases.ALICE,
                           Operations=["Encrypt"], Constraints={"EncryptionContextSubset": {"a": "b"}})
    assert code == "ValidationException"
    symmetric = created["SYMMETRIC_DEFAULT"]
    owner.create_grant(KeyId=symmetric, GranteePrincipal=cases.ALICE, Operations=["Decrypt", "RetireGrant"],
                       Constraints={"EncryptionContextEquals": {f"k{i}": "v" * 384 for i in range(8)}})
    for pairs in ({f"k{i}": "v" for i in range(9)}, {"k": "v" * 385}):
        code, _, _ = aws_error(owner.create_grant, KeyId=symmetric, GranteePrincipal=cases.ALICE,
                               Operations=["Decrypt"], Constraints={"EncryptionContextSubset": pairs})
        assert code == "ValidationException", pairs


def test_explicit_deny_wins_and_dry_run_checks_permissions_first(policy_host):
    host, keys = policy_host
    owner = make_client(host.url, "kms", aws_access_key_id=cases.ACCOUNT)
    document = cases.policy(cases.statement(principal={"AWS": cases.ROOT}),
                            cases.statement(effect="Deny", principal={"AWS": cases.BOB}, action="kms:Decrypt"))
    key = owner.create_key(Policy=json.dumps(document))["KeyMetadata"]
    bob = as_principal(host, keys, cases.BOB)
    blob = bob.encrypt(KeyId=key["Arn"], Plaintext=b"x")["CiphertextBlob"]
    code, message, _ = aws_error(bob.decrypt, CiphertextBlob=blob)
    assert code == "AccessDeniedException" and message.endswith("with an explicit deny in a resource-based policy")
    assert aws_error(bob.decrypt, CiphertextBlob=blob, DryRun=True)[0] == "AccessDeniedException"
    alice = as_principal(host, keys, cases.ALICE)
    assert aws_error(alice.decrypt, CiphertextBlob=blob, DryRun=True)[0] == "DryRunOperationException"
    assert aws_error(alice.decrypt, CiphertextBlob=b"garbage", KeyId=key["Arn"], DryRun=True,
                     DryRunModifiers=["IGNORE_CIPHERTEXT"])[0] == "DryRunOperationException"
    assert aws_error(bob.decrypt, CiphertextBlob=b"garbage", KeyId=key["Arn"], DryRun=True,
                     DryRunModifiers=["IGNORE_CIPHERTEXT"])[0] == "AccessDeniedException"


def test_cross_account_use_by_arn(policy_host):
    host, keys = policy_host
    owner = make_client(host.url, "kms", aws_access_key_id=cases.ACCOUNT)
    mallory = as_principal(host, keys, cases.OTHER_USER)
    private = owner.create_key()["KeyMetadata"]
    assert aws_error(mallory.encrypt, KeyId=private["Arn"], Plaintext=b"x")[0] == "AccessDeniedException"
    shared_policy = cases.policy(cases.statement(principal={"AWS": cases.ROOT}),
                                 cases.statement(principal={"AWS": cases.OTHER_ROOT}, action=["kms:Encrypt", "kms:Decrypt"]))
    shared = owner.create_key(Policy=json.dumps(shared_policy))["KeyMetadata"]
    blob = mallory.encrypt(KeyId=shared["Arn"], Plaintext=b"across")["CiphertextBlob"]
    assert mallory.decrypt(CiphertextBlob=blob)["Plaintext"] == b"across"
    assert aws_error(mallory.describe_key, KeyId=shared["Arn"])[0] == "AccessDeniedException"


def test_enforcement_can_be_turned_off(tmp_path):
    with AwsemuHost(env={"ENFORCE_POLICIES": "0", "SERVICES": "kms"}) as host:
        kms = make_client(host.url, "kms")
        deny_all = cases.policy(cases.statement(effect="Deny", principal="*"),
                                cases.statement(principal={"AWS": "arn:aws:iam::000000000000:root"}))
        key = kms.create_key(Policy=json.dumps(deny_all), BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
