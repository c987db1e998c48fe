"""Secrets Manager through boto3: secrets, values, versions and staging labels, idempotency, errors in AWS's words."""

import base64
import json
import re
import uuid

import pytest

from awsemu_host import json_call
from kms_helpers import advance_clock, aws_error, unvalidated

ARN = re.compile(r"^arn:aws:secretsmanager:us-east-1:000000000000:secret:(?P<name>.+)-(?P<suffix>[A-Za-z0-9]{6})$")
NOT_FOUND = ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


@pytest.fixture(scope="module")
def sm(client):
    return client("secretsmanager")


def name(prefix="s"):
    """A unique secret name, so the tests of this module never collide."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def stages(sm, secret_id):
    return sm.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})


# --- CreateSecret / GetSecretValue ---------------------------------------------------------------------------

def test_create_and_get_a_string_secret(sm):
    secret_name = name("app/db")
    created = sm.create_secret(Name=secret_name, SecretString='{"user":"admin","password":"p@ss"}',
                               Description="the database")
    match = ARN.match(created["ARN"])
    assert match and match["name"] == secret_name
    assert created["Name"] == secret_name
    assert re.match(r"^[0-9a-f-]{36}$", created["VersionId"])
    value = sm.get_secret_value(SecretId=secret_name)
    assert value["SecretString"] == '{"user":"admin","password":"p@ss"}'
    assert "SecretBinary" not in value
    assert value["VersionStages"] == ["AWSCURRENT"]
    assert value["VersionId"] == created["VersionId"]
    assert value["ARN"] == created["ARN"] and value["Name"] == secret_name
    assert value["CreatedDate"].year >= 2024


def test_create_and_get_a_binary_secret(sm):
    payload = bytes(range(256))
    created = sm.create_secret(Name=name(), SecretBinary=payload)
    value = sm.get_secret_value(SecretId=created["ARN"])
    assert value["SecretBinary"] == payload
    assert "SecretString" not in value


def test_secret_id_accepts_name_full_arn_and_partial_arn(sm):
    secret_name = name("team/svc")
    arn = sm.create_secret(Name=secret_name, SecretString="x")["ARN"]
    partial = arn[: -len("-XXXXXX")]
    for secret_id in (secret_name, arn, partial):
        assert sm.get_secret_value(SecretId=secret_id)["SecretString"] == "x"
        assert sm.describe_secret(SecretId=secret_id)["ARN"] == arn
    code, message, status = aws_error(sm.get_secret_value, SecretId=partial + "-abcdef")
    assert (code, message, status) == (*NOT_FOUND, 400)
    code, message, _ = aws_error(sm.get_secret_value,
                                 SecretId=arn.replace("us-east-1", "eu-west-1"))
    assert (code, message) == NOT_FOUND


def test_secret_without_a_value(sm):
    secret_name = name()
    created = sm.create_secret(Name=secret_name, Description="empty for now")
    assert "VersionId" not in created
    code, message, _ = aws_error(sm.get_secret_value, SecretId=secret_name)
    assert code == "ResourceNotFoundException"
    assert message == "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"
    described = sm.describe_secret(SecretId=secret_name)
    assert "VersionIdsToStages" not in described and described["Description"] == "empty for now"
    # The first value a secret gets is AWSCURRENT, whatever labels the caller asked for.
    put = sm.put_secret_value(SecretId=secret_name, SecretString="first", VersionStages=["custom"])
    assert sorted(put["VersionStages"]) == ["AWSCURRENT", "custom"]
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "first"


def test_create_errors(sm, client):
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x")
    code, message, status = aws_error(sm.create_secret, Name=secret_name, SecretString="y")
    assert (code, status) == ("ResourceExistsException", 400)
    assert message == f"The operation failed because the secret {secret_name} already exists."
    code, message, _ = aws_error(sm.create_secret, Name=name(), SecretString="a", SecretBinary=b"b")
    assert code == "InvalidParameterException"
    assert message == "You can't specify both a binary secret value and a string secret value in the same secret."
    for bad in ("has space", "semi;colon", "quote'", "bang!"):
        code, message, _ = aws_error(sm.create_secret, Name=bad, SecretString="x")
        assert (code, message) == ("ValidationException", "Invalid name. Must be a valid name containing "
                                   "alphanumeric characters, or any of the following: -/_+=.@!")
    raw = unvalidated(client, "secretsmanager")
    code, message, _ = aws_error(raw.create_secret, Name="x" * 513, SecretString="x")
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value '" + "x" * 513 + "' at 'name' failed to satisfy "
                       "constraint: Member must have length less than or equal to 512")
    assert sm.create_secret(Name="A" * 512, SecretString="x")["Name"] == "A" * 512
    assert sm.create_secret(Name="Valid/_+=.@-Name", SecretString="x")["Name"] == "Valid/_+=.@-Name"
    code, message, _ = aws_error(raw.create_secret, Name=name(), SecretString="")
    assert code == "ValidationException" and "Value at 'secretString' failed to satisfy constraint" in message
    assert "''" not in message  # SecretString is sensitive: AWS never echoes it


def test_cross_account_replicas_are_refused_not_dropped(sm):
    """Cross-account replicas are not built: a CreateSecret naming a CrossAccountPrimaryARN is refused (501
    NotImplemented) and creates nothing. (Replicas in other Regions: test_secretsmanager_replication.)"""
    secret_name = name()
    code, message, status = aws_error(sm.create_secret, Name=secret_name,
                                      CrossAccountPrimaryARN="arn:aws:secretsmanager:us-east-1:111122223333:secret:x-abcdef")
    assert (code, status) == ("NotImplemented", 501) and "CrossAccountPrimaryARN" in message
    assert aws_error(sm.describe_secret, SecretId=secret_name)[0] == "ResourceNotFoundException"


def test_lookup_errors(sm):
    code, message, _ = aws_error(sm.describe_secret, SecretId="does-not-exist")
    assert (code, message) == NOT_FOUND
    code, message, _ = aws_error(sm.get_secret_value, SecretId="bad name")
    assert code == "ValidationException" and message.startswith("Invalid name.")
    code, _, _ = aws_error(sm.get_secret_value, SecretId="arn:aws:kms:us-east-1:000000000000:key/x")
    assert code == "ResourceNotFoundException"


def test_get_by_version_id_and_stage(sm):
    secret_name = name()
    first = sm.create_secret(Name=secret_name, SecretString="one")["VersionId"]
    second = sm.put_secret_value(SecretId=secret_name, SecretString="two")["VersionId"]
    assert sm.get_secret_value(SecretId=secret_name, VersionId=first)["SecretString"] == "one"
    assert sm.get_secret_value(SecretId=secret_name, VersionStage="AWSPREVIOUS")["SecretString"] == "one"
    assert sm.get_secret_value(SecretId=secret_name, VersionId=second, VersionStage="AWSCURRENT")["SecretString"] == "two"
    code, message, _ = aws_error(sm.get_secret_value, SecretId=secret_name, VersionId=first, VersionStage="AWSCURRENT")
    assert (code, message) == ("InvalidRequestException",
                               "You provided a VersionStage that is not associated to the provided VersionId.")
    missing = str(uuid.uuid4())
    code, message, _ = aws_error(sm.get_secret_value, SecretId=secret_name, VersionId=missing)
    assert (code, message) == ("ResourceNotFoundException",
                               f"Secrets Manager can't find the specified secret value for VersionId: {missing}")
    code, message, _ = aws_error(sm.get_secret_value, SecretId=secret_name, VersionStage="AWSPENDING")
    assert message == "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"


def test_last_accessed_date_is_kept_to_the_day(sm):
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x")
    assert "LastAccessedDate" not in sm.describe_secret(SecretId=secret_name)
    sm.get_secret_value(SecretId=secret_name)
    accessed = sm.describe_secret(SecretId=secret_name)["LastAccessedDate"]
    assert accessed.timestamp() % 86400 == 0
    versions = sm.list_secret_version_ids(SecretId=secret_name)["Versions"]
    assert versions[0]["LastAccessedDate"] == accessed


# --- Versions and staging labels ---------------------------------------------------------------------------

def test_new_current_pushes_old_current_to_previous(sm):
    secret_name = name()
    v1 = sm.create_secret(Name=secret_name, SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId=secret_name, SecretString="2")["VersionId"]
    assert stages(sm, secret_name) == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]}
    v3 = sm.update_secret(SecretId=secret_name, SecretString="3")["VersionId"]
    # v1 lost its last label: deprecated, hidden from VersionIdsToStages and from a plain version listing.
    assert stages(sm, secret_name) == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}
    listed = sm.list_secret_version_ids(SecretId=secret_name)["Versions"]
    assert [v["VersionId"] for v in listed] == [v3, v2]
    everything = sm.list_secret_version_ids(SecretId=secret_name, IncludeDeprecated=True)["Versions"]
    assert {v["VersionId"] for v in everything} == {v1, v2, v3}
    deprecated = next(v for v in everything if v["VersionId"] == v1)
    assert "VersionStages" not in deprecated
    assert sm.get_secret_value(SecretId=secret_name, VersionId=v1)["SecretString"] == "1"
    # The AWS managed key is named as AWS names it there, not by ARN.
    assert all(v["KmsKeyIds"] == ["DefaultEncryptionKey"] for v in everything)


def test_pending_version_leaves_current_alone(sm):
    secret_name = name()
    v1 = sm.create_secret(Name=secret_name, SecretString="current")["VersionId"]
    pending = sm.put_secret_value(SecretId=secret_name, SecretString="next", VersionStages=["AWSPENDING"])
    assert pending["VersionStages"] == ["AWSPENDING"]
    v2 = pending["VersionId"]
    assert stages(sm, secret_name) == {v1: ["AWSCURRENT"], v2: ["AWSPENDING"]}
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "current"
    # A second pending value takes the label from the first, which becomes deprecated.
    v3 = sm.put_secret_value(SecretId=secret_name, SecretString="next2", VersionStages=["AWSPENDING"])["VersionId"]
    assert stages(sm, secret_name) == {v1: ["AWSCURRENT"], v3: ["AWSPENDING"]}
    assert v2 not in stages(sm, secret_name)


def test_a_new_current_version_takes_pending_from_the_old_current(sm):
    """After a rotation the current version often also carries AWSPENDING; a new AWSCURRENT value then leaves the
    old version with AWSPREVIOUS alone, as AWS answered a recorded PutSecretValue."""
    secret_name = name()
    v1 = sm.create_secret(Name=secret_name, SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId=secret_name, SecretString="2", VersionStages=["AWSPENDING"])["VersionId"]
    sm.update_secret_version_stage(SecretId=secret_name, VersionStage="AWSCURRENT", MoveToVersionId=v2,
                                   RemoveFromVersionId=v1)
    assert stages(sm, secret_name) == {v1: ["AWSPREVIOUS"], v2: ["AWSPENDING", "AWSCURRENT"]}
    v3 = sm.put_secret_value(SecretId=secret_name, SecretString="3")["VersionId"]
    assert stages(sm, secret_name) == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}


def test_a_missing_client_request_token_is_answered_before_the_secret_is_looked_up(endpoint):
    """Without a ClientRequestToken (SDKs fill one in; a raw caller may not) a new value is refused before the
    secret is even looked up, as AWS answers it for a secret that does not exist."""
    for operation, body in (("PutSecretValue", {"SecretString": "v"}),
                            ("UpdateSecret", {"SecretString": "v", "Description": "d"})):
        response = json_call(endpoint, f"secretsmanager.{operation}",
                             json.dumps({"SecretId": name("absent"), **body}), service="secretsmanager")
        assert response.status == 400, response.body
        error = response.json()
        assert error["__type"] == "InvalidRequestException"
        # Secrets Manager's model names the member `Message`, and AWS writes its exceptions so.
        assert error == {"__type": "InvalidRequestException",
                         "Message": "You must provide a ClientRequestToken value. We recommend a UUID-type value."}


def test_only_modelled_exceptions_write_a_capitalized_message(endpoint):
    """A modelled exception is written as its shape, whose member is `Message` in Secrets Manager's model (the Go
    SDK v2 reads only that name); a ValidationException, which the model does not list, keeps `message`."""
    def error(body):
        response = json_call(endpoint, "secretsmanager.DescribeSecret", json.dumps(body), service="secretsmanager")
        assert response.status == 400, response.body
        return response.json()

    assert error({"SecretId": name("absent")}) == {"__type": "ResourceNotFoundException",
                                                   "Message": "Secrets Manager can't find the specified secret."}
    invalid = error({"SecretId": ""})
    assert set(invalid) == {"__type", "message"} and invalid["__type"] == "ValidationException"


def test_update_secret_version_stage(sm):
    secret_name = name()
    v1 = sm.create_secret(Name=secret_name, SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId=secret_name, SecretString="2", VersionStages=["AWSPENDING"])["VersionId"]
    # Promote the pending version: AWSCURRENT moves, the old current becomes AWSPREVIOUS.
    answer = sm.update_secret_version_stage(SecretId=secret_name, VersionStage="AWSCURRENT", MoveToVersionId=v2,
                                            RemoveFromVersionId=v1)
    assert answer["Name"] == secret_name and ARN.match(answer["ARN"])
    assert stages(sm, secret_name) == {v1: ["AWSPREVIOUS"], v2: ["AWSPENDING", "AWSCURRENT"]}
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "2"
    # Remove a label without moving it.
    sm.update_secret_version_stage(SecretId=secret_name, VersionStage="AWSPENDING", RemoveFromVersionId=v2)
    assert stages(sm, secret_name) == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]}
    # Attach a custom label, then move it.
    sm.update_secret_version_stage(SecretId=secret_name, VersionStage="blue", MoveToVersionId=v1)
    sm.update_secret_version_stage(SecretId=secret_name, VersionStage="blue", MoveToVersionId=v2,
                                   RemoveFromVersionId=v1)
    assert stages(sm, secret_name) == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT", "blue"]}
    # Moving back to the previous version swaps AWSCURRENT and AWSPREVIOUS.
    sm.update_secret_version_stage(SecretId=secret_name, VersionStage="AWSCURRENT", MoveToVersionId=v1,
                                   RemoveFromVersionId=v2)
    assert stages(sm, secret_name) == {v1: ["AWSCURRENT"], v2: ["blue", "AWSPREVIOUS"]}
    # An attached label comes off only from the version named, also when it moves nowhere.
    code, message, _ = aws_error(sm.update_secret_version_stage, SecretId=secret_name, VersionStage="blue")
    assert code == "InvalidParameterException" and message.startswith("The parameter RemoveFromVersionId can't be empty.")
    assert stages(sm, secret_name) == {v1: ["AWSCURRENT"], v2: ["blue", "AWSPREVIOUS"]}
    sm.update_secret_version_stage(SecretId=secret_name, VersionStage="unattached")


def test_recent_versions_outlive_the_hundred_version_limit(sm, endpoint):
    """More than 100 versions: deprecated ones go, oldest first, but none created in the last 24 hours."""
    secret_name = name()
    first = sm.create_secret(Name=secret_name, SecretString="0")["VersionId"]
    for value in range(1, 105):
        sm.put_secret_value(SecretId=secret_name, SecretString=str(value))
    listed = sm.list_secret_version_ids(SecretId=secret_name, IncludeDeprecated=True, MaxResults=100)
    count = len(listed["Versions"])
    while "NextToken" in listed:
        listed = sm.list_secret_version_ids(SecretId=secret_name, IncludeDeprecated=True, MaxResults=100,
                                            NextToken=listed["NextToken"])
        count += len(listed["Versions"])
    assert count == 105
    assert sm.get_secret_value(SecretId=secret_name, VersionId=first)["SecretString"] == "0"
    advance_clock(endpoint, 86_401)
    sm.put_secret_value(SecretId=secret_name, SecretString="a day later")
    assert aws_error(sm.get_secret_value, SecretId=secret_name, VersionId=first)[0] == "ResourceNotFoundException"
    versions = sm.list_secret_version_ids(SecretId=secret_name, IncludeDeprecated=True, MaxResults=100)
    assert len(versions["Versions"]) == 100 and "NextToken" not in versions


def test_update_secret_version_stage_errors(sm):
    secret_name = name()
    v1 = sm.create_secret(Name=secret_name, SecretString="1")["VersionId"]
    v2 = sm.put_secret_value(SecretId=secret_name, SecretString="2", VersionStages=["AWSPENDING"])["VersionId"]
    code, message, _ = aws_error(sm.update_secret_version_stage, SecretId=secret_name, VersionStage="AWSCURRENT",
                                 MoveToVersionId=v2)
    assert code == "InvalidParameterException"
    assert message == ("The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently "
                       f"attached to version {v1}, so you must explicitly reference that version in RemoveFromVersionId.")
    code, _, _ = aws_error(sm.update_secret_version_stage, SecretId=secret_name, VersionStage="AWSCURRENT",
                           MoveToVersionId=v2, RemoveFromVersionId=v2)
    assert code == "InvalidParameterException"
    code, _, _ = aws_error(sm.update_secret_version_stage, SecretId=secret_name, VersionStage="AWSCURRENT",
                           RemoveFromVersionId=v1)
    assert code == "InvalidParameterException"
    unknown = str(uuid.uuid4())
    code, message, _ = aws_error(sm.update_secret_version_stage, SecretId=secret_name, VersionStage="x",
                                 MoveToVersionId=unknown)
    assert (code, message) == ("InvalidParameterException", f"Not a valid version: {unknown}")
    assert stages(sm, secret_name) == {v1: ["AWSCURRENT"], v2: ["AWSPENDING"]}


# --- ClientRequestToken idempotency ------------------------------------------------------------------------

def test_put_secret_value_idempotency(sm):
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="base")
    token = str(uuid.uuid4())
    first = sm.put_secret_value(SecretId=secret_name, SecretString="v", ClientRequestToken=token)
    again = sm.put_secret_value(SecretId=secret_name, SecretString="v", ClientRequestToken=token)
    assert first["VersionId"] == again["VersionId"] == token
    assert again["VersionStages"] == ["AWSCURRENT"]
    assert len(sm.list_secret_version_ids(SecretId=secret_name, IncludeDeprecated=True)["Versions"]) == 2
    code, message, status = aws_error(sm.put_secret_value, SecretId=secret_name, SecretString="other",
                                      ClientRequestToken=token)
    assert (code, status) == ("ResourceExistsException", 400)
    assert message == "You can't modify an existing version, you can only create new versions."
    code, _, _ = aws_error(sm.put_secret_value, SecretId=secret_name, SecretBinary=b"v", ClientRequestToken=token)
    assert code == "ResourceExistsException"
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "v"


def test_create_secret_retry_with_the_same_token(sm):
    secret_name = name()
    token = str(uuid.uuid4())
    first = sm.create_secret(Name=secret_name, SecretString="v", ClientRequestToken=token)
    again = sm.create_secret(Name=secret_name, SecretString="v", ClientRequestToken=token)
    assert first["ARN"] == again["ARN"] and again["VersionId"] == token
    code, _, _ = aws_error(sm.create_secret, Name=secret_name, SecretString="w", ClientRequestToken=token)
    assert code == "ResourceExistsException"


def test_update_secret_with_a_used_token(sm):
    secret_name = name()
    token = sm.create_secret(Name=secret_name, SecretString="v")["VersionId"]
    assert sm.update_secret(SecretId=secret_name, SecretString="v", ClientRequestToken=token)["VersionId"] == token
    code, _, _ = aws_error(sm.update_secret, SecretId=secret_name, SecretString="changed", ClientRequestToken=token)
    assert code == "ResourceExistsException"


def test_token_length_is_validated(client):
    raw = unvalidated(client, "secretsmanager")
    code, message, _ = aws_error(raw.create_secret, Name=name(), SecretString="x", ClientRequestToken="short")
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value 'short' at 'clientRequestToken' failed to satisfy "
                       "constraint: Member must have length greater than or equal to 32")


# --- PutSecretValue / UpdateSecret -------------------------------------------------------------------------

def test_put_secret_value_errors(sm):
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x")
    code, message, _ = aws_error(sm.put_secret_value, SecretId=secret_name)
    assert (code, message) == ("InvalidRequestException", "You must provide either SecretString or SecretBinary.")
    code, _, _ = aws_error(sm.put_secret_value, SecretId=secret_name, SecretString="a", SecretBinary=b"b")
    assert code == "InvalidParameterException"
    code, message, _ = aws_error(sm.put_secret_value, SecretId="missing-" + name(), SecretString="a")
    assert (code, message) == NOT_FOUND


def test_update_secret_metadata_only(sm):
    secret_name = name()
    created = sm.create_secret(Name=secret_name, SecretString="x", Description="before")
    before = sm.describe_secret(SecretId=secret_name)
    answer = sm.update_secret(SecretId=secret_name, Description="after")
    assert answer["ARN"] == created["ARN"] and "VersionId" not in answer
    after = sm.describe_secret(SecretId=secret_name)
    assert after["Description"] == "after"
    assert after["VersionIdsToStages"] == before["VersionIdsToStages"]
    assert after["LastChangedDate"] >= before["LastChangedDate"]


def test_update_secret_binary_value(sm):
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="text")
    version = sm.update_secret(SecretId=secret_name, SecretBinary=b"\x00\x01")["VersionId"]
    value = sm.get_secret_value(SecretId=secret_name)
    assert value["SecretBinary"] == b"\x00\x01" and value["VersionId"] == version


# --- DescribeSecret ----------------------------------------------------------------------------------------

def test_describe_secret_members(sm):
    secret_name = name()
    created = sm.create_secret(Name=secret_name, SecretString="x", Description="d",
                               Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}])
    described = sm.describe_secret(SecretId=secret_name)
    assert described["ARN"] == created["ARN"] and described["Name"] == secret_name
    assert described["Description"] == "d"
    assert described["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "core"}]
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}
    assert described["CreatedDate"] <= described["LastChangedDate"]
    for absent in ("KmsKeyId", "DeletedDate", "RotationEnabled", "LastAccessedDate"):
        assert absent not in described


# --- Concurrency -------------------------------------------------------------------------------------------

def test_concurrent_writers_keep_one_current_and_one_previous(sm, client):
    import concurrent.futures
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="start")

    def put(index):
        return client("secretsmanager").put_secret_value(SecretId=secret_name, SecretString=f"v{index}")["VersionId"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        written = list(pool.map(put, range(40)))
    labels = stages(sm, secret_name)
    flat = sum(labels.values(), [])
    assert sorted(flat) == ["AWSCURRENT", "AWSPREVIOUS"]
    everything = sm.list_secret_version_ids(SecretId=secret_name, IncludeDeprecated=True)["Versions"]
    assert {v["VersionId"] for v in everything} >= set(written) and len(everything) == 41
    current = sm.get_secret_value(SecretId=secret_name)
    assert current["SecretString"] == f"v{written.index(current['VersionId'])}"
    assert sm.put_secret_value(SecretId=secret_name, SecretString="x", VersionStages=["a", "a"])["VersionStages"] == ["a"]
