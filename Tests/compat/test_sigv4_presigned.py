"""SIGV4_VERIFY=1 with presigned S3 URLs: made by boto3 and botocore, checked as S3 checks query-string signatures
(expiry, the 15 minutes of skew, every parameter, the signature over UNSIGNED-PAYLOAD)."""

import datetime
import json
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.config
import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from awsemu_host import AwsemuHost, make_client, request
from xks_proxy import FixedTimestamp

ALICE_KEY, ALICE_SECRET = "AKIAALICE0000000001", "alice-secret"


class _FixedTimeQueryAuth(FixedTimestamp, S3SigV4QueryAuth):
    """botocore's presigning with a chosen X-Amz-Date instead of now."""

    def __init__(self, credentials, region, expires, timestamp):
        super().__init__(credentials, "s3", region, expires=expires)
        self.timestamp = timestamp


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    path = tmp_path_factory.mktemp("principals") / "principals.json"
    path.write_text(json.dumps({ALICE_KEY: {"arn": "arn:aws:iam::000000000000:user/alice",
                                            "secretAccessKey": ALICE_SECRET}}))
    with AwsemuHost(env={"SIGV4_VERIFY": "1", "EMU_PRINCIPALS": str(path), "SERVICES": "s3,kms,sts"}) as running:
        s3 = make_client(running.url, "s3", aws_access_key_id=ALICE_KEY, aws_secret_access_key=ALICE_SECRET)
        s3.create_bucket(Bucket="presigned")
        s3.put_object(Bucket="presigned", Key="kept.txt", Body=b"kept")
        yield running


def alice(host, **kw):
    return make_client(host.url, "s3", aws_access_key_id=ALICE_KEY, aws_secret_access_key=ALICE_SECRET, **kw)


# boto3 presigns with Signature Version 2 unless told otherwise.
SIGV4 = botocore.config.Config(signature_version="s3v4")


def fetch(url, method="GET", body=b"", headers=None):
    """Sends a presigned URL as a browser or curl would: no Authorization header. Returns (status, body)."""
    parsed = urllib.parse.urlsplit(url)
    response = request(f"{parsed.scheme}://{parsed.netloc}", method, f"{parsed.path}?{parsed.query}", body, headers)
    return response.status, response.body


def s3_error(body):
    error = ET.fromstring(body)
    return error.findtext("Code"), error.findtext("Message")


def presigned(host, key="kept.txt", expires=3600, signed_at=None, secret=ALICE_SECRET, query=""):
    """A GET URL for `key`, signed at `signed_at` (default now) by botocore's S3 query signer; `query` adds
    parameters that are signed with the rest."""
    timestamp = (signed_at or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    aws_request = AWSRequest(method="GET", url=f"{host.url}/presigned/{key}" + (f"?{query}" if query else ""))
    _FixedTimeQueryAuth(Credentials(ALICE_KEY, secret), "us-east-1", expires, timestamp).add_auth(aws_request)
    return aws_request.url


def test_presigned_put_and_get_from_boto3_pass(host):
    s3 = alice(host, config=SIGV4)
    key = "folder/with space/ü+plus.txt"
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "presigned", "Key": key}, ExpiresIn=300)
    assert "X-Amz-Signature=" in put_url and "X-Amz-Expires=300" in put_url
    assert fetch(put_url, "PUT", b"uploaded through a presigned URL")[0] == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": key})
    assert fetch(get_url) == (200, b"uploaded through a presigned URL")
    assert s3.get_object(Bucket="presigned", Key=key)["Body"].read() == b"uploaded through a presigned URL"
    # The default user's secret is `test`, as for signed headers.
    test_url = make_client(host.url, "s3", config=SIGV4).generate_presigned_url(
        "get_object", Params={"Bucket": "presigned", "Key": "kept.txt"})
    assert fetch(test_url) == (200, b"kept")


def test_signature_version_2_is_refused_as_s3_refuses_it(host):
    """boto3's default presigned URL and a SigV2 Authorization header: S3 takes SigV4 only for new buckets."""
    expected = (400, ("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use "
                                        "AWS4-HMAC-SHA256."))
    url = alice(host).generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "kept.txt"})
    assert "AWSAccessKeyId=" in url
    status, body = fetch(url)
    assert (status, s3_error(body)) == expected
    response = request(host.url, "GET", "/presigned/kept.txt", headers={"Authorization": f"AWS {ALICE_KEY}:c2lnbmF0dXJl"})
    assert (response.status, s3_error(response.body)) == expected


def test_temporary_credentials_signed_headers_and_a_hash_in_the_query(host):
    """An STS session's URL (X-Amz-Security-Token is signed), a PUT whose Content-Type is signed, and a URL in the
    JavaScript SDK v3's shape (x-id and X-Amz-Content-Sha256 in the query) whose sender adds an unsigned
    x-amz-content-sha256 header."""
    credentials = make_client(host.url, "sts", aws_access_key_id=ALICE_KEY, aws_secret_access_key=ALICE_SECRET) \
        .assume_role(RoleArn="arn:aws:iam::000000000000:role/presigner", RoleSessionName="presign")["Credentials"]
    session = make_client(host.url, "s3", aws_access_key_id=credentials["AccessKeyId"],
                          aws_secret_access_key=credentials["SecretAccessKey"],
                          aws_session_token=credentials["SessionToken"], config=SIGV4)
    url = session.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "kept.txt"})
    assert "X-Amz-Security-Token=" in url
    assert fetch(url) == (200, b"kept")
    status, body = fetch(url.replace("X-Amz-Security-Token=", "X-Amz-Security-Token=x"))
    assert (status, s3_error(body)[0]) == (403, "SignatureDoesNotMatch")

    put_url = alice(host, config=SIGV4).generate_presigned_url(
        "put_object", Params={"Bucket": "presigned", "Key": "typed.txt", "ContentType": "text/plain"})
    assert "content-type" in urllib.parse.parse_qs(urllib.parse.urlsplit(put_url).query)["X-Amz-SignedHeaders"][0]
    status, body = fetch(put_url, "PUT", b"<b>", {"Content-Type": "text/html"})
    assert (status, s3_error(body)[0]) == (403, "SignatureDoesNotMatch")
    assert fetch(put_url, "PUT", b"typed", {"Content-Type": "text/plain"})[0] == 200

    url = presigned(host, query="x-id=GetObject&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD")
    assert fetch(url, headers={"x-amz-content-sha256": "0" * 64}) == (200, b"kept")


def test_a_presigned_url_with_an_authorization_header_is_refused(host):
    """S3 takes one way of authenticating per request; clients that add their own header to a presigned URL are
    told so."""
    expected = (400, ("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                                         "parameter, Signature query string parameter or the Authorization header "
                                         "should be specified"))
    v2 = alice(host).generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "kept.txt"})
    for url in (presigned(host), v2):
        for header in ("Bearer abc", f"AWS4-HMAC-SHA256 Credential={ALICE_KEY}/20260101/us-east-1/s3/aws4_request, "
                                     "SignedHeaders=host, Signature=00"):
            status, body = fetch(url, headers={"Authorization": header})
            assert (status, s3_error(body)) == expected, (url, header)


def test_a_wrong_secret_or_a_changed_url_does_not_match(host):
    message = ("The request signature we calculated does not match the signature you provided. Check your AWS "
               "Secret Access Key and signing method. Consult the service documentation for details.")
    status, body = fetch(presigned(host, secret="not-alices"))
    assert (status, s3_error(body)) == (403, ("SignatureDoesNotMatch", message))
    good = presigned(host)
    assert fetch(good) == (200, b"kept")
    for changed in (good.replace("kept.txt", "other.txt"), good + "&response-content-type=text%2Fhtml",
                    good.replace("X-Amz-Expires=3600", "X-Amz-Expires=3000")):
        status, body = fetch(changed)
        assert (status, s3_error(body)[0]) == (403, "SignatureDoesNotMatch"), changed
    # Signed for GET, sent as a DELETE.
    status, body = fetch(good, "DELETE")
    assert (status, s3_error(body)[0]) == (403, "SignatureDoesNotMatch")
    assert alice(host).get_object(Bucket="presigned", Key="kept.txt")["Body"].read() == b"kept"


@pytest.mark.parametrize("minutes, expires, expected", [
    (-120, 3600, (403, "AccessDenied", "Request has expired")),
    (-2, 60, (403, "AccessDenied", "Request has expired")),
    (-2, 180, (200, None, None)),
    (20, 3600, (403, "AccessDenied", "Request is not yet valid")),
    (10, 3600, (200, None, None)),
], ids=["two-hours-old", "past-its-minute", "within-its-time", "20-minutes-ahead", "10-minutes-ahead"])
def test_expiry_and_skew(host, minutes, expires, expected):
    signed_at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    status, body = fetch(presigned(host, expires=expires, signed_at=signed_at))
    assert (status, *(s3_error(body) if status != 200 else (None, None))) == expected


@pytest.mark.parametrize("change, message", [
    (("X-Amz-Expires=3600", "X-Amz-Expires=604801"), "X-Amz-Expires must be less than a week (in seconds); that "
     "is, the given X-Amz-Expires must be less than 604800 seconds"),
    (("X-Amz-Expires=3600", "X-Amz-Expires=soon"), "X-Amz-Expires should be a number"),
    (("X-Amz-Expires=3600", "X-Amz-Expires=-1"), "X-Amz-Expires must be non-negative"),
    (("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
     'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
    (("X-Amz-Date=", "X-Amz-Date=2026"), "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""),
    (("X-Amz-Credential=", "X-Amz-Credential=nobody%2F"), "Error parsing the X-Amz-Credential parameter; the "
     "Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."),
    (("X-Amz-SignedHeaders=", "X-Amz-Unsigned="), "Query-string authentication version 4 requires the "
     "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires "
     "parameters."),
], ids=["a-week-and-a-second", "not-a-number", "negative", "algorithm", "date", "credential", "missing"])
def test_malformed_parameters_are_refused_in_s3s_words(host, change, message):
    url = presigned(host)
    assert change[0] in url
    status, body = fetch(url.replace(change[0], change[1], 1))
    assert (status, s3_error(body)) == (400, ("AuthorizationQueryParametersError", message))


def test_a_url_expires_when_the_host_clock_moves_past_it():
    """POST /_emu/clock moves presigned expiry forward too, so a test need not wait for a URL to expire."""
    with AwsemuHost(env={"SIGV4_VERIFY": "1", "SERVICES": "s3"}) as own:
        s3 = make_client(own.url, "s3", config=SIGV4)
        s3.create_bucket(Bucket="clocked")
        s3.put_object(Bucket="clocked", Key="k", Body=b"v")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "clocked", "Key": "k"}, ExpiresIn=60)
        assert fetch(url) == (200, b"v")
        assert request(own.url, "POST", "/_emu/clock", b'{"advanceSeconds": 61}').status == 200
        status, body = fetch(url)
        assert (status, s3_error(body)) == (403, ("AccessDenied", "Request has expired"))
        # Header-signed requests keep following the real clock, which the client's own clock follows.
        assert s3.get_object(Bucket="clocked", Key="k")["Body"].read() == b"v"
