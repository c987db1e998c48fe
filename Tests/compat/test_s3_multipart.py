"""S3 multipart uploads through boto3: the multipart ETag, part rules (EntityTooSmall, InvalidPart,
InvalidPartOrder), ListParts, ListMultipartUploads, aborting, and reading a completed object by part."""

import hashlib
import os
import re
import uuid

import botocore.exceptions
import pytest

from awsemu_host import pipelined, request
from kms_helpers import aws_error

MIB = 1024 * 1024


def multipart_etag(parts):
    return '"' + hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + f'-{len(parts)}"'


def test_multipart_upload_round_trip(s3, bucket):
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB + 123), b"tail of the object"]
    created = s3.create_multipart_upload(Bucket=bucket, Key="big/object.bin", ContentType="application/x-test",
                                         Metadata={"origin": "multipart"})
    upload_id = created["UploadId"]
    assert created["Bucket"] == bucket and created["Key"] == "big/object.bin"
    assert created["ServerSideEncryption"] == "AES256"
    etags = []
    for number, data in enumerate(parts, start=1):
        answer = s3.upload_part(Bucket=bucket, Key="big/object.bin", UploadId=upload_id, PartNumber=number, Body=data)
        assert answer["ETag"] == '"' + hashlib.md5(data).hexdigest() + '"'
        etags.append(answer["ETag"])
    listed = s3.list_parts(Bucket=bucket, Key="big/object.bin", UploadId=upload_id)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed["Parts"]] == \
        [(i + 1, etags[i], len(parts[i])) for i in range(3)]
    assert listed["IsTruncated"] is False and listed["StorageClass"] == "STANDARD"
    page = s3.list_parts(Bucket=bucket, Key="big/object.bin", UploadId=upload_id, MaxParts=2)
    assert page["IsTruncated"] is True and page["NextPartNumberMarker"] == 2
    rest = s3.list_parts(Bucket=bucket, Key="big/object.bin", UploadId=upload_id, PartNumberMarker=2)
    assert [p["PartNumber"] for p in rest["Parts"]] == [3]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("big/object.bin", upload_id)]

    completed = s3.complete_multipart_upload(
        Bucket=bucket, Key="big/object.bin", UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": i + 1, "ETag": etags[i]} for i in range(3)]})
    assert completed["ETag"] == multipart_etag(parts)
    assert completed["Bucket"] == bucket and completed["Key"] == "big/object.bin"
    whole = b"".join(parts)
    got = s3.get_object(Bucket=bucket, Key="big/object.bin")
    assert got["Body"].read() == whole
    assert got["ETag"] == multipart_etag(parts) and got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"origin": "multipart"}
    # A range across the boundary of parts 1 and 2.
    boundary = len(parts[0])
    ranged = s3.get_object(Bucket=bucket, Key="big/object.bin", Range=f"bytes={boundary - 10}-{boundary + 9}")
    assert ranged["Body"].read() == whole[boundary - 10:boundary + 10]
    second = s3.get_object(Bucket=bucket, Key="big/object.bin", PartNumber=2)
    assert second["PartsCount"] == 3 and second["Body"].read() == parts[1]
    assert second["ContentRange"] == f"bytes {boundary}-{boundary + len(parts[1]) - 1}/{len(whole)}"
    assert s3.head_object(Bucket=bucket, Key="big/object.bin", PartNumber=3)["ContentLength"] == len(parts[2])
    code, message, status = aws_error(s3.get_object, Bucket=bucket, Key="big/object.bin", PartNumber=1, Range="bytes=0-1")
    assert (code, message, status) == ("InvalidRequest", "Cannot specify both Range header and partNumber query "
                                                         "parameter", 400)
    # The upload is gone once completed.
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    code, message, status = aws_error(s3.list_parts, Bucket=bucket, Key="big/object.bin", UploadId=upload_id)
    assert (code, status) == ("NoSuchUpload", 404) and message.startswith("The specified upload does not exist.")


def test_part_rules(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"too small")["ETag"]
    last = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"last")["ETag"]
    code, message, status = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                                      MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small},
                                                                 {"PartNumber": 2, "ETag": last}]})
    assert (code, status) == ("EntityTooSmall", 400)
    assert message == "Your proposed upload is smaller than the minimum allowed size"  # S3's words, no period
    code, _, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                           MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})
    assert code == "InvalidPart"
    code, _, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                           MultipartUpload={"Parts": [{"PartNumber": 7, "ETag": small}]})
    assert code == "InvalidPart"
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": last},
                                                            {"PartNumber": 1, "ETag": small}]})
    assert code == "InvalidPartOrder" and "ascending order" in message
    code, message, _ = aws_error(s3.upload_part, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=10001,
                                 Body=b"x")
    assert code == "InvalidArgument" and "between 1 and 10000" in message
    # A single part may be small: it is the last one.
    single = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small}]})
    assert single["ETag"] == multipart_etag([b"too small"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"too small"


def test_reuploading_a_part_replaces_it(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="r")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="r", UploadId=upload_id, PartNumber=1, Body=b"first try")
    etag = s3.upload_part(Bucket=bucket, Key="r", UploadId=upload_id, PartNumber=1, Body=b"second try")["ETag"]
    assert len(s3.list_parts(Bucket=bucket, Key="r", UploadId=upload_id)["Parts"]) == 1
    s3.complete_multipart_upload(Bucket=bucket, Key="r", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="r")["Body"].read() == b"second try"


def test_abort_and_no_such_upload(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="a")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="a", UploadId=upload_id, PartNumber=1, Body=b"part")
    aborted = s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=upload_id)
    assert aborted["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, _, status = aws_error(s3.abort_multipart_upload, Bucket=bucket, Key="a", UploadId=upload_id)
    assert (code, status) == ("NoSuchUpload", 404)
    code, _, _ = aws_error(s3.upload_part, Bucket=bucket, Key="a", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert code == "NoSuchUpload"
    code, _, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="a", UploadId="made-up",
                           MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]})
    assert code == "NoSuchUpload"
    other = s3.create_multipart_upload(Bucket=bucket, Key="b")["UploadId"]
    code, _, _ = aws_error(s3.list_parts, Bucket=bucket, Key="not-b", UploadId=other)
    assert code == "NoSuchUpload"
    code, _, _ = aws_error(s3.create_multipart_upload, Bucket=f"missing-{uuid.uuid4().hex[:8]}", Key="k")
    assert code == "NoSuchBucket"
    # A bucket whose only leftovers are unfinished uploads can be deleted; the uploads go with it.
    s3.delete_bucket(Bucket=bucket)


def test_upload_part_copy_ranges_and_errors(s3, bucket):
    """Parts copied from existing objects (one SSE-KMS, one the bucket's default), whole or by byte range; the
    result is the bytes of the sources, and bad ranges and failed source conditions are refused."""
    first, second = os.urandom(11 * MIB), os.urandom(MIB)
    source = s3.put_object(Bucket=bucket, Key="source-a", Body=first, ServerSideEncryption="aws:kms")
    s3.put_object(Bucket=bucket, Key="source-b", Body=second)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="assembled", ServerSideEncryption="aws:kms")["UploadId"]
    common = {"Bucket": bucket, "Key": "assembled", "UploadId": upload}
    one = s3.upload_part_copy(PartNumber=1, CopySource={"Bucket": bucket, "Key": "source-a"},
                              CopySourceRange=f"bytes=0-{5 * MIB - 1}", CopySourceIfMatch=source["ETag"], **common)
    assert one["CopyPartResult"]["ETag"] == '"' + hashlib.md5(first[:5 * MIB]).hexdigest() + '"'
    assert one["ServerSideEncryption"] == "aws:kms"
    two = s3.upload_part_copy(PartNumber=2, CopySource={"Bucket": bucket, "Key": "source-a"},
                              CopySourceRange=f"bytes={5 * MIB}-{11 * MIB - 1}", **common)
    three = s3.upload_part_copy(PartNumber=3, CopySource=f"{bucket}/source-b", **common)
    parts = [first[:5 * MIB], first[5 * MIB:], second]
    assert [p["Size"] for p in s3.list_parts(**common)["Parts"]] == [len(p) for p in parts]
    s3.complete_multipart_upload(MultipartUpload={"Parts": [
        {"PartNumber": n, "ETag": r["CopyPartResult"]["ETag"]} for n, r in ((1, one), (2, two), (3, three))]}, **common)
    got = s3.get_object(Bucket=bucket, Key="assembled")
    assert got["Body"].read() == first + second and got["ETag"] == multipart_etag(parts)

    upload = s3.create_multipart_upload(Bucket=bucket, Key="refused")["UploadId"]
    common = {"Bucket": bucket, "Key": "refused", "UploadId": upload, "PartNumber": 1}
    for bad in ("bytes=5-", "bytes=-5", "5-9", "bytes=9-5"):
        code, message, status = aws_error(s3.upload_part_copy, CopySource=f"{bucket}/source-b", CopySourceRange=bad,
                                          **common)
        assert (code, status) == ("InvalidArgument", 400) and message.startswith("The x-amz-copy-source-range"), bad
    code, message, _ = aws_error(s3.upload_part_copy, CopySource=f"{bucket}/source-b",
                                 CopySourceRange=f"bytes=0-{MIB}", **common)
    assert (code, message) == ("InvalidArgument", f"Range specified is not valid for source object of size: {MIB}")
    assert aws_error(s3.upload_part_copy, CopySource=f"{bucket}/source-b", CopySourceIfNoneMatch="*", **common)[2] \
        == 412
    assert aws_error(s3.upload_part_copy, CopySource=f"{bucket}/missing", **common)[0] == "NoSuchKey"
    assert aws_error(s3.upload_part_copy, CopySource=f"{bucket}/source-b",
                     **dict(common, UploadId="no-such-upload"))[0] == "NoSuchUpload"
    assert s3.list_parts(Bucket=bucket, Key="refused", UploadId=upload).get("Parts", []) == []


def test_uploads_of_one_key_list_in_the_order_they_began(s3, bucket, endpoint):
    """S3 lists a key's uploads by initiation time. Uploads begun in one millisecond (the host clock's resolution)
    still list in the order they began, not by their random upload ids; paging with the id marker follows it.
    The uploads are begun by requests pipelined on one connection, which the host serves in order and fast enough
    that several share a millisecond."""
    count = 40
    answers = pipelined(endpoint, [("POST", f"/{bucket}/same?uploads", {}, b"")] * count)
    assert [status for status, _, _ in answers] == [200] * count
    began = [re.search(rb"<UploadId>([^<]+)</UploadId>", body).group(1).decode() for _, _, body in answers]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    shared = len(uploads) - len({u["Initiated"] for u in uploads})
    assert [u["UploadId"] for u in uploads] == began, f"{shared} uploads shared an Initiated time with another"
    paged, markers = [], {}
    while True:
        page = s3.list_multipart_uploads(Bucket=bucket, Prefix="same", MaxUploads=7, **markers)
        paged += [u["UploadId"] for u in page.get("Uploads", [])]
        if not page["IsTruncated"]:
            break
        markers = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
    assert paged == began, f"{shared} uploads shared an Initiated time with another"
    for upload_id in began:
        s3.abort_multipart_upload(Bucket=bucket, Key="same", UploadId=upload_id)


def test_list_multipart_uploads_with_a_delimiter(s3, bucket, endpoint):
    """Keys holding the delimiter after the prefix roll up into CommonPrefixes, each counted once per page."""
    for key in ("a/1", "a/2", "b/x/1", "b/y", "c", "d/1"):
        s3.create_multipart_upload(Bucket=bucket, Key=key)
    whole = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in whole["Uploads"]] == ["c"] and whole["Delimiter"] == "/"
    assert [p["Prefix"] for p in whole["CommonPrefixes"]] == ["a/", "b/", "d/"] and whole["IsTruncated"] is False
    under_b = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", Prefix="b/")
    assert [u["Key"] for u in under_b["Uploads"]] == ["b/y"]
    assert [p["Prefix"] for p in under_b["CommonPrefixes"]] == ["b/x/"]
    seen, markers = [], {}
    while True:
        page = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=2, **markers)
        seen += [u["Key"] for u in page.get("Uploads", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        markers = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
    assert sorted(seen) == ["a/", "b/", "c", "d/"] and len(seen) == 4
    empty = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=0)
    assert empty["IsTruncated"] is False and "Uploads" not in empty
    # As recorded from AWS: the next markers are always there (empty for an empty page), Prefix only when asked
    # for, an upload-id-marker without a key-marker is ignored, and one that is not the key's upload is refused.
    assert (empty["NextKeyMarker"], empty["NextUploadIdMarker"]) == ("", "") and "Prefix" not in empty
    assert s3.list_multipart_uploads(Bucket=bucket, UploadIdMarker="anything")["UploadIdMarker"] == ""
    other = next(u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"] if u["Key"] == "a/1")
    code, message, _ = aws_error(s3.list_multipart_uploads, Bucket=bucket, KeyMarker="c", UploadIdMarker=other)
    assert (code, message) == ("InvalidArgument", "Invalid uploadId marker")
    assert aws_error(s3.list_multipart_uploads, Bucket=bucket, EncodingType="value")[0] == "InvalidArgument"
    s3.create_multipart_upload(Bucket=bucket, Key="e/x y&z")
    response = request(endpoint, "GET", f"/{bucket}?uploads&prefix=e%2F&encoding-type=url")
    assert b"<Key>e/x+y%26z</Key>" in response.body and b"<EncodingType>url</EncodingType>" in response.body
    # A key-marker inside a common prefix: that prefix is not listed again.
    after = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", KeyMarker="a/1")
    assert [p["Prefix"] for p in after["CommonPrefixes"]] == ["b/", "d/", "e/"]
    # An upload that is gone (aborted while a cleanup loop pages) lets the listing go on after its key.
    gone = s3.create_multipart_upload(Bucket=bucket, Key="c")["UploadId"]
    s3.abort_multipart_upload(Bucket=bucket, Key="c", UploadId=gone)
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="c", UploadIdMarker=gone)
    assert [u["Key"] for u in rest["Uploads"]] == ["d/1", "e/x y&z"]


def test_a_conditional_completion_conflicts_with_a_write_made_meanwhile(s3, bucket):
    """If-Match or If-None-Match on CompleteMultipartUpload, when the key was written or deleted after the upload
    began: 409 ConditionalRequestConflict naming the condition and key, as recorded from AWS; nothing changes."""
    def start(key):
        upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
        return upload, {"Parts": [{"PartNumber": 1, "ETag": etag}]}

    s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
    upload, parts = start("k")
    # What a write does not take is refused before anything else, a conflict included: S3's 501.
    code, _, status = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload,
                                MultipartUpload=parts, IfMatch="*")
    assert (code, status) == ("NotImplemented", 501)
    newer = s3.put_object(Bucket=bucket, Key="k", Body=b"v2")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload=parts, IfMatch=newer)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert info.value.response["Error"] == {
        "Code": "ConditionalRequestConflict", "Key": "k", "Condition": "If-Match",
        "Message": "The conditional request cannot succeed due to a conflicting operation against this resource."}
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v2"

    upload, parts = start("k")
    s3.delete_object(Bucket=bucket, Key="k")
    code, _, status = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload,
                                MultipartUpload=parts, IfNoneMatch="*")
    assert (code, status) == ("ConditionalRequestConflict", 409)
    # Without a change meanwhile the condition is simply judged; without a condition nothing conflicts.
    upload, parts = start("fresh")
    s3.complete_multipart_upload(Bucket=bucket, Key="fresh", UploadId=upload, MultipartUpload=parts, IfNoneMatch="*")
    upload, parts = start("fresh")
    s3.put_object(Bucket=bucket, Key="fresh", Body=b"meanwhile")
    s3.complete_multipart_upload(Bucket=bucket, Key="fresh", UploadId=upload, MultipartUpload=parts)
    assert s3.get_object(Bucket=bucket, Key="fresh")["Body"].read() == b"part"
