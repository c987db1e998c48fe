"""Grants: CreateGrant (idempotent by Name), ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant, tokens."""

import pytest

from kms_helpers import aws_error, unvalidated

GRANTEE = "arn:aws:iam::000000000000:role/app"
RETIREE = "arn:aws:iam::000000000000:role/janitor"


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


def test_create_and_list_grants(kms):
    key = kms.create_key()["KeyMetadata"]
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, RetiringPrincipal=RETIREE,
                             Operations=["Encrypt", "Decrypt"], Name="app-grant",
                             Constraints={"EncryptionContextSubset": {"tenant": "a"}})
    assert len(grant["GrantId"]) == 64 and grant["GrantToken"]
    again = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, RetiringPrincipal=RETIREE,
                             Operations=["Encrypt", "Decrypt"], Name="app-grant",
                             Constraints={"EncryptionContextSubset": {"tenant": "a"}})
    assert again["GrantId"] == grant["GrantId"] and again["GrantToken"] != grant["GrantToken"]
    listed = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert len(listed) == 1
    row = listed[0]
    assert row["KeyId"] == key["Arn"] and row["GranteePrincipal"] == GRANTEE and row["Name"] == "app-grant"
    assert row["Operations"] == ["Encrypt", "Decrypt"] and row["RetiringPrincipal"] == RETIREE
    assert row["IssuingAccount"] == "arn:aws:iam::000000000000:root"
    assert row["Constraints"] == {"EncryptionContextSubset": {"tenant": "a"}}
    assert kms.list_grants(KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::000000000000:role/nobody")["Grants"] == []
    assert aws_error(kms.list_grants, KeyId=key["KeyId"], GrantId="0" * 64)[0] == "InvalidGrantIdException"
    retirable = kms.list_retirable_grants(RetiringPrincipal=RETIREE)["Grants"]
    assert [g["GrantId"] for g in retirable] == [grant["GrantId"]]


def test_grant_validation(client):
    kms = unvalidated(client)
    key = kms.create_key()["KeyMetadata"]
    code, _, _ = aws_error(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Dance"])
    assert code == "ValidationError"
    code, message, _ = aws_error(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"],
                                 Constraints={"EncryptionContextSubset": {"a": "b"},
                                              "EncryptionContextEquals": {"a": "b"}})
    assert (code, message) == ("ValidationException", "More than one constraint supplied")
    code, _, _ = aws_error(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Sign"],
                           Constraints={"EncryptionContextSubset": {"a": "b"}})
    assert code == "ValidationError"  # a symmetric key cannot sign


def test_grant_tokens_are_checked(kms):
    key = kms.create_key()["KeyMetadata"]
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Encrypt"])
    kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=[grant["GrantToken"]])
    assert aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=["bogus-token"])[0] \
        == "InvalidGrantTokenException"


def test_retire_and_revoke(kms):
    key = kms.create_key()["KeyMetadata"]
    by_token = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"])
    by_id = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"])
    revoked = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"])
    kms.retire_grant(GrantToken=by_token["GrantToken"])
    kms.retire_grant(KeyId=key["Arn"], GrantId=by_id["GrantId"])
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=revoked["GrantId"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert aws_error(kms.retire_grant, GrantToken=by_token["GrantToken"])[0] == "InvalidGrantTokenException"
    assert aws_error(kms.revoke_grant, KeyId=key["KeyId"], GrantId=revoked["GrantId"])[0] == "InvalidGrantIdException"
    assert aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=[by_token["GrantToken"]])[0] \
        == "InvalidGrantTokenException"


def test_assumed_role_session_retires_a_grant_made_to_its_role(client, kms):
    """A role named as retiring principal, or as grantee of a grant that allows RetireGrant, is matched by its
    sessions, as when a grant allows an operation. The roles are in another account, so that only the grant, not
    the key's account, lets them retire."""
    key = kms.create_key()["KeyMetadata"]
    janitor, app = "arn:aws:iam::454545454545:role/janitor", "arn:aws:iam::454545454545:role/app"
    retirable = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, RetiringPrincipal=janitor,
                                 Operations=["Decrypt"])
    self_retiring = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=app, Operations=["Decrypt", "RetireGrant"])
    not_retiring = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=app, Operations=["Decrypt"])

    def session(role):
        credentials = client("sts").assume_role(RoleArn=role, RoleSessionName="retirer")["Credentials"]
        return client("kms", aws_access_key_id=credentials["AccessKeyId"],
                      aws_secret_access_key=credentials["SecretAccessKey"],
                      aws_session_token=credentials["SessionToken"])

    as_app = session(app)
    assert aws_error(as_app.retire_grant, GrantToken=retirable["GrantToken"])[0] == "AccessDeniedException"
    assert aws_error(as_app.retire_grant, GrantToken=not_retiring["GrantToken"])[0] == "AccessDeniedException"
    session(janitor).retire_grant(GrantToken=retirable["GrantToken"])
    as_app.retire_grant(KeyId=key["Arn"], GrantId=self_retiring["GrantId"])
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]] == [not_retiring["GrantId"]]


def test_dry_run_creates_nothing(kms):
    key = kms.create_key()["KeyMetadata"]
    code, message, _ = aws_error(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=GRANTEE,
                                 Operations=["Decrypt"], DryRun=True)
    assert code == "DryRunOperationException"
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"])
    assert aws_error(kms.revoke_grant, KeyId=key["KeyId"], GrantId=grant["GrantId"], DryRun=True)[0] \
        == "DryRunOperationException"
    assert aws_error(kms.retire_grant, GrantToken=grant["GrantToken"], DryRun=True)[0] == "DryRunOperationException"
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1


def test_deleted_key_takes_its_grants(endpoint, client):
    from kms_helpers import advance_clock
    kms = client("kms", aws_access_key_id="343434343434")
    key = kms.create_key()["KeyMetadata"]
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=GRANTEE, Operations=["Decrypt"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    advance_clock(endpoint, 8 * 86400)
    assert aws_error(kms.retire_grant, GrantToken=grant["GrantToken"])[0] == "InvalidGrantTokenException"


def test_fifty_thousand_grants_per_key(endpoint, kms):
    """AWS's quota is 50,000 grants per KMS key; the next CreateGrant is LimitExceededException. The grants are sent
    pipelined over two raw connections (unsigned: SIGV4_VERIFY is off), so the test takes seconds, not minutes."""
    import concurrent.futures
    import json
    import socket
    import urllib.parse

    key = kms.create_key()["KeyMetadata"]["KeyId"]
    parsed = urllib.parse.urlsplit(endpoint)

    def create(indices, batch=500):
        ok = 0
        with socket.create_connection((parsed.hostname, parsed.port), timeout=60) as sock:
            reader = sock.makefile("rb")
            indices = list(indices)
            for start in range(0, len(indices), batch):
                chunk = indices[start:start + batch]
                payload = b""
                for index in chunk:
                    body = json.dumps({"KeyId": key, "GranteePrincipal": f"arn:aws:iam::000000000000:role/r{index}",
                                       "Operations": ["Decrypt"]}).encode()
                    payload += (b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.CreateGrant\r\n"
                                b"Content-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 "
                                b"Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0"
                                b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                sock.sendall(payload)
                for _ in chunk:
                    status = reader.readline()
                    length = 0
                    while (line := reader.readline()) not in (b"\r\n", b""):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":")[1])
                    reader.read(length)
                    ok += status.startswith(b"HTTP/1.1 200")
        return ok

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        created = sum(pool.map(create, [range(0, 50_000, 2), range(1, 50_000, 2)]))
    assert created == 50_000
    assert aws_error(kms.create_grant, KeyId=key, GranteePrincipal="arn:aws:iam::000000000000:role/one-more",
                     Operations=["Decrypt"])[0] == "LimitExceededException"
    # Revoking one makes room again, and the revoked grant is gone.
    first = kms.list_grants(KeyId=key, Limit=1)["Grants"][0]
    kms.revoke_grant(KeyId=key, GrantId=first["GrantId"])
    kms.create_grant(KeyId=key, GranteePrincipal="arn:aws:iam::000000000000:role/one-more", Operations=["Decrypt"])
    assert aws_error(kms.list_grants, KeyId=key, GrantId=first["GrantId"])[0] == "InvalidGrantIdException"
