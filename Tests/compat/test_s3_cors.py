"""S3 bucket CORS: PutBucketCors, GetBucketCors and DeleteBucketCors through boto3, and what browsers see: the
preflight OPTIONS and the CORS headers on actual requests, as AWS answered the requests LocalStack recorded
(`test_s3_cors.snapshot.json`)."""

import http.client
import urllib.parse

import pytest

from awsemu_host import AwsemuHost, make_client, persistent_host, error_of as error

RULES = [
    {"AllowedOrigins": ["http://*.example.com"], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["x-amz-*", "Content-Type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300},
    {"ID": "anyone-reads", "AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"]},
]
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
               "by the resource's CORS spec.")


def send(endpoint, method, path, headers):
    """A raw request, as a browser sends it (unsigned); returns the status, the CORS headers and the body."""
    parsed = urllib.parse.urlsplit(endpoint)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        cors = {k: v for k, v in response.getheaders() if k.lower().startswith("access-control-") or k == "Vary"}
        return response.status, cors, response.read()
    finally:
        connection.close()


def test_configuration_round_trip(s3, bucket):
    assert error(s3.get_bucket_cors, Bucket=bucket) == {
        "Code": "NoSuchCORSConfiguration", "Message": "The CORS configuration does not exist", "BucketName": bucket}
    assert s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    # Only the members given, in the case given.
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == RULES
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error(s3.get_bucket_cors, Bucket=bucket)["Code"] == "NoSuchCORSConfiguration"
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


@pytest.mark.parametrize("rules, expected", [
    ([{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}],
     {"Code": "InvalidRequest", "Message": "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"}),
    ([{"AllowedOrigins": ["*example*.com"], "AllowedMethods": ["GET"]}],
     {"Code": "InvalidRequest", "Message": 'AllowedOrigin "*example*.com" can not have more than one wildcard.'}),
    ([], {"Code": "MalformedXML"}),
])
def test_refusals(s3, bucket, rules, expected):
    got = error(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert {k: got[k] for k in expected} == expected


def test_preflight_without_rules(endpoint, s3, bucket):
    status, cors, body = send(endpoint, "OPTIONS", f"/{bucket}/key",
                              {"Origin": "http://a.example.com", "Access-Control-Request-Method": "PUT"})
    assert (status, cors) == (403, {})
    assert b"<Code>AccessForbidden</Code><Message>CORSResponse: CORS is not enabled for this bucket.</Message>" \
        b"<Method>PUT</Method><ResourceType>BUCKET</ResourceType>" in body
    status, _, body = send(endpoint, "OPTIONS", "/no-such-bucket-cors/key",
                           {"Origin": "http://a.example.com", "Access-Control-Request-Method": "GET"})
    assert status == 403 and b"<Message>CORSResponse: Bucket not found</Message><Method>OPTIONS</Method>" in body
    status, _, body = send(endpoint, "OPTIONS", f"/{bucket}/key", {"Access-Control-Request-Method": "PUT"})
    assert status == 400 and b"<Code>BadRequest</Code><Message>Insufficient information. Origin request header " \
        b"needed.</Message>" in body


def test_preflight_answers_from_the_first_matching_rule(endpoint, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    status, cors, body = send(endpoint, "OPTIONS", f"/{bucket}/key", {
        "Origin": "http://app.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Amz-Date, content-TYPE"})
    assert (status, body) == (200, b"")
    assert cors == {"Access-Control-Allow-Origin": "http://app.example.com", "Access-Control-Allow-Methods": "GET, PUT",
                    "Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "ETag",
                    "Access-Control-Max-Age": "300", "Vary": VARY,
                    "Access-Control-Allow-Headers": "x-amz-date, content-type"}
    # A rule open to every origin answers "*" and allows no credentials.
    status, cors, _ = send(endpoint, "OPTIONS", f"/{bucket}/key",
                           {"Origin": "http://elsewhere.org", "Access-Control-Request-Method": "HEAD"})
    assert status == 200 and cors == {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
                                      "Vary": VARY}


@pytest.mark.parametrize("path, headers, resource", [
    ("/{bucket}/key", {"Origin": "http://elsewhere.org", "Access-Control-Request-Method": "PUT"}, "OBJECT"),
    ("/{bucket}", {"Origin": "http://elsewhere.org", "Access-Control-Request-Method": "DELETE"}, "BUCKET"),
    # The wildcard does not stretch over a trailing slash or another scheme.
    ("/{bucket}/key", {"Origin": "http://app.example.com/", "Access-Control-Request-Method": "PUT"}, "OBJECT"),
    ("/{bucket}/key", {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}, "OBJECT"),
    # A requested header no rule allows.
    ("/{bucket}/key", {"Origin": "http://app.example.com", "Access-Control-Request-Method": "PUT",
                       "Access-Control-Request-Headers": "x-custom"}, "OBJECT"),
])
def test_preflight_refused(endpoint, s3, bucket, path, headers, resource):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    status, cors, body = send(endpoint, "OPTIONS", path.format(bucket=bucket), headers)
    assert (status, cors) == (403, {})
    method = headers["Access-Control-Request-Method"]
    assert f"<Method>{method}</Method><ResourceType>{resource}</ResourceType>".encode() in body
    assert f"<Message>{NOT_ALLOWED}</Message>".replace("'", "&apos;").encode() in body


def test_actual_requests_carry_cors_headers_only_when_allowed(endpoint, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    s3.put_object(Bucket=bucket, Key="key", Body=b"body")
    status, cors, body = send(endpoint, "GET", f"/{bucket}/key", {"Origin": "http://app.example.com"})
    assert (status, body) == (200, b"body")
    assert cors == {"Access-Control-Allow-Origin": "http://app.example.com", "Access-Control-Allow-Methods": "GET, PUT",
                    "Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "ETag",
                    "Access-Control-Max-Age": "300", "Vary": VARY}
    # Served either way; without a matching rule there are no CORS headers.
    status, cors, _ = send(endpoint, "DELETE", f"/{bucket}/other", {"Origin": "http://elsewhere.org"})
    assert (status, cors) == (204, {})
    # An actual request that names a method is judged by that method, not its own: this GET names PUT, which only
    # the first rule allows (its headers are the first rule's, credentials included).
    status, cors, _ = send(endpoint, "GET", f"/{bucket}/key", {"Origin": "http://app.example.com",
                                                                "Access-Control-Request-Method": "PUT"})
    assert status == 200 and cors["Access-Control-Allow-Methods"] == "GET, PUT"
    status, cors, _ = send(endpoint, "GET", f"/{bucket}/key", {"Origin": "http://other.org",
                                                                "Access-Control-Request-Method": "PUT"})
    assert (status, cors) == (200, {})
    # Requests to the bucket itself carry them too.
    status, cors, _ = send(endpoint, "GET", f"/{bucket}", {"Origin": "http://other.org"})
    assert status == 200 and cors["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_naming_no_method_is_refused(endpoint, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    status, cors, body = send(endpoint, "OPTIONS", f"/{bucket}/key", {"Origin": "http://app.example.com"})
    assert (status, cors) == (403, {})
    assert b"<Method>OPTIONS</Method><ResourceType>OBJECT</ResourceType>" in body


def test_rules_survive_a_restart(tmp_path):
    with persistent_host(tmp_path) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="cors-kept")
        s3.put_bucket_cors(Bucket="cors-kept", CORSConfiguration={"CORSRules": RULES})
    with persistent_host(tmp_path) as host:
        assert make_client(host.url, "s3").get_bucket_cors(Bucket="cors-kept")["CORSRules"] == RULES
        status, cors, _ = send(host.url, "OPTIONS", "/cors-kept/k",
                               {"Origin": "http://a.example.com", "Access-Control-Request-Method": "GET"})
        assert status == 200 and cors["Access-Control-Allow-Origin"] == "http://a.example.com"


def test_odd_preflights(endpoint, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*", "http://named.example"], "AllowedMethods": ["GET"], "AllowedHeaders": ["*"]}]})
    # An empty Origin is no Origin.
    status, _, body = send(endpoint, "OPTIONS", f"/{bucket}/k", {"Origin": "", "Access-Control-Request-Method": "GET"})
    assert status == 400 and b"Origin request header needed" in body
    # A rule open to every origin answers "*" without credentials, even for an origin it also names.
    status, cors, _ = send(endpoint, "OPTIONS", f"/{bucket}/k",
                           {"Origin": "http://named.example", "Access-Control-Request-Method": "GET"})
    assert status == 200 and cors["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in cors
    # Repeated requested headers are answered once; more than 100 distinct ones are allowed by no rule.
    status, cors, _ = send(endpoint, "OPTIONS", f"/{bucket}/k", {
        "Origin": "http://x.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-A, x-a, x-b"})
    assert status == 200 and cors["Access-Control-Allow-Headers"] == "x-a, x-b"
    many = ", ".join(f"x-h{i}" for i in range(101))
    status, _, _ = send(endpoint, "OPTIONS", f"/{bucket}/k", {
        "Origin": "http://x.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": many})
    assert status == 403


def test_cors_and_lifecycle_are_not_object_sub_resources(endpoint, s3, bucket):
    """?cors and ?lifecycle on an object URL are refused, not taken as a PUT or DELETE of the object."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    for method in ("PUT", "DELETE"):
        for sub in ("cors", "lifecycle"):
            status, _, body = send(endpoint, method, f"/{bucket}/k?{sub}", {})
            assert status == 501 and b"<Code>NotImplemented</Code>" in body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"


def test_configurations_are_bounded(s3, bucket):
    huge = [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "AllowedHeaders": [f"x-header-{i}" for i in range(100)]}
            for i in range(30)]
    got = error(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": huge})
    assert got["Code"] == "InvalidRequest" and "64 KB" in got["Message"]
    bad = error(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "ExposeHeaders": ["x\r\ny"]}]})
    assert bad["Code"] == "InvalidRequest"


def test_preflight_needs_no_signature(tmp_path):
    """Under SIGV4_VERIFY=1 a preflight is still answered: browsers send it without credentials."""
    with AwsemuHost(env={"SIGV4_VERIFY": "1", "SERVICES": "kms,s3"}) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="cors-verified")
        s3.put_bucket_cors(Bucket="cors-verified", CORSConfiguration={"CORSRules": RULES})
        status, cors, _ = send(host.url, "OPTIONS", "/cors-verified/upload?X-Amz-Signature=abc",
                               {"Origin": "http://a.example.com", "Access-Control-Request-Method": "PUT"})
        assert status == 200 and cors["Access-Control-Allow-Origin"] == "http://a.example.com"
        # Anything else unsigned is still refused.
        status, _, _ = send(host.url, "GET", "/cors-verified/upload", {"Origin": "http://a.example.com"})
        assert status == 403


@pytest.mark.parametrize("rule, code", [
    ({"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "MaxAgeSeconds": -5}, "MalformedXML"),
    ({"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "AllowedHeaders": ["x-*-*"]}, "InvalidRequest"),
    ({"ID": "i" * 256, "AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}, "InvalidArgument"),
])
def test_rule_refusals(s3, bucket, rule, code):
    assert error(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})["Code"] == code
