"""ListObjectVersions (GET /bucket?versions) through boto3 and raw HTTP. Versioning cannot be enabled on this host, so
every bucket is one whose versioning was never enabled: each object has one version, "null", the latest. Clients
list versions anyway, to empty a bucket before deleting it (boto3's `bucket.object_versions.delete()`, Terraform's
`force_destroy`), and that must work here as on AWS."""

import uuid
import xml.etree.ElementTree as ET

import boto3
import pytest

from awsemu_host import request, error_of as error

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
KEYS = ["a", "b/1", "b/2", "c d", "e+f", "é/x"]




@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_every_object_is_its_null_version_and_the_latest(s3, filled):
    versions = s3.list_object_versions(Bucket=filled)
    objects = {o["Key"]: o for o in s3.list_objects_v2(Bucket=filled, FetchOwner=True)["Contents"]}
    assert [v["Key"] for v in versions["Versions"]] == sorted(KEYS, key=lambda k: k.encode())
    assert "DeleteMarkers" not in versions and versions["IsTruncated"] is False
    for version in versions["Versions"]:
        listed = objects[version["Key"]]
        assert version["VersionId"] == "null" and version["IsLatest"] is True
        for field in ("ETag", "Size", "StorageClass", "LastModified", "Owner", "ChecksumAlgorithm"):
            assert version[field] == listed[field], field
    # The version id is one GET, HEAD and tagging accept.
    assert s3.get_object(Bucket=filled, Key="c d", VersionId="null")["Body"].read() == b"c d"


def test_prefix_delimiter_and_pages(s3, filled):
    page = s3.list_object_versions(Bucket=filled, Prefix="b/")
    assert [v["Key"] for v in page["Versions"]] == ["b/1", "b/2"] and page["Prefix"] == "b/"
    rolled = s3.list_object_versions(Bucket=filled, Delimiter="/")
    assert [v["Key"] for v in rolled["Versions"]] == ["a", "c d", "e+f"]
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["b/", "é/"]
    # One entry a page: a key resumes after its null version, a common prefix after everything under it.
    paginator = s3.get_paginator("list_object_versions")
    pages = list(paginator.paginate(Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": 1}))
    entries = [(v["Key"] for v in p.get("Versions", [])) for p in pages]
    listed = [k for e in entries for k in e] + [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])]
    assert sorted(listed) == sorted(["a", "b/", "c d", "e+f", "é/"])
    first = pages[0]
    assert first["IsTruncated"] and first["NextKeyMarker"] == "a" and first["NextVersionIdMarker"] == "null"
    after_prefix = next(p for p in pages if p.get("CommonPrefixes") == [{"Prefix": "b/"}])
    assert after_prefix["NextKeyMarker"] == "b/" and "NextVersionIdMarker" not in after_prefix
    assert pages[-1]["IsTruncated"] is False and "NextKeyMarker" not in pages[-1]


def test_resuming_from_a_key_and_its_null_version(s3, filled):
    for marker in ({"KeyMarker": "b/1"}, {"KeyMarker": "b/1", "VersionIdMarker": "null"}):
        page = s3.list_object_versions(Bucket=filled, **marker)
        assert [v["Key"] for v in page["Versions"]] == ["b/2", "c d", "e+f", "é/x"]
        assert page["KeyMarker"] == "b/1" and page["VersionIdMarker"] == marker.get("VersionIdMarker", "")
    # A marker that is no key resumes at the next key after it.
    assert [v["Key"] for v in s3.list_object_versions(Bucket=filled, KeyMarker="b")["Versions"]][:1] == ["b/1"]
    empty = s3.list_object_versions(Bucket=filled, MaxKeys=0)
    assert "Versions" not in empty and empty["IsTruncated"] is False and empty["MaxKeys"] == 0


def test_marker_refusals(s3, filled):
    assert error(s3.list_object_versions, Bucket=filled, VersionIdMarker="null") == {
        "Code": "InvalidArgument", "Message": "A version-id marker cannot be specified without a key marker.",
        "ArgumentName": "version-id-marker", "ArgumentValue": "null"}
    assert error(s3.list_object_versions, Bucket=filled, KeyMarker="a", VersionIdMarker="3HL4kqtJlcpXroDTDmJ") == {
        "Code": "InvalidArgument", "Message": "Invalid version id specified",
        "ArgumentName": "version-id-marker", "ArgumentValue": "3HL4kqtJlcpXroDTDmJ"}
    assert error(s3.list_object_versions, Bucket=f"missing-{uuid.uuid4().hex[:8]}")["Code"] == "NoSuchBucket"


@pytest.mark.parametrize("query, message, argument", [
    ("max-keys=-1", "max-keys cannot be negative", ("max-keys", None)),
    ("max-keys=abc", "Provided max-keys not an integer or within integer range", ("max-keys", "abc")),
    ("max-keys=2147483648", "Provided max-keys not an integer or within integer range", ("max-keys", "2147483648")),
    ("version-id-marker=", "A version-id marker cannot be specified without a key marker.", ("version-id-marker", "")),
    ("key-marker=a&version-id-marker=", "A version-id marker cannot be empty.", ("version-id-marker", "")),
    ("encoding-type=xml", "Invalid Encoding Method specified in Request", ("encoding-type", "xml")),
    # max-keys is judged first, then the version marker, then the encoding.
    ("encoding-type=xml&version-id-marker=x&max-keys=-1", "max-keys cannot be negative", ("max-keys", None)),
    ("encoding-type=xml&version-id-marker=x", "A version-id marker cannot be specified without a key marker.",
     ("version-id-marker", "x")),
])
def test_raw_refusals_as_s3_words_them(endpoint, filled, query, message, argument):
    response = request(endpoint, "GET", f"/{filled}?versions&{query}")
    assert response.status == 400, response.body
    root = ET.fromstring(response.body)
    assert (root.findtext("Code"), root.findtext("Message")) == ("InvalidArgument", message)
    # An empty value is an empty element (<ArgumentValue/>); None, no element at all.
    assert (root.findtext("ArgumentName"), root.findtext("ArgumentValue")) == argument


def test_empty_parameters_count_as_given(endpoint, filled):
    # An empty max-keys is the default; an empty key-marker is a marker before every key; an empty delimiter is
    # echoed and groups nothing.
    root = ET.fromstring(request(endpoint, "GET", f"/{filled}?versions&max-keys=&key-marker=&version-id-marker=null"
                                                  "&delimiter=").body)
    assert root.findtext(f"{NS}MaxKeys") == "1000" and root.findtext(f"{NS}VersionIdMarker") == "null"
    assert root.find(f"{NS}Delimiter") is not None and root.find(f"{NS}CommonPrefixes") is None
    assert len(root.findall(f"{NS}Version")) == len(KEYS)


def test_deleting_a_version_that_does_not_exist_removes_nothing(endpoint, s3, filled):
    # Only "null" exists on a bucket whose versioning was never enabled: another id is refused, and the object stays.
    assert error(s3.delete_object, Bucket=filled, Key="a", VersionId="3HL4kqtJlcpXroDTDmJ") == {
        "Code": "InvalidArgument", "Message": "Invalid version id specified",
        "ArgumentName": "versionId", "ArgumentValue": "3HL4kqtJlcpXroDTDmJ"}
    answer = s3.delete_objects(Bucket=filled, Delete={"Objects": [
        {"Key": "b/1", "VersionId": "3HL4kqtJlcpXroDTDmJ"}, {"Key": "b/2", "VersionId": "null"}]})
    assert answer["Errors"] == [{"Key": "b/1", "VersionId": "3HL4kqtJlcpXroDTDmJ", "Code": "NoSuchVersion",
                                 "Message": "The specified version does not exist."}]
    assert answer["Deleted"] == [{"Key": "b/2", "VersionId": "null"}]
    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=filled)["Contents"]]
    assert "a" in remaining and "b/1" in remaining and "b/2" not in remaining
    # The null version is the object itself.
    assert s3.delete_object(Bucket=filled, Key="a", VersionId="null")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error(s3.head_object, Bucket=filled, Key="a")["Code"] == "404"


def test_emptying_a_bucket_the_way_boto3_does(endpoint, s3, filled):
    resource = boto3.resource("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                              region_name="us-east-1")
    bucket = resource.Bucket(filled)
    [deleted] = bucket.object_versions.delete()
    assert sorted(d["Key"] for d in deleted["Deleted"]) == sorted(KEYS)
    assert {d["VersionId"] for d in deleted["Deleted"]} == {"null"}
    bucket.delete()
    assert filled not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_the_raw_answer(endpoint, s3, filled):
    response = request(endpoint, "GET", f"/{filled}?versions&max-keys=2&prefix=&encoding-type=url")
    assert response.status == 200, response.body
    root = ET.fromstring(response.body)
    assert root.tag == f"{NS}ListVersionsResult"
    assert [child.tag.removeprefix(NS) for child in root] == [
        "Name", "Prefix", "KeyMarker", "VersionIdMarker", "NextKeyMarker", "NextVersionIdMarker", "MaxKeys",
        "EncodingType", "IsTruncated", "Version", "Version"]
    version = root.find(f"{NS}Version")
    assert [child.tag.removeprefix(NS) for child in version] == [
        "Key", "VersionId", "IsLatest", "LastModified", "ETag", "ChecksumAlgorithm", "ChecksumType", "Size",
        "Owner", "StorageClass"]
    # With encoding-type=url the keys come encoded, a space as "+" and a "+" as "%2B".
    keys = request(endpoint, "GET", f"/{filled}?versions&prefix=&encoding-type=url&key-marker=b%2F2").body
    assert [k.text for k in ET.fromstring(keys).iter(f"{NS}Key")] == ["c+d", "e%2Bf", "%C3%A9/x"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_versions_is_only_read(endpoint, filled, method):
    response = request(endpoint, method, f"/{filled}?versions")
    assert response.status == 405, response.body
    # On an object it names nothing this host serves.
    assert request(endpoint, "GET", f"/{filled}/a?versions").status == 501
