"""The echo plugin, written in C against emu_plugin.h alone, over HTTP and over the service bus.

What it proves about the host: a handler sees the account, region and principal of the caller; a bus call keeps
them, records the calling service in via_service and counts bus_depth; the depth is bounded.
"""

import json

import pytest

from awsemu_host import json_call

ROLE_ARN = "arn:aws:iam::111122223333:role/EchoRole"


def call(endpoint, operation, payload=None, **signing):
    """Calls EchoService.<operation> and returns the response, which must be a 200 with a JSON body."""
    response = json_call(endpoint, f"EchoService.{operation}", json.dumps(payload or {}), **signing)
    assert response.status == 200, response.body
    return response.json()


def call_service(endpoint, service, operation, payload=None, **signing):
    """Asks the echo plugin to call `service`.`operation` over the bus."""
    body = {"Service": service, "Operation": operation, "Input": json.dumps(payload or {})}
    return call(endpoint, "CallService", body, **signing)


@pytest.fixture(scope="module")
def role_credentials(client):
    credentials = client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="echo-session")["Credentials"]
    return dict(access_key=credentials["AccessKeyId"], secret_key=credentials["SecretAccessKey"],
                token=credentials["SessionToken"])


@pytest.mark.parametrize("body", [b"{}", b'{"Message":"hello"}', '{"n":[1,2,{"x":"é ✓"}],"t":true}'.encode(), b""])
def test_echo_answers_the_body_unchanged(endpoint, body):
    response = json_call(endpoint, "EchoService.Echo", body)
    assert response.status == 200
    assert response.body == body
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-requestid"]


def test_who_am_i_reports_the_callers_context(endpoint):
    answer = call(endpoint, "WhoAmI", access_key="123456789012", region="eu-central-1")
    assert answer == {"account_id": "123456789012", "region": "eu-central-1",
                      "principal_arn": "arn:aws:iam::123456789012:root", "via_service": "", "bus_depth": 0}


def test_unsigned_requests_use_the_defaults(endpoint):
    answer = json_call(endpoint, "EchoService.WhoAmI", sign=False).json()
    assert answer["account_id"] == "000000000000" and answer["region"] == "us-east-1"
    assert answer["principal_arn"] == "arn:aws:iam::000000000000:root"


def test_bus_call_to_sts_keeps_the_callers_principal(endpoint, role_credentials):
    answer = call_service(endpoint, "sts", "GetCallerIdentity", **role_credentials, region="ap-southeast-2")
    assumed = "arn:aws:sts::111122223333:assumed-role/EchoRole/echo-session"
    assert answer["http_status"] == 200 and answer["error_code"] == ""
    assert answer["caller"] == {"account_id": "111122223333", "region": "ap-southeast-2", "principal_arn": assumed,
                                "via_service": "", "bus_depth": 0}
    # STS answered (in its Query protocol's XML) for the same principal the echo plugin saw.
    assert f"<Arn>{assumed}</Arn>" in answer["body"]
    assert "<Account>111122223333</Account>" in answer["body"]


def test_bus_call_records_via_service_and_depth(endpoint):
    answer = call_service(endpoint, "echo", "WhoAmI", access_key="123456789012", region="us-west-2")
    callee = json.loads(answer["body"])
    assert callee == {"account_id": "123456789012", "region": "us-west-2",
                      "principal_arn": "arn:aws:iam::123456789012:root", "via_service": "echo", "bus_depth": 1}


def test_bus_call_passes_the_callees_errors_back(endpoint):
    answer = call_service(endpoint, "sts", "AssumeRole", {"RoleSessionName": "s1"})
    assert answer["http_status"] == 400
    assert answer["error_code"] == "MissingParameter"
    assert "RoleArn" in answer["error_message"]


def test_bus_call_to_a_missing_service(endpoint):
    body = json.dumps({"Service": "nosuchservice", "Operation": "Anything"})
    response = json_call(endpoint, "EchoService.CallService", body)
    assert response.status == 400
    assert response.json()["__type"] == "ResourceNotFoundException"


def test_bus_depth_is_bounded(endpoint):
    """A plugin that calls itself forever is stopped by the host, and the error travels back up the chain."""
    payload = {"Service": "echo", "Operation": "WhoAmI"}
    # Ten nested CallService levels (each level's JSON escaping doubles the size, so not many more) against the
    # host's limit of eight.
    for _ in range(10):
        payload = {"Service": "echo", "Operation": "CallService", "Input": json.dumps(payload)}
    answer = call(endpoint, "CallService", payload)
    while answer["error_code"] == "" and answer["http_status"] == 200:
        answer = json.loads(answer["body"])
    assert answer["error_code"] == "LimitExceededException"
    assert answer["http_status"] == 400
    # The CallService at depth 8 could not nest deeper; its caller, at depth 7, received the error.
    assert answer["caller"]["bus_depth"] == 7


def test_call_service_input_is_read_as_json(endpoint):
    """Escapes, other members and nesting around the three members the plugin reads."""
    body = b'{"Note": {"a": ["}", "\\""]}, "Service": "\\u0065cho", "Operation": "WhoAmI", "Input": "{}", "n": 1}'
    response = json_call(endpoint, "EchoService.CallService", body)
    assert response.status == 200, response.body
    assert json.loads(response.json()["body"])["via_service"] == "echo"


@pytest.mark.parametrize("body", [b'{"Service": "sts"', b'{"Service": "\\u00zzts", "Operation": "X"}',
                                  b'{"Operation": "GetCallerIdentity"}', b"[]", b""])
def test_malformed_call_service_input(endpoint, body):
    """The C plugin answers with respond_error_fields (ABI 1.4): its "Reason" member reaches the JSON error beside
    __type and message, and the member whose name is no XML name is dropped by the host."""
    response = json_call(endpoint, "EchoService.CallService", body)
    assert response.status == 400
    error = response.json()
    assert error["__type"] == "ValidationException" and error["message"].startswith("Expected {")
    assert error["Reason"] == "MalformedCallInput"
    assert set(error) == {"__type", "message", "Reason"}


def test_grant_is_for_aws_resource_only_over_the_bus(endpoint, client):
    """kms:GrantIsForAWSResource is true when another service creates the grant on the caller's behalf (over the
    bus, as AWS services integrated with KMS do), false when the caller calls CreateGrant directly."""
    kms = client("kms")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "all", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "grants only for AWS resources", "Effect": "Deny", "Principal": {"AWS": "*"},
         "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "false"}}}]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    grant = {"KeyId": key, "GranteePrincipal": "arn:aws:iam::000000000000:role/app", "Operations": ["Decrypt"]}
    direct = json_call(endpoint, "TrentService.CreateGrant", json.dumps(grant), service="kms")
    assert direct.status == 400 and direct.json()["__type"] == "AccessDeniedException"
    via_bus = call_service(endpoint, "kms", "CreateGrant", grant)
    assert via_bus["http_status"] == 200, via_bus
    assert json.loads(via_bus["body"])["GrantId"]
    assert [g["GranteePrincipal"] for g in kms.list_grants(KeyId=key)["Grants"]] == ["arn:aws:iam::000000000000:role/app"]
