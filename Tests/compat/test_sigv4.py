"""SIGV4_VERIFY=1: signatures checked as AWS checks them, against requests signed by botocore."""

import datetime
import json
import re

import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from awsemu_host import AwsemuHost, make_client, request
from kms_helpers import aws_error
from xks_proxy import _FixedTimeSigV4

ALICE = "arn:aws:iam::000000000000:user/alice"


@pytest.fixture(scope="module")
def verifying_host(tmp_path_factory):
    path = tmp_path_factory.mktemp("principals") / "principals.json"
    path.write_text(json.dumps({"AKIAALICE0000000001": {"arn": ALICE, "secretAccessKey": "alice-secret"}}))
    with AwsemuHost(env={"SIGV4_VERIFY": "1", "EMU_PRINCIPALS": str(path), "SERVICES": "kms,sts"}) as host:
        yield host


def test_correctly_signed_requests_pass(verifying_host):
    make_client(verifying_host.url, "kms").list_keys()
    alice = make_client(verifying_host.url, "sts", aws_access_key_id="AKIAALICE0000000001",
                        aws_secret_access_key="alice-secret")
    assert alice.get_caller_identity()["Arn"] == ALICE
    make_client(verifying_host.url, "kms", aws_access_key_id="AKIAALICE0000000001",
                aws_secret_access_key="alice-secret").create_key(Description="signed, with a body")


def test_wrong_secret_is_refused(verifying_host):
    kms = make_client(verifying_host.url, "kms", aws_access_key_id="AKIAALICE0000000001", aws_secret_access_key="nope")
    code, message, status = aws_error(kms.list_keys)
    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    sts = make_client(verifying_host.url, "sts", aws_access_key_id="AKIAALICE0000000001", aws_secret_access_key="nope")
    code, _, status = aws_error(sts.get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)


def test_missing_signature(verifying_host):
    response = request(verifying_host.url, "POST", "/", b"{}", {"X-Amz-Target": "TrentService.ListKeys",
                                                                 "Content-Type": "application/x-amz-json-1.1"})
    assert response.status == 400
    assert response.json()["__type"] == "MissingAuthenticationTokenException"
    response = request(verifying_host.url, "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
                       {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 403 and b"MissingAuthenticationToken" in response.body


@pytest.mark.parametrize("minutes, wording", [
    (-20, r"Signature expired: (\S+) is now earlier than (\S+) \((\S+) - 15 min\.\)"),
    (20, r"Signature not yet current: (\S+) is still later than (\S+) \((\S+) \+ 15 min\.\)"),
], ids=["past", "future"])
def test_a_signature_outside_the_15_minutes(verifying_host, minutes, wording):
    """Signed 20 minutes off the host's clock: refused in AWS's words, with AWS's X-Amz-Date timestamps."""
    body = b"{}"
    headers = {"X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"}
    now = datetime.datetime.now(datetime.timezone.utc)
    signed_at = (now + datetime.timedelta(minutes=minutes)).strftime("%Y%m%dT%H%M%SZ")
    aws_request = AWSRequest(method="POST", url=verifying_host.url + "/", data=body, headers=headers)
    _FixedTimeSigV4(Credentials("test", "test"), "kms", "us-east-1", signed_at).add_auth(aws_request)
    response = request(verifying_host.url, "POST", "/", body, dict(aws_request.headers.items()))
    assert response.status == 400
    error = response.json()
    assert error["__type"] == "InvalidSignatureException"
    match = re.fullmatch(wording, error["message"])
    assert match, error["message"]
    _, limit, host_now = (datetime.datetime.strptime(t, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
                               for t in match.groups())
    assert match.group(1) == signed_at
    assert abs((host_now - now).total_seconds()) < 60
    assert (limit - host_now).total_seconds() == (-900 if minutes < 0 else 900)


def test_verification_is_off_by_default(endpoint):
    make_client(endpoint, "kms", aws_secret_access_key="anything").list_keys()
