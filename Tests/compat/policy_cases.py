"""Key-policy cases for issue #5: grammar checks, allow/deny decisions and the lockout safety check.

Plain data, so that any driver can use it:

* ``VALIDATION_CASES``: a policy (``policy`` as a dict, or ``policy_text`` as raw text) and the error code
  CreateKey/PutKeyPolicy must answer with (``None`` when the policy is accepted). Drive them with
  ``BypassPolicyLockoutSafetyCheck=True`` so that only the grammar is tested.
* ``EVALUATION_CASES``: a policy, one request (caller principal and account, action, key ARN and condition
  keys) and the decision: ``"allow"``, ``"explicitDeny"`` or ``"implicitDeny"``. Through the real host, an
  allow is a successful call and both denies are ``AccessDeniedException``; a case's ``context`` lists the
  condition keys the request must carry (e.g. ``kms:EncryptionContext:*`` through Encrypt's
  ``EncryptionContext``). The evaluator itself derives ``aws:PrincipalArn``, ``aws:PrincipalAccount`` and
  ``kms:CallerAccount`` from the caller, so cases leave those out unless they override them.
* ``LOCKOUT_CASES``: a new policy, the caller, and whether the policy lets that caller call
  ``kms:PutKeyPolicy`` afterwards (``False`` means CreateKey/PutKeyPolicy without the bypass flag answer
  ``MalformedPolicyDocumentException``: "The new key policy will not allow you to update the key policy in
  the future.").

Rows marked ``"emulator": True`` test a choice the emulator makes where AWS's behaviour cannot be
reproduced without IAM (an account principal lets every principal of the account in, because the emulator
has no IAM policies to delegate to) or is not documented; the rest follow AWS's documented IAM logic.
"""

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "us-east-1"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OTHER_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321"

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/Alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/Bob"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"
PATH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/Deployer"
ADMIN_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice-session"
DEPLOYER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/ci"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
OTHER_USER = f"arn:aws:iam::{OTHER_ACCOUNT}:user/Mallory"


def statement(effect="Allow", principal=None, action="kms:*", resource="*", condition=None, **extra):
    """One statement; ``principal`` defaults to the account root, ``extra`` adds NotAction and the like."""
    body = {"Effect": effect}
    if "NotPrincipal" not in extra:
        body["Principal"] = principal if principal is not None else {"AWS": ROOT}
    if "NotAction" not in extra:
        body["Action"] = action
    if "NotResource" not in extra:
        body["Resource"] = resource
    if condition is not None:
        body["Condition"] = condition
    body.update(extra)
    return body


def policy(*statements, version="2012-10-17"):
    return {"Version": version, "Statement": list(statements)}


def request(principal=ALICE, account=ACCOUNT, action="kms:Encrypt", resource=KEY_ARN, context=None):
    return {"principal": principal, "account": account, "action": action, "resource": resource,
            "context": context or {}}


def case(name, pol, req, expected, **flags):
    row = {"name": name, "policy": pol, "request": req, "expected": expected}
    row.update(flags)
    return row


DEFAULT_POLICY = {
    "Version": "2012-10-17",
    "Id": "key-default-1",
    "Statement": [{
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "kms:*",
        "Resource": "*",
    }],
}

# The policy of an AWS managed key (alias/aws/s3), as KeyPolicyDefaults.awsManaged writes it.
AWS_MANAGED_S3 = policy(
    statement(principal={"AWS": "*"},
              action=["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant",
                      "kms:DescribeKey"],
              condition={"StringEquals": {"kms:CallerAccount": ACCOUNT,
                                          "kms:ViaService": f"s3.{REGION}.amazonaws.com"}}),
    statement(action=["kms:Describe*", "kms:Get*", "kms:List*"]),
)


def allow_alice_when(condition, action="kms:*"):
    """Allow Alice everything, under a condition: the common shape for operator tests."""
    return policy(statement(principal={"AWS": ALICE}, action=action, condition=condition))


EVALUATION_CASES = [
    # --- principal forms -------------------------------------------------------------------------------------
    case("default policy: the account root itself", DEFAULT_POLICY, request(principal=ROOT), "allow"),
    case("default policy: an IAM user of the account (root delegates to IAM)", DEFAULT_POLICY,
         request(principal=ALICE), "allow", emulator=True),
    case("default policy: an assumed-role session of the account", DEFAULT_POLICY,
         request(principal=ADMIN_SESSION), "allow", emulator=True),
    case("default policy: a principal of another account", DEFAULT_POLICY,
         request(principal=OTHER_USER, account=OTHER_ACCOUNT), "implicitDeny"),
    case("account given as a bare 12-digit id", policy(statement(principal={"AWS": ACCOUNT})),
         request(principal=BOB), "allow", emulator=True),
    case("cross-account root grants the other account", policy(statement(principal={"AWS": OTHER_ROOT})),
         request(principal=OTHER_USER, account=OTHER_ACCOUNT), "allow", emulator=True),
    case('Principal "*" matches another account', policy(statement(principal="*")),
         request(principal=OTHER_USER, account=OTHER_ACCOUNT), "allow"),
    case('{"AWS": "*"} matches anyone', policy(statement(principal={"AWS": "*"})),
         request(principal=BOB), "allow"),
    case("IAM user ARN matches that user", policy(statement(principal={"AWS": ALICE})),
         request(principal=ALICE), "allow"),
    case("IAM user ARN does not match another user", policy(statement(principal={"AWS": ALICE})),
         request(principal=BOB), "implicitDeny"),
    case("IAM user ARN does not match the account root", policy(statement(principal={"AWS": ALICE})),
         request(principal=ROOT), "implicitDeny"),
    case("list of principals: any entry matches", policy(statement(principal={"AWS": [ALICE, BOB]})),
         request(principal=BOB), "allow"),
    case("role ARN matches a session of that role", policy(statement(principal={"AWS": ADMIN_ROLE})),
         request(principal=ADMIN_SESSION), "allow"),
    case("role ARN with a path matches a session of that role", policy(statement(principal={"AWS": PATH_ROLE})),
         request(principal=DEPLOYER_SESSION), "allow"),
    case("role ARN does not match a session of another role", policy(statement(principal={"AWS": ADMIN_ROLE})),
         request(principal=DEPLOYER_SESSION), "implicitDeny"),
    case("session ARN matches exactly that session", policy(statement(principal={"AWS": ADMIN_SESSION})),
         request(principal=ADMIN_SESSION), "allow"),
    case("session ARN does not match another session of the role",
         policy(statement(principal={"AWS": ADMIN_SESSION})),
         request(principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/other"), "implicitDeny"),
    case("role ARN does not match a same-named role in another account",
         policy(statement(principal={"AWS": ADMIN_ROLE})),
         request(principal=f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/Admin/s", account=OTHER_ACCOUNT),
         "implicitDeny"),
    case("service principal matches that service acting for itself",
         policy(statement(principal={"Service": "cloudtrail.amazonaws.com"}, action="kms:GenerateDataKey*")),
         request(principal="cloudtrail.amazonaws.com", action="kms:GenerateDataKey"), "allow", emulator=True),
    case("service principal does not match an IAM user",
         policy(statement(principal={"Service": "cloudtrail.amazonaws.com"})), request(principal=ALICE),
         "implicitDeny"),
    case("NotPrincipal with Deny: the listed user is exempt",
         policy(statement(principal={"AWS": "*"}),
                statement(effect="Deny", NotPrincipal={"AWS": [ALICE, ROOT]}, action="kms:Decrypt")),
         request(principal=ALICE, action="kms:Decrypt"), "allow"),
    case("NotPrincipal with Deny: everyone else is denied",
         policy(statement(principal={"AWS": "*"}),
                statement(effect="Deny", NotPrincipal={"AWS": [ALICE]}, action="kms:Decrypt")),
         request(principal=BOB, action="kms:Decrypt"), "explicitDeny"),

    # --- actions ---------------------------------------------------------------------------------------------
    case("kms:Describe* matches kms:DescribeKey", allow_alice_when(None, action="kms:Describe*"),
         request(action="kms:DescribeKey"), "allow"),
    case("kms:Describe* does not match kms:Decrypt", allow_alice_when(None, action="kms:Describe*"),
         request(action="kms:Decrypt"), "implicitDeny"),
    case("kms:GenerateDataKey* matches GenerateDataKeyPairWithoutPlaintext",
         allow_alice_when(None, action="kms:GenerateDataKey*"),
         request(action="kms:GenerateDataKeyPairWithoutPlaintext"), "allow"),
    case("action names compare without case", allow_alice_when(None, action="KMS:encrypt"),
         request(action="kms:Encrypt"), "allow"),
    case("? matches exactly one character", allow_alice_when(None, action="kms:?ncrypt"),
         request(action="kms:Encrypt"), "allow"),
    case("? does not match two characters", allow_alice_when(None, action="kms:?crypt"),
         request(action="kms:Decrypt"), "implicitDeny"),
    case('Action "*" matches any action', allow_alice_when(None, action="*"),
         request(action="kms:ScheduleKeyDeletion"), "allow"),
    case("list of actions", allow_alice_when(None, action=["kms:Encrypt", "kms:Decrypt"]),
         request(action="kms:Decrypt"), "allow"),
    case("NotAction allows what is not listed",
         policy(statement(principal={"AWS": ALICE}, NotAction=["kms:ScheduleKeyDeletion", "kms:Disable*"])),
         request(action="kms:Encrypt"), "allow"),
    case("NotAction does not allow what is listed",
         policy(statement(principal={"AWS": ALICE}, NotAction=["kms:ScheduleKeyDeletion", "kms:Disable*"])),
         request(action="kms:DisableKey"), "implicitDeny"),
    case("Deny with NotAction denies everything else",
         policy(statement(principal={"AWS": ALICE}),
                statement(effect="Deny", principal={"AWS": ALICE}, NotAction="kms:Describe*")),
         request(action="kms:Encrypt"), "explicitDeny"),

    # --- resources -------------------------------------------------------------------------------------------
    case("Resource as this key's ARN", policy(statement(principal={"AWS": ALICE}, resource=KEY_ARN)),
         request(), "allow"),
    case("Resource naming another key does not apply", policy(statement(principal={"AWS": ALICE},
                                                                        resource=OTHER_KEY_ARN)),
         request(), "implicitDeny"),
    case("Resource ARN with wildcards", policy(statement(principal={"AWS": ALICE},
                                                         resource=f"arn:aws:kms:*:{ACCOUNT}:key/*")),
         request(), "allow"),

    # --- explicit deny precedence ----------------------------------------------------------------------------
    case("explicit deny beats an allow",
         policy(statement(principal={"AWS": ALICE}), statement(effect="Deny", principal="*", action="kms:Decrypt")),
         request(action="kms:Decrypt"), "explicitDeny"),
    case("a deny for another action leaves the allow",
         policy(statement(principal={"AWS": ALICE}), statement(effect="Deny", principal="*", action="kms:Decrypt")),
         request(action="kms:Encrypt"), "allow"),
    case("deny alone (nothing allowed) is still an explicit deny",
         policy(statement(effect="Deny", principal={"AWS": ALICE}, action="kms:*")),
         request(), "explicitDeny"),
    case("no statement applies: implicit deny", policy(statement(principal={"AWS": BOB})), request(),
         "implicitDeny"),
    case("a deny whose condition fails does not apply",
         policy(statement(principal={"AWS": ALICE}),
                statement(effect="Deny", principal="*",
                          condition={"Bool": {"aws:SecureTransport": "false"}})),
         request(context={"aws:SecureTransport": ["true"]}), "allow"),

    # --- string operators ------------------------------------------------------------------------------------
    case("StringEquals matches", allow_alice_when({"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}),
         request(context={"kms:EncryptionAlgorithm": ["SYMMETRIC_DEFAULT"]}), "allow"),
    case("StringEquals is case-sensitive",
         allow_alice_when({"StringEquals": {"kms:EncryptionAlgorithm": "symmetric_default"}}),
         request(context={"kms:EncryptionAlgorithm": ["SYMMETRIC_DEFAULT"]}), "implicitDeny"),
    case("StringEquals on an absent key fails",
         allow_alice_when({"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}),
         request(), "implicitDeny"),
    case("StringEquals: several values are OR-ed",
         allow_alice_when({"StringEquals": {"kms:EncryptionAlgorithm": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]}}),
         request(context={"kms:EncryptionAlgorithm": ["RSAES_OAEP_SHA_256"]}), "allow"),
    case("StringEquals on kms:CallerAccount (derived from the caller)",
         allow_alice_when({"StringEquals": {"kms:CallerAccount": ACCOUNT}}), request(), "allow"),
    case("StringNotEquals: a different value holds",
         allow_alice_when({"StringNotEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_1"}}),
         request(context={"kms:EncryptionAlgorithm": ["SYMMETRIC_DEFAULT"]}), "allow"),
    case("StringNotEquals: values are NOR-ed",
         allow_alice_when({"StringNotEquals": {"kms:EncryptionAlgorithm": ["RSAES_OAEP_SHA_1", "SYMMETRIC_DEFAULT"]}}),
         request(context={"kms:EncryptionAlgorithm": ["SYMMETRIC_DEFAULT"]}), "implicitDeny"),
    case("StringNotEquals on an absent key holds (IAM: negated operators match a missing key)",
         policy(statement(principal={"AWS": ALICE}),
                statement(effect="Deny", principal="*", condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}})),
         request(), "explicitDeny"),
    case("StringEqualsIgnoreCase",
         allow_alice_when({"StringEqualsIgnoreCase": {"kms:ViaService": "S3.US-EAST-1.AMAZONAWS.COM"}}),
         request(context={"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}), "allow"),
    case("StringNotEqualsIgnoreCase: same value in other case fails",
         allow_alice_when({"StringNotEqualsIgnoreCase": {"kms:ViaService": "S3.US-EAST-1.AMAZONAWS.COM"}}),
         request(context={"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}), "implicitDeny"),
    case("StringLike with *", allow_alice_when({"StringLike": {"kms:ViaService": "*.us-east-1.amazonaws.com"}}),
         request(context={"kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com"]}), "allow"),
    case("StringLike with ?", allow_alice_when({"StringLike": {"kms:ViaService": "s?.us-east-1.amazonaws.com"}}),
         request(context={"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}), "allow"),
    case("StringLike is case-sensitive", allow_alice_when({"StringLike": {"kms:ViaService": "S3.*"}}),
         request(context={"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}), "implicitDeny"),
    case("StringNotLike: a non-matching value holds",
         allow_alice_when({"StringNotLike": {"kms:ViaService": "ec2.*"}}),
         request(context={"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}), "allow"),
    case("StringNotLike: a matching value fails", allow_alice_when({"StringNotLike": {"kms:ViaService": "s3.*"}}),
         request(context={"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}), "implicitDeny"),

    # --- encryption context keys -----------------------------------------------------------------------------
    case("kms:EncryptionContext:<key> matches the context value",
         allow_alice_when({"StringEquals": {"kms:EncryptionContext:Department": "IT"}}),
         request(context={"kms:EncryptionContext:Department": ["IT"]}), "allow"),
    case("kms:EncryptionContext:<key>: the context key compares without case",
         allow_alice_when({"StringEquals": {"kms:EncryptionContext:department": "IT"}}),
         request(context={"kms:EncryptionContext:Department": ["IT"]}), "allow"),
    case("kms:EncryptionContext:<key>: the value is case-sensitive",
         allow_alice_when({"StringEquals": {"kms:EncryptionContext:Department": "it"}}),
         request(context={"kms:EncryptionContext:Department": ["IT"]}), "implicitDeny"),
    case("condition key names compare without case",
         allow_alice_when({"StringEquals": {"KMS:ENCRYPTIONALGORITHM": "SYMMETRIC_DEFAULT"}}),
         request(context={"kms:EncryptionAlgorithm": ["SYMMETRIC_DEFAULT"]}), "allow"),

    # --- ARN operators ---------------------------------------------------------------------------------------
    case("ArnEquals on aws:PrincipalArn",
         policy(statement(principal={"AWS": "*"}, condition={"ArnEquals": {"aws:PrincipalArn": ALICE}})),
         request(principal=ALICE), "allow"),
    case("ArnLike with a wildcard resource part",
         policy(statement(principal={"AWS": "*"},
                          condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}})),
         request(principal=ADMIN_ROLE), "allow"),
    case("ArnLike: * does not span the colon-separated parts",
         policy(statement(principal={"AWS": "*"},
                          condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}})),
         request(principal=ADMIN_ROLE), "implicitDeny"),
    case("aws:PrincipalArn of an assumed-role session is the role ARN",
         policy(statement(principal={"AWS": "*"}, condition={"ArnEquals": {"aws:PrincipalArn": ADMIN_ROLE}})),
         request(principal=ADMIN_SESSION), "allow"),
    case("ArnNotEquals: another ARN holds",
         policy(statement(principal={"AWS": "*"}, condition={"ArnNotEquals": {"aws:PrincipalArn": BOB}})),
         request(principal=ALICE), "allow"),
    case("ArnNotLike: a matching ARN fails",
         policy(statement(principal={"AWS": "*"},
                          condition={"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/*"}})),
         request(principal=ALICE), "implicitDeny"),

    # --- numeric operators -----------------------------------------------------------------------------------
    case("NumericEquals", allow_alice_when({"NumericEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": 30}},
                                           action="kms:ScheduleKeyDeletion"),
         request(action="kms:ScheduleKeyDeletion", context={"kms:ScheduleKeyDeletionPendingWindowInDays": ["30"]}),
         "allow"),
    case("NumericNotEquals",
         allow_alice_when({"NumericNotEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}},
                          action="kms:ScheduleKeyDeletion"),
         request(action="kms:ScheduleKeyDeletion", context={"kms:ScheduleKeyDeletionPendingWindowInDays": ["30"]}),
         "implicitDeny"),
    case("NumericLessThan (7 < 30)",
         allow_alice_when({"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}}),
         request(context={"kms:ScheduleKeyDeletionPendingWindowInDays": ["7"]}), "allow"),
    case("NumericLessThanEquals at the boundary",
         allow_alice_when({"NumericLessThanEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": "30"}}),
         request(context={"kms:ScheduleKeyDeletionPendingWindowInDays": ["30"]}), "allow"),
    case("NumericGreaterThan fails at the boundary",
         allow_alice_when({"NumericGreaterThan": {"kms:RotationPeriodInDays": "365"}}),
         request(context={"kms:RotationPeriodInDays": ["365"]}), "implicitDeny"),
    case("NumericGreaterThanEquals",
         allow_alice_when({"NumericGreaterThanEquals": {"kms:RotationPeriodInDays": "365"}}),
         request(context={"kms:RotationPeriodInDays": ["400"]}), "allow"),
    case("Deny when the deletion window is too short",
         policy(statement(principal={"AWS": ALICE}),
                statement(effect="Deny", principal="*", action="kms:ScheduleKeyDeletion",
                          condition={"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "14"}})),
         request(action="kms:ScheduleKeyDeletion", context={"kms:ScheduleKeyDeletionPendingWindowInDays": ["7"]}),
         "explicitDeny"),

    # --- date operators --------------------------------------------------------------------------------------
    case("DateLessThan with ISO 8601",
         allow_alice_when({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}),
         request(context={"aws:CurrentTime": ["2026-11-29T12:00:00Z"]}), "allow"),
    case("DateGreaterThan with ISO 8601 fails before the date",
         allow_alice_when({"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}),
         request(context={"aws:CurrentTime": ["2026-11-29T12:00:00Z"]}), "implicitDeny"),
    case("DateEquals: epoch seconds against ISO 8601",
         allow_alice_when({"DateEquals": {"aws:CurrentTime": "1767225600"}}),
         request(context={"aws:CurrentTime": ["2026-01-01T00:00:00Z"]}), "allow"),
    case("DateNotEquals", allow_alice_when({"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}),
         request(context={"aws:CurrentTime": ["2026-01-02T00:00:00Z"]}), "allow"),
    case("DateLessThanEquals with a time-zone offset",
         allow_alice_when({"DateLessThanEquals": {"aws:CurrentTime": "2026-01-01T02:00:00+02:00"}}),
         request(context={"aws:CurrentTime": ["2026-01-01T00:00:00Z"]}), "allow"),
    case("DateGreaterThanEquals on kms:ValidTo",
         allow_alice_when({"DateGreaterThanEquals": {"kms:ValidTo": "2027-01-01T00:00:00Z"}},
                          action="kms:ImportKeyMaterial"),
         request(action="kms:ImportKeyMaterial", context={"kms:ValidTo": ["1798761600"]}), "allow"),

    # --- Bool, IP, Null --------------------------------------------------------------------------------------
    case("Bool with a JSON boolean", allow_alice_when({"Bool": {"kms:GrantIsForAWSResource": True}},
                                                      action="kms:CreateGrant"),
         request(action="kms:CreateGrant", context={"kms:GrantIsForAWSResource": ["true"]}), "allow"),
    case("Bool false vs true", allow_alice_when({"Bool": {"kms:ReEncryptOnSameKey": "false"}}),
         request(action="kms:ReEncryptFrom", context={"kms:ReEncryptOnSameKey": ["true"]}), "implicitDeny"),
    case("IpAddress in a CIDR block", allow_alice_when({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
         request(context={"aws:SourceIp": ["10.1.2.3"]}), "allow"),
    case("NotIpAddress outside a CIDR block", allow_alice_when({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
         request(context={"aws:SourceIp": ["192.168.1.1"]}), "allow"),
    case("IpAddress with IPv6", allow_alice_when({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}),
         request(context={"aws:SourceIp": ["2001:db8:1::5"]}), "allow"),
    case("Null true: the key must be absent", allow_alice_when({"Null": {"kms:EncryptionContextKeys": "true"}}),
         request(), "allow"),
    case("Null true fails when the key is present",
         allow_alice_when({"Null": {"kms:EncryptionContextKeys": "true"}}),
         request(context={"kms:EncryptionContextKeys": ["Department"]}), "implicitDeny"),
    case("Null false: the key must be present", allow_alice_when({"Null": {"kms:EncryptionContextKeys": "false"}}),
         request(context={"kms:EncryptionContextKeys": ["Department"]}), "allow"),
    case("Null false fails when the key is absent",
         allow_alice_when({"Null": {"kms:EncryptionContextKeys": "false"}}), request(), "implicitDeny"),

    # --- IfExists --------------------------------------------------------------------------------------------
    case("StringEqualsIfExists: an absent key holds",
         allow_alice_when({"StringEqualsIfExists": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}),
         request(), "allow"),
    case("StringEqualsIfExists: a present key must match",
         allow_alice_when({"StringEqualsIfExists": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}}),
         request(context={"kms:EncryptionAlgorithm": ["RSAES_OAEP_SHA_256"]}), "implicitDeny"),
    case("ArnLikeIfExists: an absent key holds",
         allow_alice_when({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:s3:::bucket"}}), request(), "allow"),
    case("NumericLessThanIfExists: a present key must match",
         allow_alice_when({"NumericLessThanIfExists": {"kms:RotationPeriodInDays": "100"}}),
         request(context={"kms:RotationPeriodInDays": ["365"]}), "implicitDeny"),

    # --- set operators ---------------------------------------------------------------------------------------
    case("ForAnyValue:StringEquals: one value in the set",
         allow_alice_when({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["Department", "Project"]}}),
         request(context={"kms:EncryptionContextKeys": ["Project", "Owner"]}), "allow"),
    case("ForAnyValue:StringEquals: no value in the set",
         allow_alice_when({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["Department"]}}),
         request(context={"kms:EncryptionContextKeys": ["Project", "Owner"]}), "implicitDeny"),
    case("ForAnyValue over an absent key fails",
         allow_alice_when({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["Department"]}}),
         request(), "implicitDeny"),
    case("ForAllValues:StringEquals: every value in the set",
         allow_alice_when({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["Department", "Project"]}}),
         request(context={"kms:EncryptionContextKeys": ["Project", "Department"]}), "allow"),
    case("ForAllValues:StringEquals: one value outside the set",
         allow_alice_when({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["Department", "Project"]}}),
         request(context={"kms:EncryptionContextKeys": ["Project", "Owner"]}), "implicitDeny"),
    case("ForAllValues over an absent key holds",
         allow_alice_when({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["Department"]}}),
         request(), "allow"),
    case("ForAllValues:StringLike on aws:TagKeys",
         allow_alice_when({"ForAllValues:StringLike": {"aws:TagKeys": ["Project*", "Cost*"]}},
                          action="kms:TagResource"),
         request(action="kms:TagResource", context={"aws:TagKeys": ["ProjectName", "CostCenter"]}), "allow"),
    case("ForAnyValue:StringLike on kms:GrantOperations",
         allow_alice_when({"ForAnyValue:StringLike": {"kms:GrantOperations": "Generate*"}}, action="kms:CreateGrant"),
         request(action="kms:CreateGrant", context={"kms:GrantOperations": ["Decrypt", "GenerateDataKey"]}),
         "allow"),
    case("Deny with ForAllValues:StringNotLike over an absent key applies",
         policy(statement(principal={"AWS": ALICE}),
                statement(effect="Deny", principal="*", action="kms:TagResource",
                          condition={"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}})),
         request(action="kms:TagResource"), "explicitDeny"),
    case("ForAllValues:StringEqualsIfExists with a matching value",
         allow_alice_when({"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["a", "b"]}}),
         request(context={"aws:TagKeys": ["a"]}), "allow"),

    # --- combining conditions --------------------------------------------------------------------------------
    case("keys within one operator are AND-ed: both match",
         allow_alice_when({"StringEquals": {"kms:EncryptionContext:Department": "IT",
                                            "kms:EncryptionContext:Project": "Alpha"}}),
         request(context={"kms:EncryptionContext:Department": ["IT"], "kms:EncryptionContext:Project": ["Alpha"]}),
         "allow"),
    case("keys within one operator are AND-ed: one fails",
         allow_alice_when({"StringEquals": {"kms:EncryptionContext:Department": "IT",
                                            "kms:EncryptionContext:Project": "Alpha"}}),
         request(context={"kms:EncryptionContext:Department": ["IT"], "kms:EncryptionContext:Project": ["Beta"]}),
         "implicitDeny"),
    case("operators are AND-ed",
         allow_alice_when({"StringEquals": {"kms:EncryptionContext:Department": "IT"},
                           "Bool": {"aws:SecureTransport": "true"}}),
         request(context={"kms:EncryptionContext:Department": ["IT"], "aws:SecureTransport": ["false"]}),
         "implicitDeny"),

    # --- policy variables ------------------------------------------------------------------------------------
    case("policy variable in a condition value",
         allow_alice_when({"StringEquals": {"kms:EncryptionContext:Owner": "${aws:PrincipalArn}"}}),
         request(context={"kms:EncryptionContext:Owner": [ALICE]}), "allow"),
    case("policy variables are literal text in a 2008-10-17 policy",
         policy(statement(principal={"AWS": ALICE},
                          condition={"StringEquals": {"kms:EncryptionContext:Owner": "${aws:PrincipalArn}"}}),
                version="2008-10-17"),
         request(context={"kms:EncryptionContext:Owner": [ALICE]}), "implicitDeny"),

    # --- AWS managed key policy ------------------------------------------------------------------------------
    case("AWS managed key: use through the owning service", AWS_MANAGED_S3,
         request(principal=BOB, action="kms:GenerateDataKey",
                 context={"kms:ViaService": [f"s3.{REGION}.amazonaws.com"]}), "allow"),
    case("AWS managed key: direct use is refused", AWS_MANAGED_S3, request(principal=BOB, action="kms:Encrypt"),
         "implicitDeny"),
    case("AWS managed key: DescribeKey directly is allowed", AWS_MANAGED_S3,
         request(principal=BOB, action="kms:DescribeKey"), "allow", emulator=True),
    case("AWS managed key: another account through the service is refused", AWS_MANAGED_S3,
         request(principal=OTHER_USER, account=OTHER_ACCOUNT, action="kms:Decrypt",
                 context={"kms:ViaService": [f"s3.{REGION}.amazonaws.com"]}), "implicitDeny"),
]


VALIDATION_CASES = [
    {"name": "the default policy", "policy": DEFAULT_POLICY, "error": None},
    {"name": "an AWS managed key policy", "policy": AWS_MANAGED_S3, "error": None},
    {"name": "Statement as a single object",
     "policy": {"Version": "2012-10-17", "Statement": statement()}, "error": None},
    {"name": "version 2008-10-17", "policy": policy(statement(), version="2008-10-17"), "error": None},
    {"name": "service, session and federated-user principals",
     "policy": policy(statement(principal={"Service": ["s3.amazonaws.com", "logs.us-east-1.amazonaws.com"],
                                           "AWS": [ADMIN_SESSION, f"arn:aws:sts::{ACCOUNT}:federated-user/bob"]})),
     "error": None},
    {"name": "every condition operator form",
     "policy": policy(statement(condition={
         "ForAnyValue:StringLikeIfExists": {"kms:EncryptionContextKeys": ["a*"]},
         "ForAllValues:StringEquals": {"aws:TagKeys": ["Project"]},
         "NumericLessThanEquals": {"kms:RotationPeriodInDays": 365},
         "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
         "Bool": {"aws:SecureTransport": True},
         "Null": {"kms:ViaService": "false"},
         "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
         "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"},
         "BinaryEquals": {"kms:RecipientAttestation:ImageSha384": "AAAA"},
     })), "error": None},
    {"name": "NotAction and NotPrincipal in a Deny",
     "policy": policy(statement(), statement(effect="Deny", NotPrincipal={"AWS": ALICE}, NotAction="kms:Describe*")),
     "error": None},
    {"name": "Resource as a key ARN", "policy": policy(statement(resource=KEY_ARN)), "error": None},
    {"name": "Sid with spaces", "policy": policy(statement(Sid="Allow use of the key")), "error": None},

    {"name": "not JSON", "policy_text": "not a policy", "error": "MalformedPolicyDocumentException"},
    {"name": "a JSON array", "policy_text": "[]", "error": "MalformedPolicyDocumentException"},
    {"name": "unknown top-level element", "policy": {**policy(statement()), "Extra": 1},
     "error": "MalformedPolicyDocumentException"},
    {"name": "unknown version", "policy": policy(statement(), version="2020-01-01"),
     "error": "MalformedPolicyDocumentException"},
    {"name": "no Statement", "policy": {"Version": "2012-10-17"}, "error": "MalformedPolicyDocumentException"},
    {"name": "empty Statement list", "policy": {"Version": "2012-10-17", "Statement": []},
     "error": "MalformedPolicyDocumentException"},
    {"name": "unknown statement element", "policy": policy(statement(Extra="x")),
     "error": "MalformedPolicyDocumentException"},
    {"name": "Effect in the wrong case", "policy": policy(statement(effect="allow")),
     "error": "MalformedPolicyDocumentException"},
    {"name": "no Effect", "policy": policy({"Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}),
     "error": "MalformedPolicyDocumentException"},
    {"name": "no Principal", "policy": policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
     "error": "MalformedPolicyDocumentException"},
    {"name": "both Principal and NotPrincipal",
     "policy": policy({**statement(), "NotPrincipal": {"AWS": ALICE}}),
     "error": "MalformedPolicyDocumentException"},
    {"name": "no Action", "policy": policy({"Effect": "Allow", "Principal": "*", "Resource": "*"}),
     "error": "MalformedPolicyDocumentException"},
    {"name": "empty Action list", "policy": policy(statement(action=[])),
     "error": "MalformedPolicyDocumentException"},
    {"name": "both Action and NotAction", "policy": policy({**statement(), "NotAction": "kms:Decrypt"}),
     "error": "MalformedPolicyDocumentException"},
    {"name": "action without a vendor", "policy": policy(statement(action="Encrypt")),
     "error": "MalformedPolicyDocumentException"},
    {"name": "action with two colons", "policy": policy(statement(action="kms:Encrypt:x")),
     "error": "MalformedPolicyDocumentException"},
    {"name": "no Resource (rejected since 18 August 2025)",
     "policy": policy({"Effect": "Allow", "Principal": "*", "Action": "kms:*"}),
     "error": "MalformedPolicyDocumentException"},
    {"name": "Resource not an ARN", "policy": policy(statement(resource="key/abc")),
     "error": "MalformedPolicyDocumentException"},
    {"name": "unknown condition operator", "policy": policy(statement(condition={"StringMatches": {"kms:A": "b"}})),
     "error": "MalformedPolicyDocumentException"},
    {"name": "condition value an object",
     "policy": policy(statement(condition={"StringEquals": {"kms:A": {"b": "c"}}})),
     "error": "MalformedPolicyDocumentException"},
    {"name": "condition key without a vendor", "policy": policy(statement(condition={"StringEquals": {"A": "b"}})),
     "error": "MalformedPolicyDocumentException"},
    {"name": "principal: plain string that is not *", "policy": policy(statement(principal=ALICE)),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "principal: account id of 11 digits", "policy": policy(statement(principal={"AWS": "11112222333"})),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "principal: wildcard inside an ARN",
     "policy": policy(statement(principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/*"})),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "principal: an IAM group",
     "policy": policy(statement(principal={"AWS": f"arn:aws:iam::{ACCOUNT}:group/devs"})),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "principal: not an ARN", "policy": policy(statement(principal={"AWS": "alice"})),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "principal: unknown principal type", "policy": policy(statement(principal={"User": ALICE})),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "principal: empty list", "policy": policy(statement(principal={"AWS": []})),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "principal: service name that is not a service",
     "policy": policy(statement(principal={"Service": "not a service"})),
     "error": "MalformedPolicyDocumentException",
     "message": "Policy contains a statement with one or more invalid principals."},
    {"name": "32768 bytes is accepted",
     "policy_text": None, "size": 32768, "error": None},
    {"name": "32769 bytes is over the key policy quota",
     "policy_text": None, "size": 32769, "error": "LimitExceededException"},
]


def padded_policy_text(size):
    """The default policy padded with spaces to exactly ``size`` bytes (for the two size rows)."""
    import json
    text = json.dumps(DEFAULT_POLICY)
    return text[:-1] + " " * (size - len(text)) + "}"


for _row in VALIDATION_CASES:
    if "size" in _row:
        _row["policy_text"] = padded_policy_text(_row["size"])


LOCKOUT_CASES = [
    {"name": "default policy, caller is the root", "policy": DEFAULT_POLICY, "caller": ROOT, "account": ACCOUNT,
     "allowed": True},
    {"name": "default policy, caller is an IAM user of the account", "policy": DEFAULT_POLICY, "caller": ALICE,
     "account": ACCOUNT, "allowed": True, "emulator": True},
    {"name": "default policy of another account", "policy": DEFAULT_POLICY, "caller": OTHER_USER,
     "account": OTHER_ACCOUNT, "allowed": False},
    {"name": "policy for Bob only, caller Alice", "policy": policy(statement(principal={"AWS": BOB})),
     "caller": ALICE, "account": ACCOUNT, "allowed": False},
    {"name": "kms:Put* for the caller", "policy": policy(statement(principal={"AWS": ALICE}, action="kms:Put*")),
     "caller": ALICE, "account": ACCOUNT, "allowed": True},
    {"name": "use-only policy (no PutKeyPolicy)",
     "policy": policy(statement(principal={"AWS": ALICE}, action=["kms:Encrypt", "kms:Decrypt"])),
     "caller": ALICE, "account": ACCOUNT, "allowed": False},
    {"name": "allowed, then denied explicitly",
     "policy": policy(statement(principal={"AWS": ALICE}),
                      statement(effect="Deny", principal="*", action="kms:PutKeyPolicy")),
     "caller": ALICE, "account": ACCOUNT, "allowed": False},
    {"name": "role ARN covers the caller's session",
     "policy": policy(statement(principal={"AWS": ADMIN_ROLE})), "caller": ADMIN_SESSION, "account": ACCOUNT,
     "allowed": True},
    {"name": "NotAction that leaves PutKeyPolicy allowed",
     "policy": policy(statement(principal={"AWS": ALICE}, NotAction="kms:ScheduleKeyDeletion")),
     "caller": ALICE, "account": ACCOUNT, "allowed": True},
]
