"""Secrets Manager through boto3: listing and searching, BatchGetSecretValue, tags, resource policies, random
passwords, and deletion with recovery windows on the host clock."""

import json
import string
import uuid

import pytest

from awsemu_host import pipelined
from kms_helpers import advance_clock, aws_error, unvalidated

DAY = 86400
MARKED_DELETED = ("InvalidRequestException",
                  "You can't perform this operation on the secret because it was marked for deletion.")


@pytest.fixture(scope="module")
def sm(client):
    return client("secretsmanager")


def letters(count=10):
    """Random letters g-v: no digits and no hex-looking runs, so the word-splitting `all` filter cannot match
    one test's secret with another test's search term."""
    return "".join(chr(ord("g") + int(c, 16)) for c in uuid.uuid4().hex[:count])


def name(prefix="s"):
    return f"{prefix}-{letters()}"


def names(listing):
    return [s["Name"] for s in listing["SecretList"]]


# --- ListSecrets -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalogue(sm):
    """Six secrets with names, descriptions and tags to search; returns their names by role."""
    run = letters(8)
    made = {
        "prod_db": (f"prod-{run}/database", "Primary database credentials", [("env", "prod"), ("team", "data")]),
        "prod_api": (f"prod-{run}/api-key", "Payments API key", [("env", "prod"), ("team", "payments")]),
        "dev_db": (f"dev-{run}/database", "Development database", [("env", "dev")]),
        "other": (f"other-{run}", None, []),
        "camel": (f"camel-{run}", "credsDatabase#892", [("Owner", "AliceSmith")]),
        "upper": (f"Prod-{run}/x", "Upper case name", []),
    }
    for secret_name, description, tags in made.values():
        args = {"Name": secret_name, "SecretString": "x", "Tags": [{"Key": k, "Value": v} for k, v in tags]}
        if description:
            args["Description"] = description
        sm.create_secret(**args)
    return {role: values[0] for role, values in made.items()} | {"run": run}


def search(sm, *filters, **kw):
    found = []
    kwargs = {"Filters": [{"Key": k, "Values": v} for k, v in filters], **kw}
    paginator = sm.get_paginator("list_secrets")
    for page in paginator.paginate(**kwargs):
        found += [s["Name"] for s in page["SecretList"]]
    return found


def test_list_secrets_entry_shape(sm, catalogue):
    entry = next(s for s in sm.list_secrets(MaxResults=100)["SecretList"] if s["Name"] == catalogue["prod_db"])
    assert entry["Description"] == "Primary database credentials"
    assert entry["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "data"}]
    assert list(entry["SecretVersionsToStages"].values()) == [["AWSCURRENT"]]
    assert "VersionIdsToStages" not in entry and "DeletedDate" not in entry


def test_filters(sm, catalogue):
    c, run = catalogue, catalogue["run"]
    # name: prefix match, case-sensitive
    assert sorted(search(sm, ("name", [f"prod-{run}/"]))) == sorted([c["prod_db"], c["prod_api"]])
    assert search(sm, ("name", [f"Prod-{run}"])) == [c["upper"]]
    assert search(sm, ("name", [f"database"])) == []
    # several values of one filter: OR; several filters: AND
    assert sorted(search(sm, ("name", [f"prod-{run}/d", f"dev-{run}"]))) == sorted([c["prod_db"], c["dev_db"]])
    assert search(sm, ("name", [f"prod-{run}"]), ("tag-value", ["payments"])) == [c["prod_api"]]
    # tag-key and tag-value: prefix, case-sensitive
    assert search(sm, ("tag-key", ["Own"])) == [c["camel"]]
    assert search(sm, ("tag-key", ["own"])) == []
    assert sorted(search(sm, ("tag-value", ["pro"]), ("name", [f"prod-{run}"]))) == sorted([c["prod_db"], c["prod_api"]])
    # description: words, not case-sensitive
    assert sorted(search(sm, ("description", ["DATABASE"]), ("name", [f"prod-{run}", f"dev-{run}"]))) == \
        sorted([c["prod_db"], c["dev_db"]])
    assert search(sm, ("description", ["database primary"])) == [c["prod_db"]]
    # negation
    assert sorted(search(sm, ("name", [f"prod-{run}/"]), ("tag-value", ["!payments"]))) == [c["prod_db"]]
    # all: any word, anywhere, not case-sensitive; camelCase and digits split into words
    assert search(sm, ("all", ["alice"])) == [c["camel"]]
    assert search(sm, ("all", ["892"])) == [c["camel"]]
    assert sorted(search(sm, ("all", [f"payments"]))) == [c["prod_api"]]
    # services and replication do not apply here
    assert search(sm, ("owning-service", ["rds"])) == []
    assert search(sm, ("primary-region", ["us-east-1"])) == []


def create_pipelined(endpoint, names, value=None):
    """CreateSecret for each name, pipelined on one connection, so that several share a millisecond."""
    headers = {"X-Amz-Target": "secretsmanager.CreateSecret", "Content-Type": "application/x-amz-json-1.1"}
    fields = lambda: {"SecretString": value, "ClientRequestToken": str(uuid.uuid4())} if value else {}
    answers = pipelined(endpoint, [("POST", "/", headers, json.dumps({"Name": n, **fields()}).encode()) for n in names])
    assert [status for status, _, _ in answers] == [200] * len(names), answers[0]


def test_secrets_made_in_one_millisecond_list_in_creation_order(sm, endpoint):
    """The host clock counts milliseconds, so quickly made secrets share a CreatedDate; they still list in the
    order they were made (names here fall as they are made, so ordering ties by name or ARN would fail)."""
    run = letters(8)
    made = [f"tie-{run}-{99 - i:02d}" for i in range(40)]
    create_pipelined(endpoint, made)
    listed = search(sm, ("name", [f"tie-{run}-"]), SortOrder="asc")
    dates = [s["CreatedDate"] for s in sm.list_secrets(Filters=[{"Key": "name", "Values": [f"tie-{run}-"]}],
                                                         SortOrder="asc")["SecretList"]]
    assert listed == made, f"{len(dates) - len(set(dates))} secrets shared a CreatedDate with an earlier one"
    assert search(sm, ("name", [f"tie-{run}-"]), SortOrder="desc") == list(reversed(made))


def test_batch_get_by_filter_follows_creation_order(sm, endpoint):
    """BatchGetSecretValue with filters answers in creation order, secrets made in one millisecond included."""
    run = letters(8)
    made = [f"batch-{run}-{99 - i:02d}" for i in range(30)]
    create_pipelined(endpoint, made, value="v")
    got, token = [], None
    while True:
        page = sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": [f"batch-{run}-"]}], MaxResults=7,
                                         **({"NextToken": token} if token else {}))
        assert page["Errors"] == []
        got += [value["Name"] for value in page["SecretValues"]]
        token = page.get("NextToken")
        if not token:
            break
    assert got == made


def test_filter_errors(sm, client):
    code, message, _ = aws_error(sm.list_secrets, Filters=[{"Key": "description"}])
    assert (code, message) == ("InvalidParameterException", "Invalid filter values for key: description")
    raw = unvalidated(client, "secretsmanager")
    code, message, _ = aws_error(raw.list_secrets, Filters=[{"Values": ["x"]}])
    assert (code, message) == ("InvalidParameterException", "Invalid filter key")
    code, message, _ = aws_error(raw.list_secrets, Filters=[{"Key": "colour", "Values": ["x"]}])
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'colour' at 'filters.1.member.key' failed to "
                              "satisfy constraint: Member must satisfy enum value set: [")
    code, message, _ = aws_error(raw.list_secrets, MaxResults=101)
    assert message == ("1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
                       "Member must have value less than or equal to 100")
    code, message, _ = aws_error(sm.list_secrets, NextToken="garbage")
    assert code == "InvalidNextTokenException"


def test_pagination_and_sort_order(sm, catalogue):
    run = catalogue["run"]
    ours = [catalogue[r] for r in ("prod_db", "prod_api", "dev_db", "other", "camel", "upper")]
    filters = [{"Key": "all", "Values": [run]}]
    pages, token = [], None
    while True:
        kwargs = {"MaxResults": 2, "Filters": filters, "SortOrder": "asc"}
        if token:
            kwargs["NextToken"] = token
        page = sm.list_secrets(**kwargs)
        pages.append(names(page))
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 2]
    assert sum(pages, []) == ours  # created-date ascending
    descending = search(sm, ("all", [run]), SortOrder="desc")
    assert descending == list(reversed(ours))
    by_name = search(sm, ("all", [run]), SortBy="name", SortOrder="asc")
    assert by_name == sorted(ours)


def test_planned_deletion_is_hidden_unless_asked(sm):
    secret_name = name("doomed")
    sm.create_secret(Name=secret_name, SecretString="x")
    sm.delete_secret(SecretId=secret_name, RecoveryWindowInDays=7)
    assert search(sm, ("name", [secret_name])) == []
    listed = sm.list_secrets(Filters=[{"Key": "name", "Values": [secret_name]}], IncludePlannedDeletion=True)
    assert names(listed) == [secret_name] and "DeletedDate" in listed["SecretList"][0]


# --- BatchGetSecretValue -----------------------------------------------------------------------------------

def test_batch_get_by_ids(sm):
    a, b, deleted = name("batch"), name("batch"), name("batch")
    sm.create_secret(Name=a, SecretString="A")
    arn_b = sm.create_secret(Name=b, SecretBinary=b"B")["ARN"]
    sm.create_secret(Name=deleted, SecretString="gone")
    sm.delete_secret(SecretId=deleted)
    result = sm.batch_get_secret_value(SecretIdList=[a, arn_b, "missing-" + a, deleted])
    values = {v["Name"]: v for v in result["SecretValues"]}
    assert values[a]["SecretString"] == "A" and values[b]["SecretBinary"] == b"B"
    assert values[a]["VersionStages"] == ["AWSCURRENT"]
    errors = {e["SecretId"]: (e["ErrorCode"], e["Message"]) for e in result["Errors"]}
    assert errors["missing-" + a] == ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
    assert errors[deleted] == MARKED_DELETED


def test_batch_get_by_filters_with_pages(sm):
    prefix = name("bf")
    for index in range(5):
        sm.create_secret(Name=f"{prefix}/{index}", SecretString=str(index))
    got, token = [], None
    while True:
        kwargs = {"Filters": [{"Key": "name", "Values": [prefix]}], "MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = sm.batch_get_secret_value(**kwargs)
        got += [(v["Name"], v["SecretString"]) for v in page["SecretValues"]]
        token = page.get("NextToken")
        if not token:
            break
    assert got == [(f"{prefix}/{i}", str(i)) for i in range(5)]


def test_batch_get_errors(sm):
    code, message, _ = aws_error(sm.batch_get_secret_value, SecretIdList=["a"],
                                 Filters=[{"Key": "name", "Values": ["a"]}])
    assert (code, message) == ("InvalidParameterException",
                               "Either 'SecretIdList' or 'Filters' must be provided, but not both.")
    code, message, _ = aws_error(sm.batch_get_secret_value, SecretIdList=["a"], MaxResults=5)
    assert (code, message) == ("InvalidParameterException",
                               "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.")


# --- Tags and resource policies ----------------------------------------------------------------------------

def test_tag_and_untag(sm):
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x", Tags=[{"Key": "a", "Value": "1"}])
    assert sm.tag_resource(SecretId=secret_name, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])[
        "ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sm.describe_secret(SecretId=secret_name)["Tags"] == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    sm.untag_resource(SecretId=secret_name, TagKeys=["a", "absent"])
    assert sm.describe_secret(SecretId=secret_name)["Tags"] == [{"Key": "b", "Value": "2"}]
    sm.untag_resource(SecretId=secret_name, TagKeys=["b"])
    # Once tagged, a secret without tags answers an empty list; one never tagged answers none (as AWS does).
    assert sm.describe_secret(SecretId=secret_name)["Tags"] == []
    untagged = name()
    sm.create_secret(Name=untagged, SecretString="x")
    assert "Tags" not in sm.describe_secret(SecretId=untagged)
    code, message, _ = aws_error(sm.tag_resource, SecretId="missing-" + secret_name, Tags=[])
    assert code == "ResourceNotFoundException"


def test_resource_policy(sm):
    secret_name = name()
    arn = sm.create_secret(Name=secret_name, SecretString="x")["ARN"]
    empty = sm.get_resource_policy(SecretId=secret_name)
    assert empty["ARN"] == arn and "ResourcePolicy" not in empty
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    assert sm.put_resource_policy(SecretId=secret_name, ResourcePolicy=policy)["Name"] == secret_name
    assert sm.get_resource_policy(SecretId=arn)["ResourcePolicy"] == policy
    assert sm.delete_resource_policy(SecretId=secret_name)["ARN"] == arn
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=secret_name)
    code, _, _ = aws_error(sm.put_resource_policy, SecretId=secret_name, ResourcePolicy="{not json")
    assert code == "MalformedPolicyDocumentException"
    public = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}]})
    code, _, _ = aws_error(sm.put_resource_policy, SecretId=secret_name, ResourcePolicy=public, BlockPublicPolicy=True)
    assert code == "PublicPolicyException"
    sm.put_resource_policy(SecretId=secret_name, ResourcePolicy=public)


def test_named_resource_policies(sm):
    """Only the `default` policy can be attached, read or deleted by a caller; ListResourcePolicies names it."""
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x")
    assert sm.list_resource_policies(SecretId=secret_name)["ResourcePolicies"] == []
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    assert sm.put_resource_policy(SecretId=secret_name, ResourcePolicy=policy)["PolicyName"] == "default"
    assert sm.list_resource_policies(SecretId=secret_name)["ResourcePolicies"] == [{"PolicyName": "default"}]
    got = sm.get_resource_policy(SecretId=secret_name, PolicyName="default")
    assert (got["ResourcePolicy"], got["PolicyName"]) == (policy, "default")
    assert aws_error(sm.get_resource_policy, SecretId=secret_name, PolicyName="other")[0] == "ResourceNotFoundException"
    for call, kw in ((sm.put_resource_policy, {"ResourcePolicy": policy}), (sm.delete_resource_policy, {})):
        assert aws_error(call, SecretId=secret_name, PolicyName="other", **kw)[0] == "InvalidParameterException"
    assert aws_error(sm.list_resource_policies, SecretId=secret_name, NextToken="bogus")[0] == "InvalidNextTokenException"
    assert sm.delete_resource_policy(SecretId=secret_name)["PolicyName"] == "default"
    assert sm.list_resource_policies(SecretId=secret_name, MaxResults=1)["ResourcePolicies"] == []
    assert aws_error(sm.list_resource_policies, SecretId="missing-" + secret_name)[0] == "ResourceNotFoundException"


def test_validate_resource_policy(sm):
    """The checks PutResourcePolicy makes, without storing the policy: a syntax error is an error, broad access a
    failed check."""
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x")
    narrow = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    public = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    passed = sm.validate_resource_policy(ResourcePolicy=narrow)
    assert (passed["PolicyValidationPassed"], passed["ValidationErrors"]) == (True, [])
    assert sm.validate_resource_policy(SecretId=secret_name, ResourcePolicy=narrow)["PolicyValidationPassed"]
    failed = sm.validate_resource_policy(SecretId=secret_name, ResourcePolicy=public)
    assert failed["PolicyValidationPassed"] is False
    assert [entry["CheckName"] for entry in failed["ValidationErrors"]] == ["PUBLIC_POLICY"]
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=secret_name)
    code, message, _ = aws_error(sm.validate_resource_policy, ResourcePolicy="{not json")
    assert (code, message) == ("MalformedPolicyDocumentException", "This resource policy contains a syntax error.")
    code, _, _ = aws_error(sm.validate_resource_policy, SecretId="missing-" + secret_name, ResourcePolicy=narrow)
    assert code == "ResourceNotFoundException"


@pytest.mark.parametrize("statement", [5, None, [], [5], [{"Principal": "*", "Action": "x"}],
                                       [{"Effect": "Maybe", "Principal": "*", "Action": "x"}],
                                       [{"Effect": "Allow", "Principal": "*"}],
                                       [{"Effect": "Allow", "Action": "secretsmanager:*"}],
                                       # IAM's grammar: exactly one of each pair, and lists of one or more.
                                       [{"Effect": "Allow", "Principal": "*", "NotPrincipal": {"AWS": "*"},
                                         "Action": "secretsmanager:*"}],
                                       [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*",
                                         "NotAction": "secretsmanager:DeleteSecret"}],
                                       [{"Effect": "Allow", "Principal": "*", "Action": []}],
                                       [{"Effect": "Allow", "Principal": "*", "Action": 5}],
                                       [{"Effect": "Allow", "Principal": "*", "Action": ["secretsmanager:*", 5]}]])
def test_resource_policy_syntax(sm, statement):
    """A statement needs an Effect of Allow or Deny, exactly one of Action and NotAction and exactly one of
    Principal and NotPrincipal; the document a Statement."""
    document = json.dumps({"Version": "2012-10-17", "Statement": statement})
    code, message, _ = aws_error(sm.validate_resource_policy, ResourcePolicy=document)
    assert (code, message) == ("MalformedPolicyDocumentException", "This resource policy contains a syntax error.")


@pytest.mark.parametrize("principal", [{"Principal": "*"}, {"Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"]}},
                                       {"Principal": {"AWS": "arn:aws:iam::*:root"}}, {"Principal": {"Service": "*"}},
                                       {"Principal": {"AWS": "arn:aws:iam::11112222333?:root"}},
                                       {"NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}])
def test_broad_principals_fail_validation(sm, principal):
    document = json.dumps({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*", **principal}})
    assert sm.validate_resource_policy(ResourcePolicy=document)["PolicyValidationPassed"] is False
    # PutResourcePolicy judges it the same way when asked to block public policies.
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x")
    code, _, _ = aws_error(sm.put_resource_policy, SecretId=secret_name, ResourcePolicy=document, BlockPublicPolicy=True)
    assert code == "PublicPolicyException"
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=secret_name)
    # A condition narrows it, and a Deny grants nothing.
    conditioned = json.loads(document)
    conditioned["Statement"]["Condition"] = {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
    assert sm.validate_resource_policy(ResourcePolicy=json.dumps(conditioned))["PolicyValidationPassed"]
    denied = json.loads(document)
    denied["Statement"]["Effect"] = "Deny"
    assert sm.validate_resource_policy(ResourcePolicy=json.dumps(denied))["PolicyValidationPassed"]


# --- GetRandomPassword -------------------------------------------------------------------------------------

def test_random_password_defaults(sm):
    password = sm.get_random_password()["RandomPassword"]
    assert len(password) == 32
    assert any(c.islower() for c in password) and any(c.isupper() for c in password)
    assert any(c.isdigit() for c in password) and any(c in string.punctuation for c in password)
    assert " " not in password
    assert len({sm.get_random_password()["RandomPassword"] for _ in range(5)}) == 5


def test_random_password_options(sm):
    for _ in range(20):
        password = sm.get_random_password(PasswordLength=4, ExcludeCharacters="aeiouAEIOU0!")["RandomPassword"]
        assert len(password) == 4 and not set(password) & set("aeiouAEIOU0!")
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password) and any(c in string.punctuation for c in password)
    digits = sm.get_random_password(PasswordLength=64, ExcludeLowercase=True, ExcludeUppercase=True,
                                    ExcludePunctuation=True)["RandomPassword"]
    assert len(digits) == 64 and digits.isdigit()
    spaced = sm.get_random_password(PasswordLength=1000, ExcludeNumbers=True, ExcludePunctuation=True,
                                     IncludeSpace=True)["RandomPassword"]
    assert set(spaced) <= set(string.ascii_letters + " ") and " " in spaced
    free = sm.get_random_password(PasswordLength=1, RequireEachIncludedType=False)["RandomPassword"]
    assert len(free) == 1
    assert len(sm.get_random_password(PasswordLength=4096)["RandomPassword"]) == 4096


def test_random_password_errors(sm, client):
    code, message, _ = aws_error(sm.get_random_password, PasswordLength=3)
    assert (code, message) == ("InvalidParameterException", "Password length is too short based on the required types.")
    code, _, _ = aws_error(sm.get_random_password, ExcludeLowercase=True, ExcludeUppercase=True, ExcludeNumbers=True,
                           ExcludePunctuation=True)
    assert code == "InvalidParameterException"
    raw = unvalidated(client, "secretsmanager")
    code, message, _ = aws_error(raw.get_random_password, PasswordLength=4097)
    assert (code, message) == ("ValidationException", "1 validation error detected: Value '4097' at 'passwordLength' "
                               "failed to satisfy constraint: Member must have value less than or equal to 4096")


# --- DeleteSecret / RestoreSecret and the recovery window --------------------------------------------------

def test_delete_with_recovery_window_and_restore(sm):
    secret_name = name()
    arn = sm.create_secret(Name=secret_name, SecretString="keep me")["ARN"]
    deleted = sm.delete_secret(SecretId=secret_name, RecoveryWindowInDays=7)
    assert deleted["ARN"] == arn and deleted["Name"] == secret_name
    described = sm.describe_secret(SecretId=secret_name)
    window = (deleted["DeletionDate"] - described["DeletedDate"]).total_seconds()
    assert abs(window - 7 * DAY) < 5
    for call, args in ((sm.get_secret_value, {}), (sm.put_secret_value, {"SecretString": "y"}),
                       (sm.update_secret, {"Description": "d"}), (sm.list_secret_version_ids, {}),
                       (sm.tag_resource, {"Tags": [{"Key": "k", "Value": "v"}]}),
                       # The resource policy calls too: the Terraform provider takes this answer from
                       # GetResourcePolicy to mean the secret is gone.
                       (sm.get_resource_policy, {}), (sm.delete_resource_policy, {}), (sm.list_resource_policies, {}),
                       (sm.put_resource_policy, {"ResourcePolicy": json.dumps({"Version": "2012-10-17", "Statement": {
                           "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                           "Action": "secretsmanager:*"}})})):
        code, message, _ = aws_error(call, SecretId=secret_name, **args)
        assert (code, message) == MARKED_DELETED, call
    code, message, _ = aws_error(sm.delete_secret, SecretId=secret_name)
    assert (code, message) == ("InvalidRequestException",
                               "You tried to perform the operation on a secret that's currently marked deleted.")
    code, message, _ = aws_error(sm.create_secret, Name=secret_name, SecretString="new")
    assert (code, message) == ("InvalidRequestException", "You can't create this secret because a secret with "
                               "this name is already scheduled for deletion.")
    assert sm.restore_secret(SecretId=secret_name) | {"ResponseMetadata": None} == \
        {"ARN": arn, "Name": secret_name, "ResponseMetadata": None}
    assert "DeletedDate" not in sm.describe_secret(SecretId=secret_name)
    assert sm.get_secret_value(SecretId=secret_name)["SecretString"] == "keep me"


def test_recovery_window_ends_on_the_host_clock(sm, endpoint):
    short, default = name("short"), name("default")
    sm.create_secret(Name=short, SecretString="7 days")
    old_arn = sm.create_secret(Name=default, SecretString="30 days")["ARN"]
    sm.delete_secret(SecretId=short, RecoveryWindowInDays=7)
    deleted = sm.delete_secret(SecretId=default)
    described = sm.describe_secret(SecretId=default)
    assert abs((deleted["DeletionDate"] - described["DeletedDate"]).total_seconds() - 30 * DAY) < 5
    advance_clock(endpoint, 7 * DAY - 60)
    assert sm.describe_secret(SecretId=short)["Name"] == short
    advance_clock(endpoint, 120)
    code, message, _ = aws_error(sm.describe_secret, SecretId=short)
    assert (code, message) == ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
    assert sm.describe_secret(SecretId=default)["Name"] == default
    advance_clock(endpoint, 23 * DAY)
    code, _, _ = aws_error(sm.describe_secret, SecretId=default)
    assert code == "ResourceNotFoundException"
    # The name is free again; the new secret has a new ARN suffix.
    new_arn = sm.create_secret(Name=default, SecretString="again")["ARN"]
    assert new_arn != old_arn
    code, _, _ = aws_error(sm.get_secret_value, SecretId=old_arn)
    assert code == "ResourceNotFoundException"


def test_force_delete(sm):
    secret_name = name()
    arn = sm.create_secret(Name=secret_name, SecretString="x")["ARN"]
    deleted = sm.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    assert deleted["ARN"] == arn and deleted["Name"] == secret_name
    code, _, _ = aws_error(sm.describe_secret, SecretId=secret_name)
    assert code == "ResourceNotFoundException"
    code, _, _ = aws_error(sm.restore_secret, SecretId=secret_name)
    assert code == "ResourceNotFoundException"
    sm.create_secret(Name=secret_name, SecretString="reused at once")
    # A secret already in its recovery window can still be deleted for good.
    sm.delete_secret(SecretId=secret_name, RecoveryWindowInDays=10)
    sm.delete_secret(SecretId=secret_name, ForceDeleteWithoutRecovery=True)
    code, _, _ = aws_error(sm.describe_secret, SecretId=secret_name)
    assert code == "ResourceNotFoundException"
    # A forced deletion is idempotent: deleting what is already gone succeeds.
    assert sm.delete_secret(SecretId=secret_name, ForceDeleteWithoutRecovery=True)["Name"] == secret_name


def test_delete_parameter_errors(sm, client):
    secret_name = name()
    sm.create_secret(Name=secret_name, SecretString="x")
    code, message, _ = aws_error(sm.delete_secret, SecretId=secret_name, RecoveryWindowInDays=7,
                                 ForceDeleteWithoutRecovery=True)
    assert (code, message) == ("InvalidParameterException",
                               "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
    for days in (6, 31):
        code, message, _ = aws_error(sm.delete_secret, SecretId=secret_name, RecoveryWindowInDays=days)
        assert (code, message) == ("InvalidParameterException",
                                   "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
    code, message, _ = aws_error(sm.delete_secret, SecretId="missing-" + secret_name)
    assert (code, message) == ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
    assert "DeletedDate" not in sm.describe_secret(SecretId=secret_name)


def test_last_changed_date_moves_with_every_change_and_only_then(sm, endpoint):
    """DescribeSecret's LastChangedDate: "the last date and time that this secret was modified in any way", tags,
    policies, deletion and restoring included; reading the value is no change."""
    secret = name("changed")
    sm.create_secret(Name=secret, SecretString="v")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::000000000000:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})

    def move_current_back():
        listed = sm.list_secret_version_ids(SecretId=secret)["Versions"]
        holder = {stage: v["VersionId"] for v in listed for stage in v["VersionStages"]}
        sm.update_secret_version_stage(SecretId=secret, VersionStage="AWSCURRENT",
                                       MoveToVersionId=holder["AWSPREVIOUS"], RemoveFromVersionId=holder["AWSCURRENT"])

    changes = [
        lambda: sm.put_secret_value(SecretId=secret, SecretString="v2"),
        lambda: sm.update_secret(SecretId=secret, Description="described"),
        move_current_back,
        lambda: sm.tag_resource(SecretId=secret, Tags=[{"Key": "k", "Value": "v"}]),
        lambda: sm.untag_resource(SecretId=secret, TagKeys=["k"]),
        lambda: sm.put_resource_policy(SecretId=secret, ResourcePolicy=policy),
        lambda: sm.delete_resource_policy(SecretId=secret),
        lambda: sm.delete_secret(SecretId=secret, RecoveryWindowInDays=7),
        lambda: sm.restore_secret(SecretId=secret),
    ]
    last = sm.describe_secret(SecretId=secret)["LastChangedDate"]
    for change in changes:
        advance_clock(endpoint, 10)
        change()
        changed = sm.describe_secret(SecretId=secret)["LastChangedDate"]
        assert (changed - last).total_seconds() >= 10, change
        last = changed
    # Reading the value, and calls that change nothing, are no change.
    advance_clock(endpoint, 10)
    sm.get_secret_value(SecretId=secret)
    sm.untag_resource(SecretId=secret, TagKeys=["absent"])
    sm.delete_resource_policy(SecretId=secret)
    assert sm.describe_secret(SecretId=secret)["LastChangedDate"] == last
