"""S3 through boto3: buckets, objects, ranges, batch deletes, listings, copies, conditional requests, bucket
encryption and both addressing styles, with S3's own error codes, messages and statuses."""

import base64
import datetime
import hashlib
import http.client
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import pytest

from awsemu_host import request, error_of
from kms_helpers import aws_error

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def bucket_name(prefix="bucket"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --- buckets ---------------------------------------------------------------------------------------------------

def test_create_list_head_delete_bucket(s3):
    name = bucket_name()
    created = s3.create_bucket(Bucket=name)
    assert created["Location"] == f"/{name}"
    listed = s3.list_buckets()
    entry = next(b for b in listed["Buckets"] if b["Name"] == name)
    assert entry["BucketRegion"] == "us-east-1" and entry["CreationDate"].year >= 2024
    assert len(listed["Owner"]["ID"]) == 64
    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    assert s3.delete_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    code, _, status = aws_error(s3.head_bucket, Bucket=name)
    assert (code, status) == ("404", 404)  # HEAD answers carry no body, so botocore only sees the status
    code, message, status = aws_error(s3.delete_bucket, Bucket=name)
    assert (code, message, status) == ("NoSuchBucket", "The specified bucket does not exist", 404)


def test_list_buckets_pages_and_prefix(s3):
    prefix = f"pg-{uuid.uuid4().hex[:6]}"
    names = sorted(f"{prefix}-{i}" for i in range(3))
    for name in names:
        s3.create_bucket(Bucket=name)
    first = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == names[:2] and first["Prefix"] == prefix
    rest = s3.list_buckets(Prefix=prefix, MaxBuckets=2, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in rest["Buckets"]] == names[2:] and "ContinuationToken" not in rest
    assert [b["Name"] for b in s3.list_buckets(Prefix=prefix, BucketRegion="us-east-1")["Buckets"]] == names
    assert s3.list_buckets(Prefix=prefix, BucketRegion="eu-west-2")["Buckets"] == []
    code, message, _ = aws_error(s3.list_buckets, BucketRegion="eu-east-1")  # no such region
    assert (code, message) == ("InvalidArgument", "Argument value eu-east-1 is not a valid AWS Region")


@pytest.mark.parametrize("name", ["ab", "Upper-Case", "under_score", "-leading", "trailing-", "two..dots",
                                  "192.168.5.4", "xn--punycode", "a" * 64, "name-s3alias"])
def test_invalid_bucket_names(s3, name):
    code, message, status = aws_error(s3.create_bucket, Bucket=name)
    assert (code, message, status) == ("InvalidBucketName", "The specified bucket is not valid.", 400)


def test_bucket_already_exists_and_owned(s3, client):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    # North Virginia keeps S3's legacy answer: re-creating your own bucket there succeeds.
    assert s3.create_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    other = client("s3", aws_access_key_id="111122223333")
    code, message, status = aws_error(other.create_bucket, Bucket=name)
    assert (code, status) == ("BucketAlreadyExists", 409) and "bucket namespace is shared" in message
    code, _, status = aws_error(other.head_bucket, Bucket=name)
    assert (code, status) == ("403", 403)
    code, _, status = aws_error(other.list_objects_v2, Bucket=name)
    assert (code, status) == ("AccessDenied", 403)

    eu = client("s3", region_name="eu-west-1")
    regional = bucket_name("eu")
    created = eu.create_bucket(Bucket=regional, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert created["Location"] == f"http://{regional}.s3.amazonaws.com/"
    assert eu.get_bucket_location(Bucket=regional)["LocationConstraint"] == "eu-west-1"
    code, message, status = aws_error(eu.create_bucket, Bucket=regional,
                                      CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert (code, status) == ("BucketAlreadyOwnedByYou", 409)
    assert message == "Your previous request to create the named bucket succeeded and you already own it."


def test_location_constraint_rules(s3, client):
    code, message, _ = aws_error(s3.create_bucket, Bucket=bucket_name(),
                                 CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert (code, message) == ("InvalidLocationConstraint", "The specified location-constraint is not valid")
    eu = client("s3", region_name="eu-west-1")
    code, message, _ = aws_error(eu.create_bucket, Bucket=bucket_name())
    assert code == "IllegalLocationConstraintException" and "unspecified location constraint" in message
    code, _, _ = aws_error(eu.create_bucket, Bucket=bucket_name(),
                           CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert code == "IllegalLocationConstraintException"
    # The global (us-east-1) endpoint creates buckets in any region.
    name = bucket_name()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"})
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "ap-southeast-2"
    # The legacy EU constraint makes an eu-west-1 bucket, whose location is answered as it was given.
    legacy = bucket_name()
    s3.create_bucket(Bucket=legacy, CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert s3.head_bucket(Bucket=legacy)["BucketRegion"] == "eu-west-1"
    assert s3.get_bucket_location(Bucket=legacy)["LocationConstraint"] == "EU"
    # As recorded from AWS: the eu-west-1 endpoint takes EU too, refuses an invalid name as incompatible, and
    # InvalidLocationConstraint names the constraint.
    from_eu = bucket_name()
    eu.create_bucket(Bucket=from_eu, CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert eu.get_bucket_location(Bucket=from_eu)["LocationConstraint"] == "EU"
    for constraint in ("us-east-1", "bar"):
        code, message, _ = aws_error(eu.create_bucket, Bucket=bucket_name(),
                                     CreateBucketConfiguration={"LocationConstraint": constraint})
        assert (code, message) == ("IllegalLocationConstraintException", f"The {constraint} location constraint is "
                                   "incompatible for the region specific endpoint this request was sent to.")
    assert error_of(s3.create_bucket, Bucket=bucket_name(), CreateBucketConfiguration={
        "LocationConstraint": "bar"})["LocationConstraint"] == "bar"


def test_delete_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    code, message, status = aws_error(s3.delete_bucket, Bucket=bucket)
    assert (code, message, status) == ("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


# --- objects ---------------------------------------------------------------------------------------------------

def test_put_get_head_delete_object(s3, bucket):
    body = b"hello, s3 world\n" * 100
    put = s3.put_object(Bucket=bucket, Key="dir/hello.txt", Body=body, ContentType="text/plain",
                        Metadata={"Purpose": "test", "n": "1"}, CacheControl="no-cache",
                        ContentDisposition="attachment", ContentLanguage="en")
    etag = '"' + hashlib.md5(body).hexdigest() + '"'
    assert put["ETag"] == etag
    # Every object is encrypted at rest; without anything asked for, with SSE-S3.
    assert put["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == etag and got["ContentLength"] == len(body) and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"purpose": "test", "n": "1"}
    assert got["CacheControl"] == "no-cache" and got["ContentDisposition"] == "attachment"
    assert got["ContentLanguage"] == "en" and got["AcceptRanges"] == "bytes"
    assert got["ServerSideEncryption"] == "AES256"
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    assert head["ContentLength"] == len(body) and head["ETag"] == etag and head["LastModified"] == got["LastModified"]
    assert s3.delete_object(Bucket=bucket, Key="dir/hello.txt")["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, message, status = aws_error(s3.get_object, Bucket=bucket, Key="dir/hello.txt")
    assert (code, message, status) == ("NoSuchKey", "The specified key does not exist.", 404)
    code, _, status = aws_error(s3.head_object, Bucket=bucket, Key="dir/hello.txt")
    assert (code, status) == ("404", 404)
    # Deleting what is not there is not an error.
    assert s3.delete_object(Bucket=bucket, Key="never")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_object_errors(s3, bucket):
    missing = bucket_name("missing")
    code, message, status = aws_error(s3.put_object, Bucket=missing, Key="k", Body=b"x")
    assert (code, message, status) == ("NoSuchBucket", "The specified bucket does not exist", 404)
    code, _, _ = aws_error(s3.get_object, Bucket=missing, Key="k")
    assert code == "NoSuchBucket"
    code, message, _ = aws_error(s3.put_object, Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert (code, message) == ("KeyTooLongError", "Your key is too long")
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    code, _, status = aws_error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5=wrong)
    assert (code, status) == ("BadDigest", 400)
    code, _, _ = aws_error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5="not-md5")
    assert code == "InvalidDigest"
    code, _, _ = aws_error(s3.get_object, Bucket=bucket, Key="k")
    assert code == "NoSuchKey"  # a refused write stores nothing
    code, _, _ = aws_error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", StorageClass="NOPE")
    assert code == "InvalidStorageClass"




def test_errors_name_what_they_are_about(s3, bucket, endpoint):
    """S3's error documents name the bucket, key, upload or argument at fault after the message (<BucketName>,
    <Key>, <UploadId>, <ArgumentName>/<ArgumentValue>, …), and boto3 hands them to callers beside Code and
    Message."""
    missing = bucket_name("missing")
    assert error_of(s3.get_object, Bucket=missing, Key="k") == {
        "Code": "NoSuchBucket", "Message": "The specified bucket does not exist", "BucketName": missing}
    assert error_of(s3.get_object, Bucket=bucket, Key="dir/absent") == {
        "Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "dir/absent"}
    assert error_of(s3.create_bucket, Bucket="no") == {
        "Code": "InvalidBucketName", "Message": "The specified bucket is not valid.", "BucketName": "no"}
    assert error_of(s3.list_objects_v2, Bucket=bucket, EncodingType="foo") == {
        "Code": "InvalidArgument", "Message": "Invalid Encoding Method specified in Request",
        "ArgumentName": "encoding-type", "ArgumentValue": "foo"}
    assert error_of(s3.put_object, Bucket=bucket, Key="k" * 1025, Body=b"x") == {
        "Code": "KeyTooLongError", "Message": "Your key is too long", "Size": "1025", "MaxSizeAllowed": "1024"}
    s3.put_object(Bucket=bucket, Key="ten", Body=b"0123456789")
    assert error_of(s3.get_object, Bucket=bucket, Key="ten", Range="bytes=20-30") == {
        "Code": "InvalidRange", "Message": "The requested range is not satisfiable",
        "RangeRequested": "bytes=20-30", "ActualObjectSize": "10"}
    assert error_of(s3.delete_bucket, Bucket=bucket)["BucketName"] == bucket
    assert error_of(s3.abort_multipart_upload, Bucket=bucket, Key="ten", UploadId="no-such-upload")["UploadId"] \
        == "no-such-upload"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="small", UploadId=upload, PartNumber=n, Body=b"p" * 10)["ETag"]
             for n in (1, 2)]
    parts = [{"PartNumber": n, "ETag": etag} for n, etag in zip((1, 2), etags)]
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="small", UploadId=upload,
                    MultipartUpload={"Parts": parts}) == {
        "Code": "EntityTooSmall", "Message": "Your proposed upload is smaller than the minimum allowed size",
        "ProposedSize": "10", "MinSizeAllowed": "5242880", "PartNumber": "1", "ETag": etags[0].strip('"')}
    # On the wire: the members come after <Message> and before <RequestId>, escaped as XML text.
    connection = http.client.HTTPConnection(urllib.parse.urlparse(endpoint).netloc)
    connection.request("GET", f"/{bucket}/a%26b%3Cc")
    response = connection.getresponse()
    document = response.read().decode()
    assert response.status == 404
    assert "<Message>The specified key does not exist.</Message><Key>a&amp;b&lt;c</Key><RequestId>" in document


def test_more_errors_name_what_they_are_about(s3, bucket, client):
    """Members S3 sends with multipart, digest, precondition and storage-class errors (as recorded from AWS)."""
    s3.put_object(Bucket=bucket, Key="ten", Body=b"0123456789")
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5=wrong) == {
        "Code": "BadDigest", "Message": "The Content-MD5 you specified did not match what we received.",
        "ExpectedDigest": wrong, "CalculatedDigest": base64.b64encode(hashlib.md5(b"x").digest()).decode()}
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5="not-md5")["Content-MD5"] \
        == "not-md5"
    for args, condition in (({"IfMatch": '"0"'}, "If-Match"),
                            ({"IfUnmodifiedSince": "Mon, 01 Jan 2001 00:00:00 GMT"}, "If-Unmodified-Since")):
        assert error_of(s3.get_object, Bucket=bucket, Key="ten", **args)["Condition"] == condition
    assert error_of(s3.put_object, Bucket=bucket, Key="ten", Body=b"x", IfNoneMatch="*")["Condition"] \
        == "If-None-Match"
    assert error_of(s3.copy_object, Bucket=bucket, Key="copy", CopySource=f"{bucket}/ten",
                    CopySourceIfMatch='"0"')["Condition"] == "x-amz-copy-source-If-Match"
    assert error_of(s3.get_object, Bucket=bucket, Key="ten", PartNumber=2) == {
        "Code": "InvalidPartNumber", "Message": "The requested partnumber is not satisfiable",
        "PartNumberRequested": "2", "ActualPartCount": "1"}
    # OUTPOSTS is S3 on Outposts' class, which a regional bucket refuses.
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", StorageClass="OUTPOSTS") == {
        "Code": "InvalidStorageClass", "Message": "The storage class you specified is not valid",
        "StorageClassRequested": "OUTPOSTS"}
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"p")["ETag"]
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=upload,
                    MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etag}]}) | {"Message": ""} == {
        "Code": "InvalidPart", "Message": "", "UploadId": upload, "PartNumber": "2", "ETag": etag}
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=upload,
                    MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etag}, {"PartNumber": 1, "ETag": etag}]}
                    )["UploadId"] == upload
    # UploadPartCopy: a range starting past the source is InvalidRequest; a malformed one names the header.
    assert error_of(s3.upload_part_copy, Bucket=bucket, Key="mp", UploadId=upload, PartNumber=2,
                    CopySource=f"{bucket}/ten", CopySourceRange="bytes=100-200") == {
        "Code": "InvalidRequest", "Message": "The specified copy range is invalid for the source object size"}
    malformed = error_of(s3.upload_part_copy, Bucket=bucket, Key="mp", UploadId=upload, PartNumber=2,
                         CopySource=f"{bucket}/ten", CopySourceRange="bytes=5")
    assert (malformed["ArgumentName"], malformed["ArgumentValue"]) == ("x-amz-copy-source-range", "bytes=5")
    # A copy source without a bucket and key, and a version the unversioned source does not have.
    assert error_of(s3.copy_object, Bucket=bucket, Key="c", CopySource="x-amz-copy-source") == {
        "Code": "InvalidArgument", "Message": "Invalid copy source object key",
        "ArgumentName": "x-amz-copy-source", "ArgumentValue": "x-amz-copy-source"}
    assert error_of(s3.copy_object, Bucket=bucket, Key="c",
                    CopySource={"Bucket": bucket, "Key": "ten", "VersionId": "v1"}) == {
        "Code": "NoSuchVersion", "Message": "The specified version does not exist.", "Key": "ten", "VersionId": "v1"}
    # Buckets are unversioned: only the version "null" exists.
    assert error_of(s3.get_object, Bucket=bucket, Key="ten", VersionId="v1") == {
        "Code": "InvalidArgument", "Message": "Invalid version id specified", "ArgumentName": "versionId",
        "ArgumentValue": "v1"}
    assert s3.get_object(Bucket=bucket, Key="ten", VersionId="null")["Body"].read() == b"0123456789"
    # A bad continuation token is named, but its value not repeated.
    bad_token = error_of(s3.list_objects_v2, Bucket=bucket, ContinuationToken="!")
    assert bad_token["ArgumentName"] == "continuation-token" and "ArgumentValue" not in bad_token


def test_listing_and_part_details_as_s3_answers_them(s3, bucket, endpoint):
    """Each listed object names its checksum algorithm and type (S3's default CRC64NVME when none was sent);
    StartAfter is echoed on a first page only; an empty parts page says NextPartNumberMarker 0; a simple object's
    part 1 has no parts count; a HEAD of a bucket answers as XML."""
    assert request(endpoint, "PUT", f"/{bucket}/a", b"a").status == 200  # no checksum sent: S3's default
    s3.put_object(Bucket=bucket, Key="b", Body=b"b", ChecksumAlgorithm="SHA256")
    s3.put_object(Bucket=bucket, Key="c", Body=b"c")
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=2, StartAfter="0")
    assert [(o["Key"], o["ChecksumAlgorithm"], o["ChecksumType"]) for o in first["Contents"]] == [
        ("a", ["CRC64NVME"], "FULL_OBJECT"), ("b", ["SHA256"], "FULL_OBJECT")]
    assert first["StartAfter"] == "0"
    second = s3.list_objects_v2(Bucket=bucket, StartAfter="0", ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in second["Contents"]] == ["c"] and "StartAfter" not in second
    assert "ChecksumAlgorithm" in s3.list_objects(Bucket=bucket)["Contents"][0]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)["NextPartNumberMarker"] == 0
    part = s3.get_object(Bucket=bucket, Key="a", PartNumber=1)
    assert part["Body"].read() == b"a" and "PartsCount" not in part
    head = request(endpoint, "HEAD", f"/{bucket}")
    assert head.status == 200 and head.headers.get("content-type") == "application/xml"


def test_a_future_if_modified_since_is_ignored(s3, bucket):
    """RFC 7232 (and S3): an If-Modified-Since later than now is invalid and ignored, for GET and for a copy's
    source, where a past one that the object was not modified since gives 304 or 412."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=future)["Body"].read() == b"x"
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/k", CopySourceIfModifiedSince=future)
    code, _, status = aws_error(s3.copy_object, Bucket=bucket, Key="copy", CopySource=f"{bucket}/k",
                                CopySourceIfModifiedSince=datetime.datetime.now(datetime.timezone.utc))
    assert (code, status) == ("PreconditionFailed", 412)


def test_empty_object_and_overwrite(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b"" and got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    s3.put_object(Bucket=bucket, Key="empty", Body=b"now full")
    assert s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b"now full"


def test_ranges(s3, bucket):
    body = bytes(range(256)) * 12000  # about 3 MB: ranges cross the 1 MiB chunks the body is sealed in
    s3.put_object(Bucket=bucket, Key="blob", Body=body)
    for header, (start, end) in {"bytes=0-9": (0, 9), "bytes=1048570-1048600": (1048570, 1048600),
                                 "bytes=3000000-": (3000000, len(body) - 1), "bytes=-5": (len(body) - 5, len(body) - 1),
                                 "bytes=10-99999999": (10, len(body) - 1)}.items():
        got = s3.get_object(Bucket=bucket, Key="blob", Range=header)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206, header
        assert got["ContentRange"] == f"bytes {start}-{end}/{len(body)}"
        assert got["Body"].read() == body[start:end + 1], header
    code, message, status = aws_error(s3.get_object, Bucket=bucket, Key="blob", Range=f"bytes={len(body)}-")
    assert (code, message, status) == ("InvalidRange", "The requested range is not satisfiable", 416)
    # Several ranges, or a malformed one, are ignored as S3 ignores them: the whole object.
    whole = s3.get_object(Bucket=bucket, Key="blob", Range="bytes=0-1,5-6")
    assert whole["ResponseMetadata"]["HTTPStatusCode"] == 200 and len(whole["Body"].read()) == len(body)
    head = s3.head_object(Bucket=bucket, Key="blob", Range="bytes=0-99")
    assert head["ContentLength"] == 100 and head["ContentRange"] == f"bytes 0-99/{len(body)}"


def test_conditional_requests(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"conditional")
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=put["ETag"])["Body"].read() == b"conditional"
    code, message, status = aws_error(s3.get_object, Bucket=bucket, Key="c", IfMatch='"0000"')
    assert (code, status) == ("PreconditionFailed", 412)
    assert message == "At least one of the pre-conditions you specified did not hold"
    code, _, status = aws_error(s3.get_object, Bucket=bucket, Key="c", IfNoneMatch=put["ETag"])
    assert status == 304
    code, _, status = aws_error(s3.put_object, Bucket=bucket, Key="c", Body=b"again", IfNoneMatch="*")
    assert (code, status) == ("PreconditionFailed", 412)
    s3.put_object(Bucket=bucket, Key="c2", Body=b"new", IfNoneMatch="*")
    # What a write does not take is S3's 501 NotImplemented, naming the header (as recorded from AWS).
    for args, message, header in (
            ({"IfMatch": "*"}, "We don't accept the provided value of If-Match header for this API", "If-Match"),
            ({"IfMatch": put["ETag"], "IfNoneMatch": "*"}, "Multiple conditional request headers present in the "
             "request", "If-Match,If-None-Match"),
            ({"IfNoneMatch": put["ETag"]}, "A header you provided implies functionality that is not implemented",
             "If-None-Match")):
        assert error_of(s3.put_object, Bucket=bucket, Key="c", Body=b"x", **args) == {
            "Code": "NotImplemented", "Message": message, "Header": header}


def test_conditional_deletes_and_copies(s3, bucket):
    """If-Match on DeleteObject, an ETag per object in DeleteObjects, and If-None-Match / If-Match on CopyObject's
    destination: each refuses rather than destroys an object that changed or is gone."""
    first = s3.put_object(Bucket=bucket, Key="guarded", Body=b"v1")["ETag"]
    s3.put_object(Bucket=bucket, Key="guarded", Body=b"v2")
    code, _, status = aws_error(s3.delete_object, Bucket=bucket, Key="guarded", IfMatch=first)
    assert (code, status) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="guarded")["Body"].read() == b"v2"
    code, _, status = aws_error(s3.delete_object, Bucket=bucket, Key="never-there", IfMatch="*")
    assert (code, status) == ("NoSuchKey", 404)
    current = s3.head_object(Bucket=bucket, Key="guarded")["ETag"]
    s3.delete_object(Bucket=bucket, Key="guarded", IfMatch=current)
    assert aws_error(s3.head_object, Bucket=bucket, Key="guarded")[2] == 404

    keep = s3.put_object(Bucket=bucket, Key="keep", Body=b"keep")["ETag"]
    drop = s3.put_object(Bucket=bucket, Key="drop", Body=b"drop")["ETag"]
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "keep", "ETag": drop}, {"Key": "drop", "ETag": drop}, {"Key": "gone", "ETag": keep}]})
    assert [d["Key"] for d in result["Deleted"]] == ["drop"]
    assert sorted((e["Key"], e["Code"]) for e in result["Errors"]) == [("gone", "NoSuchKey"), ("keep", "PreconditionFailed")]
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"keep"

    s3.put_object(Bucket=bucket, Key="target", Body=b"target")
    for condition in ({"IfNoneMatch": "*"}, {"IfMatch": '"0000"'}):
        code, _, status = aws_error(s3.copy_object, Bucket=bucket, Key="target",
                                    CopySource={"Bucket": bucket, "Key": "keep"}, **condition)
        assert (code, status) == ("PreconditionFailed", 412), condition
    assert s3.get_object(Bucket=bucket, Key="target")["Body"].read() == b"target"
    target = s3.head_object(Bucket=bucket, Key="target")["ETag"]
    s3.copy_object(Bucket=bucket, Key="target", CopySource={"Bucket": bucket, "Key": "keep"}, IfMatch=target)
    s3.copy_object(Bucket=bucket, Key="fresh", CopySource={"Bucket": bucket, "Key": "keep"}, IfNoneMatch="*")
    assert [s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in ("target", "fresh")] == [b"keep", b"keep"]


def test_delete_objects(s3, bucket):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b", "zz"] and "Errors" not in result
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet and "Errors" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    code, _, _ = aws_error(s3.delete_objects, Bucket=bucket_name("missing"), Delete={"Objects": [{"Key": "a"}]})
    assert code == "NoSuchBucket"


def test_list_objects_v2_prefix_delimiter_and_pages(s3, bucket):
    keys = ["a.txt", "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/mar.jpg", "photos/top.jpg",
            "readme", "z/one", "z/two"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    everything = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in everything["Contents"]] == sorted(keys)
    assert everything["KeyCount"] == len(keys) and everything["IsTruncated"] is False
    assert everything["Contents"][0]["Size"] == len("a.txt") and everything["Contents"][0]["StorageClass"] == "STANDARD"
    assert "Owner" not in everything["Contents"][0]
    assert "Owner" in s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]

    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["a.txt", "readme"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["photos/", "z/"] and top["KeyCount"] == 4
    photos = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="/")
    assert [o["Key"] for o in photos["Contents"]] == ["photos/top.jpg"]
    assert [p["Prefix"] for p in photos["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]

    # Pages of two; a common prefix counts once toward max-keys.
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2, **kwargs)
        pages += 1
        assert page["KeyCount"] <= 2 and page["MaxKeys"] == 2
        seen += [o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert sorted(seen) == ["a.txt", "photos/", "readme", "z/"] and pages == 2
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="photos/2025/mar.jpg")
    assert [o["Key"] for o in after["Contents"]] == ["photos/top.jpg", "readme", "z/one", "z/two"]
    assert after["StartAfter"] == "photos/2025/mar.jpg"
    # A marker inside a common prefix: that prefix sorts before it and is not listed again (as recorded from AWS).
    inside = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="/", StartAfter="photos/2024/jan.jpg")
    assert [p["Prefix"] for p in inside["CommonPrefixes"]] == ["photos/2025/"]
    assert [o["Key"] for o in inside["Contents"]] == ["photos/top.jpg"]
    marker = s3.list_objects(Bucket=bucket, Prefix="photos/", Delimiter="/", Marker="photos/2025/mar.jpg")
    assert "CommonPrefixes" not in marker and [o["Key"] for o in marker["Contents"]] == ["photos/top.jpg"]
    for listed in (s3.list_objects_v2(Bucket=bucket, MaxKeys=0), s3.list_objects(Bucket=bucket, MaxKeys=0)):
        assert listed["IsTruncated"] is False and "Contents" not in listed  # as S3 answers MaxKeys=0
    paginator = s3.get_paginator("list_objects_v2")
    assert [o["Key"] for p in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})
            for o in p["Contents"]] == sorted(keys)
    code, _, _ = aws_error(s3.list_objects_v2, Bucket=bucket_name("missing"))
    assert code == "NoSuchBucket"
    # The original ListObjects too.
    v1 = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=3)
    assert [o["Key"] for o in v1["Contents"]] == ["a.txt", "readme"] and v1["IsTruncated"] is True
    assert [p["Prefix"] for p in v1["CommonPrefixes"]] == ["photos/"] and v1["NextMarker"] == "readme"
    assert "Owner" in v1["Contents"][0]
    v1_next = s3.list_objects(Bucket=bucket, Delimiter="/", Marker=v1["NextMarker"])
    assert "Contents" not in v1_next and [p["Prefix"] for p in v1_next["CommonPrefixes"]] == ["z/"]


def test_keys_with_special_characters(s3, bucket):
    keys = ["with space.txt", "plus+sign", "percent%20literal", "unicode-é-日本", "question?mark&amp", "dir//double"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(listed, key=lambda k: k.encode()) == listed and set(listed) == set(keys)
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()


def test_copy_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="source", Body=b"copy me", ContentType="text/x-source", Metadata={"a": "1"})
    target = bucket_name("target")
    s3.create_bucket(Bucket=target)
    copied = s3.copy_object(Bucket=target, Key="copy", CopySource={"Bucket": bucket, "Key": "source"})
    assert copied["CopyObjectResult"]["ETag"] == '"' + hashlib.md5(b"copy me").hexdigest() + '"'
    got = s3.get_object(Bucket=target, Key="copy")
    assert got["Body"].read() == b"copy me" and got["ContentType"] == "text/x-source" and got["Metadata"] == {"a": "1"}
    replaced = s3.copy_object(Bucket=bucket, Key="source", CopySource=f"{bucket}/source", MetadataDirective="REPLACE",
                              Metadata={"b": "2"}, ContentType="text/plain")
    assert replaced["ServerSideEncryption"] == "AES256"
    head = s3.head_object(Bucket=bucket, Key="source")
    assert head["Metadata"] == {"b": "2"} and head["ContentType"] == "text/plain"
    code, message, _ = aws_error(s3.copy_object, Bucket=bucket, Key="source", CopySource=f"{bucket}/source")
    assert code == "InvalidRequest" and "copy an object to itself" in message
    # Asking for a checksum is a change (the object's own algorithm included), and so is leaving SSE-KMS for the
    # bucket's SSE-S3 by naming no encryption, as AWS answered recorded requests.
    again = s3.copy_object(Bucket=bucket, Key="source", CopySource=f"{bucket}/source", ChecksumAlgorithm="SHA256")
    same_algorithm = s3.copy_object(Bucket=bucket, Key="source", CopySource=f"{bucket}/source",
                                    ChecksumAlgorithm="SHA256")  # the object's own algorithm now: still a change
    assert again["CopyObjectResult"]["ChecksumSHA256"] == same_algorithm["CopyObjectResult"]["ChecksumSHA256"]
    s3.put_object(Bucket=bucket, Key="kms", Body=b"k", ServerSideEncryption="aws:kms")
    moved = s3.copy_object(Bucket=bucket, Key="kms", CopySource=f"{bucket}/kms")
    assert moved["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="kms")["Body"].read() == b"k"
    code, _, _ = aws_error(s3.copy_object, Bucket=bucket, Key="x", CopySource=f"{bucket}/missing")
    assert code == "NoSuchKey"
    code, _, status = aws_error(s3.copy_object, Bucket=bucket, Key="x", CopySource=f"{bucket}/source",
                                CopySourceIfMatch='"nope"')
    assert (code, status) == ("PreconditionFailed", 412)
    # A key with characters that need encoding in x-amz-copy-source.
    s3.put_object(Bucket=bucket, Key="a b+c/é", Body=b"odd")
    s3.copy_object(Bucket=bucket, Key="odd-copy", CopySource={"Bucket": bucket, "Key": "a b+c/é"})
    assert s3.get_object(Bucket=bucket, Key="odd-copy")["Body"].read() == b"odd"


def test_bucket_encryption_configuration(s3, bucket):
    # Every bucket has SSE-S3 as its default since 2023; S3 answers it rather than "not found".
    default = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert default["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert default["BucketKeyEnabled"] is False
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/whatever"},
        "BucketKeyEnabled": True}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/whatever"}
    assert rule["BucketKeyEnabled"] is True
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    code, _, _ = aws_error(s3.put_bucket_encryption, Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}]})
    assert code == "InvalidArgument"
    code, _, _ = aws_error(s3.get_bucket_encryption, Bucket=bucket_name("missing"))
    assert code == "NoSuchBucket"


def test_unimplemented_subresources_say_so(s3, bucket):
    code, message, status = aws_error(s3.get_bucket_policy, Bucket=bucket)
    assert (code, status) == ("NotImplemented", 501) and "?policy" in message


# --- addressing ------------------------------------------------------------------------------------------------

def raw(endpoint, method, path, host, body=b"", headers=None):
    """An unsigned request with a chosen Host header (the host does not check signatures unless told to)."""
    parsed = urllib.parse.urlsplit(endpoint)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_virtual_hosted_and_path_style_addressing(s3, bucket, endpoint):
    port = urllib.parse.urlsplit(endpoint).port
    s3.put_object(Bucket=bucket, Key="dir/file name.txt", Body=b"addressed")
    for host in (f"{bucket}.localhost:{port}", f"{bucket}.s3.amazonaws.com", f"{bucket}.s3.us-east-1.amazonaws.com"):
        status, _, body = raw(endpoint, "GET", "/dir/file%20name.txt", host)
        assert (status, body) == (200, b"addressed"), host
        status, _, body = raw(endpoint, "GET", "/?list-type=2&prefix=dir%2F", host)
        assert status == 200
        keys = [e.text for e in ET.fromstring(body).iter(f"{NS}Key")]
        assert keys == ["dir/file name.txt"]
    status, _, _ = raw(endpoint, "PUT", "/virtual.txt", f"{bucket}.localhost", body=b"via vhost")
    assert status == 200
    # Path style on the same host.
    status, _, body = raw(endpoint, "GET", f"/{bucket}/virtual.txt", f"127.0.0.1:{port}")
    assert (status, body) == (200, b"via vhost")
    status, _, body = raw(endpoint, "GET", f"/{bucket}/missing", "localhost")
    assert status == 404
    error = ET.fromstring(body)
    assert error.tag == "Error" and error.findtext("Code") == "NoSuchKey" and error.findtext("RequestId")


def test_list_all_my_buckets_xml_shape(endpoint, bucket):
    status, headers, body = raw(endpoint, "GET", "/", "localhost")
    assert status == 200 and headers["Content-Type"] == "application/xml"
    document = ET.fromstring(body)
    assert document.tag == f"{NS}ListAllMyBucketsResult"
    assert bucket in [e.text for e in document.iter(f"{NS}Name")]


def test_concurrent_overwrites_never_serve_a_broken_body(s3, bucket):
    """Readers racing writers of the same key always get one whole version: a replaced body stays readable for a
    grace period after the object that named it is gone."""
    import concurrent.futures

    versions = {bytes([i]) * (300_000 + i) for i in range(4)}
    s3.put_object(Bucket=bucket, Key="raced", Body=next(iter(versions)))

    def write(body):
        for _ in range(10):
            s3.put_object(Bucket=bucket, Key="raced", Body=body)

    def read(_):
        return [s3.get_object(Bucket=bucket, Key="raced")["Body"].read() for _ in range(10)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        writers = [pool.submit(write, body) for body in versions]
        readers = [pool.submit(read, n) for n in range(4)]
        for future in writers:
            future.result()
        for future in readers:
            assert all(body in versions for body in future.result())
