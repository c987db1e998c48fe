"""S3 object and bucket tagging through boto3: PutObject's `x-amz-tagging`, the ?tagging sub-resource of objects
and buckets, CopyObject's tagging directive and multipart uploads. Codes, messages and error members are those AWS
answered recorded requests."""

import base64
import hashlib
import uuid
import xml.etree.ElementTree as ET

import pytest

from awsemu_host import make_client, persistent_host, request, error_of as error




def test_object_tags_from_the_upload_header(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="team=kms&note=two%20words&flag")
    # A name without "=" is a tag with an empty value.
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [
        {"Key": "team", "Value": "kms"}, {"Key": "note", "Value": "two words"}, {"Key": "flag", "Value": ""}]
    # GET and HEAD count the tags (HeadObject's TagCount is in S3's current model).
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 3
    assert s3.head_object(Bucket=bucket, Key="k")["TagCount"] == 3
    # Writing the object again without tags removes them.
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="k")


@pytest.mark.parametrize("header", ["a=1&a=2", "k=v,w"])
def test_a_bad_tagging_header_is_named(s3, bucket, header):
    assert error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", Tagging=header) == {
        "Code": "InvalidArgument",
        "Message": "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
                   "without tag name duplicates.",
        "ArgumentName": "x-amz-tagging", "ArgumentValue": header}


def test_put_get_delete_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="old=1")
    tags = [{"Key": "project", "Value": "awsemu"}, {"Key": "empty", "Value": ""}, {"Key": "ünï cödé", "Value": "@+-=._:/"}]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tags})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == tags
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 3
    response = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    # An empty TagSet removes the tags too.
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tags})
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": []})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []


def test_object_tagging_refusals(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")

    def put(tags):
        return error(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": tags})

    assert put([{"Key": f"k{i}", "Value": "v"} for i in range(11)]) == {
        "Code": "BadRequest", "Message": "Object tags cannot be greater than 10"}
    assert put([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]) == {
        "Code": "InvalidTag", "Message": "Cannot provide multiple Tags with the same key", "TagKey": "a"}
    assert put([{"Key": "Key1,Key2", "Value": "v"}]) == {
        "Code": "InvalidTag", "Message": "The TagKey you have provided is invalid", "TagKey": "Key1,Key2"}
    assert put([{"Key": "aws:owner", "Value": "v"}]) == {
        "Code": "InvalidTag", "Message": "Your TagKey cannot be prefixed with aws:", "TagKey": "aws:owner"}
    assert put([{"Key": "k" * 129, "Value": "v"}])["Code"] == "InvalidTag"
    # Lengths count Unicode characters: 128 Hangul syllables of three jamo each are 384 of them.
    assert put([{"Key": "\u1100\u1161\u11a8" * 128, "Value": "v"}])["Code"] == "InvalidTag"
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "\U0001d400" * 128, "Value": "v"}]})
    assert put([{"Key": "k", "Value": "v" * 257}]) == {
        "Code": "InvalidTag", "Message": "The TagValue you have provided is invalid", "TagKey": "k",
        "TagValue": "v" * 257}
    # Ten tags of the longest sizes are fine.
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [
        {"Key": f"{i}".ljust(128, "k"), "Value": "v" * 256} for i in range(10)]})
    # S3 names a missing key with its bucket in GetObjectTagging's answer, and without it elsewhere.
    assert error(s3.get_object_tagging, Bucket=bucket, Key="nope")["Key"] == f"{bucket}/nope"
    assert error(s3.put_object_tagging, Bucket=bucket, Key="nope", Tagging={"TagSet": []})["Key"] == "nope"
    assert error(s3.delete_object_tagging, Bucket=bucket, Key="nope")["Code"] == "NoSuchKey"


def test_bucket_tagging(s3, bucket):
    assert error(s3.get_bucket_tagging, Bucket=bucket) == {
        "Code": "NoSuchTagSet", "Message": "The TagSet does not exist", "BucketName": bucket}
    tags = [{"Key": f"k{i}", "Value": str(i)} for i in range(50)]
    response = s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    assert error(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": tags + [{"Key": "one", "Value": "more"}]}) \
        == {"Code": "BadRequest", "Message": "Bucket tag count cannot be greater than 50"}
    assert error(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:x", "Value": "v"}]}) == {
        "Code": "InvalidTag", "Message": "System tags cannot be added/updated by requester", "TagKey": "aws:x"}
    assert error(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "a,b"}]}) == {
        "Code": "InvalidTag", "Message": "The TagValue you have provided is invalid", "TagKey": "k",
        "TagValue": "a,b"}
    # A refused set leaves the tags as they were.
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error(s3.get_bucket_tagging, Bucket=bucket)["Code"] == "NoSuchTagSet"


def test_bucket_tagging_needs_a_digest_and_answers_s3s_xml(endpoint, s3, bucket):
    body = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value>'
            b"</Tag></TagSet></Tagging>")
    response = request(endpoint, "PUT", f"/{bucket}?tagging", body, {"Content-Type": "application/xml"})
    assert response.status == 400
    root = ET.fromstring(response.body)
    assert (root.findtext("Code"), root.findtext("Message")) == (
        "InvalidRequest", "Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    response = request(endpoint, "PUT", f"/{bucket}?tagging", body, {"Content-MD5": md5})
    assert response.status == 204, response.body
    response = request(endpoint, "GET", f"/{bucket}?tagging")
    assert response.body == (b'<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/'
                             b'2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>')
    for broken in (b"<Tagging><TagSet><Tag><Key>a</Key></Tag>",
                   b"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
                   b"<Tagging><TagSet/><TagSet/></Tagging>",
                   b"<Tagging><TagSet><Tag><Key>a</Key><Key>b</Key><Value/></Tag></TagSet></Tagging>",
                   b"<Tagging><TagSet><Tag><Key>a<x>y</x>b</Key><Value/></Tag></TagSet></Tagging>"):
        response = request(endpoint, "PUT", f"/{bucket}?tagging", broken,
                           {"Content-MD5": base64.b64encode(hashlib.md5(broken).digest()).decode()})
        assert ET.fromstring(response.body).findtext("Code") == "MalformedXML", broken


@pytest.mark.parametrize("directive", [None, "COPY", "REPLACE"])
def test_copy_object_tagging_directive(s3, bucket, directive):
    s3.put_object(Bucket=bucket, Key="source", Body=b"x", Tagging="key1=value1")
    extra = {"TaggingDirective": directive} if directive else {}
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/source", Tagging="key2=value2", **extra)
    expected = [{"Key": "key2", "Value": "value2"}] if directive == "REPLACE" else [{"Key": "key1", "Value": "value1"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="copy")["TagSet"] == expected
    # REPLACE without a Tagging header leaves the copy without tags.
    s3.copy_object(Bucket=bucket, Key="bare", CopySource=f"{bucket}/source", **extra)
    bare = s3.get_object_tagging(Bucket=bucket, Key="bare")["TagSet"]
    assert bare == ([] if directive == "REPLACE" else [{"Key": "key1", "Value": "value1"}])


def test_copy_keeps_the_source_tags_whatever_the_tagging_header(s3, bucket):
    """With the tagging directive COPY the request's x-amz-tagging is not read, so even a malformed one is ignored,
    also when the metadata directive is REPLACE."""
    s3.put_object(Bucket=bucket, Key="source", Body=b"x", Tagging="key1=value1")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/source", MetadataDirective="REPLACE",
                   Metadata={"m": "1"}, Tagging="a=1&a=2")
    assert s3.get_object_tagging(Bucket=bucket, Key="copy")["TagSet"] == [{"Key": "key1", "Value": "value1"}]
    assert s3.head_object(Bucket=bucket, Key="copy")["Metadata"] == {"m": "1"}


def test_tagging_of_an_unversioned_object_takes_only_the_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for call, kw in ((s3.get_object_tagging, {}), (s3.delete_object_tagging, {}),
                     (s3.put_object_tagging, {"Tagging": {"TagSet": []}})):
        assert error(call, Bucket=bucket, Key="k", VersionId="abc", **kw)["Code"] == "InvalidArgument"
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId="null")["TagSet"] == []


def test_multipart_upload_tags_the_completed_object(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", Tagging="stage=complete")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"p" * 10)
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="big")["TagSet"] == [{"Key": "stage", "Value": "complete"}]


def test_tags_survive_a_restart(tmp_path):
    name = f"tags-{uuid.uuid4().hex[:10]}"
    with persistent_host(tmp_path) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "env", "Value": "test"}]})
        s3.put_object(Bucket=name, Key="k", Body=b"x", Tagging="a=1")
        s3.put_object_tagging(Bucket=name, Key="k", Tagging={"TagSet": [{"Key": "b", "Value": "2"}]})
    with persistent_host(tmp_path) as host:
        s3 = make_client(host.url, "s3")
        assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "env", "Value": "test"}]
        assert s3.get_object_tagging(Bucket=name, Key="k")["TagSet"] == [{"Key": "b", "Value": "2"}]


def test_an_unknown_tagging_directive_is_named(s3, bucket):
    s3.put_object(Bucket=bucket, Key="source", Body=b"x")
    got = error(s3.copy_object, Bucket=bucket, Key="copy", CopySource=f"{bucket}/source", TaggingDirective="MERGE")
    assert got == {"Code": "InvalidArgument", "Message": "Unknown tagging directive.",
                   "ArgumentName": "x-amz-tagging-directive", "ArgumentValue": "MERGE"}
