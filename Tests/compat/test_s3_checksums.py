"""S3 additional checksums (x-amz-checksum-*): boto3 computes them with its own implementations (zlib, hashlib and
the AWS CRT, which botocore uses for CRC32C, CRC64NVME and xxHash), the host checks and keeps them, and GET/HEAD
with ChecksumMode report them; botocore validates a GET's body against what the host reports. Values are also
compared with this test's own computation (zlib, hashlib, awscrt)."""

import base64
import hashlib
import os
import zlib

import botocore.config
import pytest
from awscrt import checksums as crt

from awsemu_host import make_client, request
from kms_helpers import aws_error

MIB = 1024 * 1024


def digest(algorithm, data):
    """The digest S3 sends for `data`, big-endian, from an implementation other than the host's."""
    if algorithm == "CRC32":
        return zlib.crc32(data).to_bytes(4, "big")
    if algorithm == "CRC32C":
        return crt.crc32c(data).to_bytes(4, "big")
    if algorithm == "CRC64NVME":
        return crt.crc64nvme(data).to_bytes(8, "big")
    if algorithm in ("SHA1", "SHA256", "SHA512", "MD5"):
        return hashlib.new(algorithm.lower(), data).digest()
    xxhash = {"XXHASH64": crt.XXHash.new_xxhash64, "XXHASH3": crt.XXHash.new_xxhash3_64,
              "XXHASH128": crt.XXHash.new_xxhash3_128}[algorithm]()
    xxhash.update(data)
    return xxhash.finalize()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def value(algorithm, data):
    return b64(digest(algorithm, data))


ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_is_checked_kept_and_reported(s3, bucket, algorithm):
    body = os.urandom(100_000)
    expected = value(algorithm, body)
    if algorithm == "MD5":  # botocore does not compute it; the value is sent as given
        put = s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumMD5=expected)
    else:
        put = s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected and put["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected and head["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected
    assert got["Body"].read() == body  # botocore checks the body against the reported checksum as it reads
    assert f"Checksum{algorithm}" not in s3.head_object(Bucket=bucket, Key="k")


def test_an_upload_without_a_checksum_gets_s3s_default_crc64nvme(endpoint, bucket):
    plain = make_client(endpoint, "s3", config=botocore.config.Config(request_checksum_calculation="when_required"))
    body = b"no checksum was sent with this"
    put = plain.put_object(Bucket=bucket, Key="default", Body=body)
    assert put["ChecksumCRC64NVME"] == value("CRC64NVME", body)
    head = plain.head_object(Bucket=bucket, Key="default", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == (value("CRC64NVME", body), "FULL_OBJECT")


def test_a_checksum_that_does_not_match_is_bad_digest_and_nothing_is_stored(s3, bucket):
    code, message, _ = aws_error(s3.put_object, Bucket=bucket, Key="bad", Body=b"actual body",
                                 ChecksumCRC32=value("CRC32", b"another body"))
    assert (code, message) == ("BadDigest", "The CRC32 you specified did not match the calculated checksum.")
    code, message, _ = aws_error(s3.put_object, Bucket=bucket, Key="bad", Body=b"actual body",
                                 ChecksumSHA256=value("SHA256", b"another body"))
    assert (code, message) == ("BadDigest", "The SHA256 you specified did not match the calculated checksum.")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("headers, message", [
    ({"x-amz-checksum-crc32": "not base64!"}, "Value for x-amz-checksum-crc32 header is invalid."),
    ({"x-amz-checksum-crc32": b64(b"12345")}, "Value for x-amz-checksum-crc32 header is invalid."),
    ({"x-amz-checksum-crc32": "y/Q5Jh=="}, "Value for x-amz-checksum-crc32 header is invalid."),
    ({"x-amz-checksum-crc32": value("CRC32", b"x"), "x-amz-checksum-sha1": value("SHA1", b"x")},
     "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."),
    ({"x-amz-checksum-crc32": value("CRC32", b"x"), "x-amz-sdk-checksum-algorithm": "SHA1"},
     "Value for x-amz-sdk-checksum-algorithm header is invalid."),
    ({"x-amz-sdk-checksum-algorithm": "CRC32"},
     "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were "
     "found."),
])
def test_malformed_checksum_headers_are_invalid_request(endpoint, s3, bucket, headers, message):
    response = request(endpoint, "PUT", f"/{bucket}/malformed", b"x", headers)
    assert response.status == 400, response.body
    assert b"<Code>InvalidRequest</Code>" in response.body and f"<Message>{message}</Message>".encode() in response.body
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def chunked(body: bytes, trailer: str, piece: int = 7) -> bytes:
    """An unsigned aws-chunked body with a trailing checksum, as the SDKs send it over HTTPS."""
    out = b""
    for start in range(0, len(body), piece):
        chunk = body[start:start + piece]
        out += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    return out + b"0\r\n" + trailer.encode() + b"\r\n\r\n"


def test_a_trailing_checksum_is_checked(endpoint, s3, bucket):
    body = b"a body whose checksum follows it"
    headers = {"Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "x-amz-decoded-content-length": str(len(body)), "x-amz-trailer": "x-amz-checksum-crc32c",
               "x-amz-sdk-checksum-algorithm": "CRC32C"}
    good = chunked(body, f"x-amz-checksum-crc32c:{value('CRC32C', body)}")
    response = request(endpoint, "PUT", f"/{bucket}/trailed", good, headers)
    assert response.status == 200, response.body
    assert response.headers["x-amz-checksum-crc32c"] == value("CRC32C", body)
    assert s3.get_object(Bucket=bucket, Key="trailed", ChecksumMode="ENABLED")["Body"].read() == body
    bad = chunked(body, f"x-amz-checksum-crc32c:{value('CRC32C', b'other')}")
    response = request(endpoint, "PUT", f"/{bucket}/trailed-bad", bad, headers)
    assert response.status == 400 and b"<Code>BadDigest</Code>" in response.body
    missing = chunked(body, "x-amz-trailer-signature:00")
    assert request(endpoint, "PUT", f"/{bucket}/trailed-bad", missing, headers).status == 400
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["trailed"]


def test_checksum_mode_reports_only_for_the_whole_object(endpoint, s3, bucket):
    body = os.urandom(1000)
    s3.put_object(Bucket=bucket, Key="ranged", Body=body, ChecksumAlgorithm="SHA1")
    whole = s3.get_object(Bucket=bucket, Key="ranged", ChecksumMode="ENABLED", Range="bytes=0-999")
    assert whole["ChecksumSHA1"] == value("SHA1", body)
    part = s3.get_object(Bucket=bucket, Key="ranged", ChecksumMode="ENABLED", Range="bytes=0-99")
    assert "ChecksumSHA1" not in part and part["Body"].read() == body[:100]
    response = request(endpoint, "GET", f"/{bucket}/ranged", headers={"x-amz-checksum-mode": "SOMETIMES"})
    assert response.status == 400
    assert b"<Message>Value for x-amz-checksum-mode header is invalid.</Message>" in response.body


def upload(s3, bucket, key, parts, **create):
    """A multipart upload of `parts`, each sent with the upload's algorithm; returns the upload id and the parts
    as CompleteMultipartUpload lists them."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    algorithm = create.get("ChecksumAlgorithm")
    listed = []
    for number, data in enumerate(parts, start=1):
        extra = {"ChecksumAlgorithm": algorithm} if algorithm else {}
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data, **extra)
        entry = {"PartNumber": number, "ETag": answer["ETag"]}
        if algorithm:
            assert answer[f"Checksum{algorithm}"] == value(algorithm, data)
            entry[f"Checksum{algorithm}"] = answer[f"Checksum{algorithm}"]
        listed.append(entry)
    return upload_id, listed


def test_a_composite_multipart_checksum(s3, bucket):
    parts = [os.urandom(5 * MIB), b"the last part"]
    created = s3.create_multipart_upload(Bucket=bucket, Key="probe", ChecksumAlgorithm="SHA256")
    assert (created["ChecksumAlgorithm"], created["ChecksumType"]) == ("SHA256", "COMPOSITE")
    s3.abort_multipart_upload(Bucket=bucket, Key="probe", UploadId=created["UploadId"])
    upload_id, listed = upload(s3, bucket, "composite", parts, ChecksumAlgorithm="SHA256")
    listing = s3.list_parts(Bucket=bucket, Key="composite", UploadId=upload_id)
    assert [p["ChecksumSHA256"] for p in listing["Parts"]] == [value("SHA256", p) for p in parts]
    assert (listing["ChecksumAlgorithm"], listing["ChecksumType"]) == ("SHA256", "COMPOSITE")
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["ChecksumAlgorithm"], u["ChecksumType"]) for u in uploads] == [("SHA256", "COMPOSITE")]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="composite", UploadId=upload_id,
                                        MultipartUpload={"Parts": listed})
    expected = b64(hashlib.sha256(b"".join(digest("SHA256", p) for p in parts)).digest()) + "-2"
    assert (done["ChecksumSHA256"], done["ChecksumType"]) == (expected, "COMPOSITE")
    head = s3.head_object(Bucket=bucket, Key="composite", ChecksumMode="ENABLED")
    assert (head["ChecksumSHA256"], head["ChecksumType"]) == (expected, "COMPOSITE")
    first = s3.get_object(Bucket=bucket, Key="composite", PartNumber=2, ChecksumMode="ENABLED")
    assert first["ChecksumSHA256"] == value("SHA256", parts[1]) and first["Body"].read() == parts[1]
    assert s3.get_object(Bucket=bucket, Key="composite")["Body"].read() == b"".join(parts)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_a_full_object_multipart_checksum_is_the_whole_bodys(s3, bucket, algorithm):
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB + 17), b"end"]
    whole = b"".join(parts)
    upload_id, listed = upload(s3, bucket, "full", parts, ChecksumAlgorithm=algorithm, ChecksumType="FULL_OBJECT")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload_id,
                                        MultipartUpload={"Parts": listed}, ChecksumType="FULL_OBJECT",
                                        **{f"Checksum{algorithm}": value(algorithm, whole)})
    assert (done[f"Checksum{algorithm}"], done["ChecksumType"]) == (value(algorithm, whole), "FULL_OBJECT")
    got = s3.get_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == value(algorithm, whole) and got["Body"].read() == whole


def test_a_multipart_upload_without_a_checksum_gets_the_default(endpoint, bucket):
    plain = make_client(endpoint, "s3", config=botocore.config.Config(request_checksum_calculation="when_required"))
    parts = [os.urandom(5 * MIB), b"tail"]
    upload_id, listed = upload(plain, bucket, "default", parts)
    done = plain.complete_multipart_upload(Bucket=bucket, Key="default", UploadId=upload_id,
                                           MultipartUpload={"Parts": listed})
    assert (done["ChecksumCRC64NVME"], done["ChecksumType"]) == (value("CRC64NVME", b"".join(parts)), "FULL_OBJECT")


def test_multipart_checksum_rules(endpoint, s3, bucket):
    code, message, _ = aws_error(s3.create_multipart_upload, Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256",
                                 ChecksumType="FULL_OBJECT")
    assert (code, message) == ("InvalidRequest",
                               "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.")
    response = request(endpoint, "POST", f"/{bucket}/k?uploads", headers={"x-amz-checksum-type": "COMPOSITE"})
    assert response.status == 400 and b"can only be used with the x-amz-checksum-algorithm header" in response.body
    parts = [os.urandom(5 * MIB), b"second"]
    upload_id, listed = upload(s3, bucket, "rules", parts, ChecksumAlgorithm="CRC32")
    # A part without the upload's checksum, or with another one, is refused.
    plain = make_client(endpoint, "s3", config=botocore.config.Config(request_checksum_calculation="when_required"))
    code, message, _ = aws_error(plain.upload_part, Bucket=bucket, Key="rules", UploadId=upload_id, PartNumber=3,
                                 Body=b"x")
    assert (code, message) == ("InvalidRequest",
                               "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: null")
    code, _, _ = aws_error(s3.upload_part, Bucket=bucket, Key="rules", UploadId=upload_id, PartNumber=3, Body=b"x",
                           ChecksumAlgorithm="SHA1")
    assert code == "InvalidRequest"
    # Complete must list each part's checksum, and the right one.
    missing = [dict(listed[0]), {k: v for k, v in listed[1].items() if k != "ChecksumCRC32"}]
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="rules", UploadId=upload_id,
                                 MultipartUpload={"Parts": missing})
    assert code == "InvalidRequest" and "It was missing for part 2 in the request." in message
    wrong = [dict(listed[0]), dict(listed[1], ChecksumCRC32=value("CRC32", b"not the part"))]
    assert aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="rules", UploadId=upload_id,
                     MultipartUpload={"Parts": wrong})[0] == "InvalidPart"
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="rules", UploadId=upload_id,
                                 MultipartUpload={"Parts": listed}, ChecksumCRC32=value("CRC32", b"not it") + "-2")
    assert (code, message) == ("BadDigest", "The crc32 you specified did not match the calculated checksum.")
    composite = b64(zlib.crc32(b"".join(digest("CRC32", p) for p in parts)).to_bytes(4, "big"))
    done = s3.complete_multipart_upload(Bucket=bucket, Key="rules", UploadId=upload_id,
                                        MultipartUpload={"Parts": listed}, ChecksumCRC32=composite + "-2")
    assert done["ChecksumCRC32"] == composite + "-2"


def test_upload_file_with_botos_defaults(s3, bucket, tmp_path):
    """s3transfer's multipart upload as it runs by default: CRC32 per part, listed again at completion."""
    data = os.urandom(20 * MIB)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    s3.upload_file(str(path), bucket, "uploaded.bin")
    head = s3.head_object(Bucket=bucket, Key="uploaded.bin", ChecksumMode="ENABLED")
    # 8 MiB parts, s3transfer's default: three of them.
    assert head["ChecksumType"] == "COMPOSITE" and head["ChecksumCRC32"].endswith("-3")
    target = tmp_path / "back.bin"
    s3.download_file(bucket, "uploaded.bin", str(target))
    assert target.read_bytes() == data


def test_a_copy_keeps_or_changes_the_algorithm(s3, bucket):
    body = os.urandom(3000)
    s3.put_object(Bucket=bucket, Key="source", Body=body, ChecksumAlgorithm="SHA1")
    kept = s3.copy_object(Bucket=bucket, Key="kept", CopySource={"Bucket": bucket, "Key": "source"})
    assert kept["CopyObjectResult"]["ChecksumSHA1"] == value("SHA1", body)
    assert kept["CopyObjectResult"]["ChecksumType"] == "FULL_OBJECT"
    changed = s3.copy_object(Bucket=bucket, Key="changed", CopySource={"Bucket": bucket, "Key": "source"},
                             ChecksumAlgorithm="CRC32C")
    assert changed["CopyObjectResult"]["ChecksumCRC32C"] == value("CRC32C", body)
    head = s3.head_object(Bucket=bucket, Key="changed", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32C"] == value("CRC32C", body) and "ChecksumSHA1" not in head


def test_get_object_attributes(endpoint, s3, bucket):
    body = os.urandom(2000)
    s3.put_object(Bucket=bucket, Key="single", Body=body, ChecksumAlgorithm="CRC32C", StorageClass="STANDARD_IA")
    answer = s3.get_object_attributes(Bucket=bucket, Key="single",
                                      ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
    assert answer["ETag"] == hashlib.md5(body).hexdigest()
    assert answer["Checksum"] == {"ChecksumCRC32C": value("CRC32C", body), "ChecksumType": "FULL_OBJECT"}
    assert (answer["StorageClass"], answer["ObjectSize"]) == ("STANDARD_IA", 2000)
    assert "ObjectParts" not in answer and "LastModified" in answer
    only = s3.get_object_attributes(Bucket=bucket, Key="single", ObjectAttributes=["ObjectSize"])
    assert only["ObjectSize"] == 2000 and "ETag" not in only and "Checksum" not in only

    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), b"three"]
    upload_id, listed = upload(s3, bucket, "multi", parts, ChecksumAlgorithm="SHA1")
    completed = s3.complete_multipart_upload(Bucket=bucket, Key="multi", UploadId=upload_id,
                                            MultipartUpload={"Parts": listed})
    assert completed["ChecksumSHA1"].endswith("-3")
    first = s3.get_object_attributes(Bucket=bucket, Key="multi", ObjectAttributes=["ObjectParts", "Checksum"],
                                     MaxParts=2)
    # GetObjectAttributes gives a composite checksum without the "-<parts>" that Complete, GET and HEAD show.
    assert first["Checksum"] == {"ChecksumSHA1": completed["ChecksumSHA1"][:-2], "ChecksumType": "COMPOSITE"}
    page = first["ObjectParts"]
    assert (page["TotalPartsCount"], page["MaxParts"], page["IsTruncated"], page["NextPartNumberMarker"]) \
        == (3, 2, True, 2)
    assert [(p["PartNumber"], p["Size"], p["ChecksumSHA1"]) for p in page["Parts"]] \
        == [(n, len(data), value("SHA1", data)) for n, data in enumerate(parts[:2], start=1)]
    rest = s3.get_object_attributes(Bucket=bucket, Key="multi", ObjectAttributes=["ObjectParts"],
                                    PartNumberMarker=2)["ObjectParts"]
    assert [p["PartNumber"] for p in rest["Parts"]] == [3] and rest["IsTruncated"] is False

    for headers, code in (({}, "InvalidRequest"), ({"x-amz-object-attributes": "ETag,Colour"}, "InvalidArgument")):
        response = request(endpoint, "GET", f"/{bucket}/single?attributes", headers=headers)
        assert response.status == 400 and f"<Code>{code}</Code>".encode() in response.body
    assert aws_error(s3.get_object_attributes, Bucket=bucket, Key="absent", ObjectAttributes=["ETag"])[0] \
        == "NoSuchKey"


def test_completion_checks_part_numbers_and_the_claimed_type(s3, bucket):
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), b"3"]
    upload_id, listed = upload(s3, bucket, "gaps", parts, ChecksumAlgorithm="CRC32C")
    # With additional checksums the parts must be numbered from 1 without a gap.
    assert aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="gaps", UploadId=upload_id,
                     MultipartUpload={"Parts": [listed[0], listed[2]]})[0] == "InvalidPartOrder"
    whole = value("CRC32C", b"".join(digest("CRC32C", p) for p in parts))
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="gaps", UploadId=upload_id,
                                 MultipartUpload={"Parts": listed}, ChecksumType="FULL_OBJECT")
    assert (code, message) == ("InvalidRequest", "The upload was created using the COMPOSITE checksum mode. The "
                               "complete request must use the same checksum mode.")
    # x-amz-mp-object-size must be the size the parts make.
    size = sum(len(p) for p in parts)
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="gaps", UploadId=upload_id,
                                 MultipartUpload={"Parts": listed}, MpuObjectSize=size + 1)
    assert (code, message) == ("InvalidRequest", f"The provided 'x-amz-mp-object-size' header value {size + 1} "
                               f"does not match what was computed: {size}")
    # A composite claim may leave out its -N, but the N it gives must count the parts.
    code, _, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="gaps", UploadId=upload_id,
                           MultipartUpload={"Parts": listed}, ChecksumCRC32C=whole + "-2")
    assert code == "BadDigest"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="gaps", UploadId=upload_id,
                                        MultipartUpload={"Parts": listed}, ChecksumCRC32C=whole)
    assert done["ChecksumCRC32C"] == whole + "-3"


def test_an_upload_without_an_algorithm_takes_no_part_checksums_or_type(s3, bucket):
    """An upload created without an algorithm has the "null" checksum mode: a part checksum listed at completion is
    InvalidPart, and claiming a type is InvalidRequest, as S3 answers them."""
    raw = s3.create_multipart_upload(Bucket=bucket, Key="plain")["UploadId"]
    part = os.urandom(5 * MIB)
    etag = s3.upload_part(Bucket=bucket, Key="plain", UploadId=raw, PartNumber=1, Body=part)["ETag"]
    code, _, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="plain", UploadId=raw,
                           MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag,
                                                       "ChecksumCRC32": value("CRC32", part)}]})
    assert code == "InvalidPart"
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="plain", UploadId=raw,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
                                 ChecksumType="FULL_OBJECT")
    assert (code, message) == ("InvalidRequest", "The upload was created using the null checksum mode. The complete "
                               "request must use the same checksum mode.")
    s3.complete_multipart_upload(Bucket=bucket, Key="plain", UploadId=raw,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}, MpuObjectSize=len(part))


def test_a_full_object_claim_has_no_part_count(s3, bucket):
    parts = [os.urandom(5 * MIB), b"end"]
    upload_id, listed = upload(s3, bucket, "full", parts, ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    whole = value("CRC32", b"".join(parts))
    assert aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="full", UploadId=upload_id,
                     MultipartUpload={"Parts": listed}, ChecksumCRC32=whole + "-2")[0] == "BadDigest"
    s3.complete_multipart_upload(Bucket=bucket, Key="full", UploadId=upload_id, MultipartUpload={"Parts": listed},
                                 ChecksumCRC32=whole)
    # One part of a FULL_OBJECT upload reports that part's own checksum.
    got = s3.get_object(Bucket=bucket, Key="full", PartNumber=2, ChecksumMode="ENABLED")
    assert (got["ChecksumCRC32"], got["ChecksumType"]) == (value("CRC32", b"end"), "FULL_OBJECT")


def test_a_part_of_a_default_multipart_object_reports_nothing(endpoint, bucket):
    plain = make_client(endpoint, "s3", config=botocore.config.Config(request_checksum_calculation="when_required"))
    parts = [os.urandom(5 * MIB), b"tail"]
    upload_id, listed = upload(plain, bucket, "default", parts)
    plain.complete_multipart_upload(Bucket=bucket, Key="default", UploadId=upload_id, MultipartUpload={"Parts": listed})
    got = plain.get_object(Bucket=bucket, Key="default", PartNumber=1, ChecksumMode="ENABLED")
    assert "ChecksumCRC64NVME" not in got and "ChecksumType" not in got


def test_upload_part_copy_into_an_upload_with_an_algorithm(s3, bucket):
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="copied", ChecksumAlgorithm="CRC32C")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=upload_id, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="bytes=0-5242879")
    assert copied["CopyPartResult"]["ChecksumCRC32C"] == value("CRC32C", source[:5 * MIB])
    second = s3.upload_part(Bucket=bucket, Key="copied", UploadId=upload_id, PartNumber=2, Body=b"more",
                            ChecksumAlgorithm="CRC32C")
    listed = [{"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"],
               "ChecksumCRC32C": copied["CopyPartResult"]["ChecksumCRC32C"]},
              {"PartNumber": 2, "ETag": second["ETag"], "ChecksumCRC32C": second["ChecksumCRC32C"]}]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=upload_id,
                                        MultipartUpload={"Parts": listed})
    expected = value("CRC32C", digest("CRC32C", source[:5 * MIB]) + digest("CRC32C", b"more")) + "-2"
    assert done["ChecksumCRC32C"] == expected


def test_xml_bodies_are_checked_and_delete_objects_needs_a_digest(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")
    document = b"<Delete><Object><Key>kept</Key></Object></Delete>"
    response = request(endpoint, "POST", f"/{bucket}?delete", document)
    assert response.status == 400
    assert b"<Message>Missing required header for this request: Content-MD5</Message>" in response.body
    response = request(endpoint, "POST", f"/{bucket}?delete", document,
                       {"x-amz-checksum-crc32": value("CRC32", b"another document")})
    assert response.status == 400 and b"<Code>BadDigest</Code>" in response.body
    encryption = (b'<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256'
                  b'</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>')
    response = request(endpoint, "PUT", f"/{bucket}?encryption", encryption,
                       {"x-amz-checksum-sha256": value("SHA256", b"not this")})
    assert response.status == 400 and b"<Code>BadDigest</Code>" in response.body
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    # boto3 sends its default CRC32 with each: accepted.
    assert s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "kept"}]})["Deleted"] == [{"Key": "kept"}]
    response = request(endpoint, "POST", f"/{bucket}?delete", document,
                       {"x-amz-checksum-crc32": value("CRC32", document)})
    assert response.status == 200, response.body


def invalid_request(response, message):
    return response.status == 400 and b"<Code>InvalidRequest</Code>" in response.body \
        and f"<Message>{message}</Message>".encode() in response.body


def test_malformed_trailer_and_multipart_checksum_headers(endpoint, bucket):
    chunked_headers = {"Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                       "x-amz-decoded-content-length": "1"}
    body = chunked(b"x", f"x-amz-checksum-crc32:{value('CRC32', b'x')}")
    response = request(endpoint, "PUT", f"/{bucket}/t", body, dict(chunked_headers, **{
        "x-amz-trailer": "x-amz-checksum-crc99"}))
    assert invalid_request(response, "Value for x-amz-trailer header is invalid.")
    response = request(endpoint, "PUT", f"/{bucket}/t", body, dict(chunked_headers, **{
        "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-checksum-sha1": value("SHA1", b"x")}))
    assert invalid_request(response,
                           "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
    for headers, message in (
        ({"x-amz-checksum-algorithm": "CRC16"}, "Checksum algorithm provided is unsupported. Please try again with "
         "any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]"),
        ({"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "PARTIAL"},
         "Value for x-amz-checksum-type header is invalid."),
        ({"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE"},
         "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."),
    ):
        assert invalid_request(request(endpoint, "POST", f"/{bucket}/k?uploads", headers=headers), message), headers


def test_completion_refuses_malformed_part_checksums_and_claims(s3, bucket):
    parts = [os.urandom(5 * MIB), b"b"]
    upload_id, listed = upload(s3, bucket, "claims", parts, ChecksumAlgorithm="CRC32")
    malformed = [listed[0], dict(listed[1], ChecksumCRC32="not base64!")]
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="claims", UploadId=upload_id,
                                 MultipartUpload={"Parts": malformed})
    assert (code, message) == ("InvalidArgument", "Invalid Base64 or multiple checksums present in request")
    other = [listed[0], {"PartNumber": 2, "ETag": listed[1]["ETag"], "ChecksumSHA1": value("SHA1", parts[1])}]
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="claims", UploadId=upload_id,
                                 MultipartUpload={"Parts": other})
    assert (code, message) == ("BadDigest", "The sha1 you specified for part 2 did not match what we received.")
    code, message, _ = aws_error(s3.complete_multipart_upload, Bucket=bucket, Key="claims", UploadId=upload_id,
                                 MultipartUpload={"Parts": listed}, ChecksumCRC32=value("CRC32", b"x") + "-a")
    assert (code, message) == ("InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid.")


def test_create_bucket_checks_its_documents_digests(endpoint):
    document = b"<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"
    wrong_md5 = base64.b64encode(hashlib.md5(b"another").digest()).decode()
    response = request(endpoint, "PUT", "/digest-checked", document, {"Content-MD5": wrong_md5})
    assert response.status == 400 and b"<Code>BadDigest</Code>" in response.body
    response = request(endpoint, "PUT", "/digest-checked", document,
                       {"x-amz-checksum-crc32": value("CRC32", b"another")})
    assert response.status == 400 and b"<Code>BadDigest</Code>" in response.body
    response = request(endpoint, "PUT", "/digest-checked", document,
                       {"x-amz-checksum-crc32": value("CRC32", document)})
    assert response.status == 200, response.body


def test_object_parts_of_an_object_without_part_checksums(endpoint, bucket):
    plain = make_client(endpoint, "s3", config=botocore.config.Config(request_checksum_calculation="when_required"))
    upload_id, listed = upload(plain, bucket, "default", [os.urandom(5 * MIB), b"tail"])
    plain.complete_multipart_upload(Bucket=bucket, Key="default", UploadId=upload_id, MultipartUpload={"Parts": listed})
    parts = plain.get_object_attributes(Bucket=bucket, Key="default", ObjectAttributes=["ObjectParts"])["ObjectParts"]
    assert parts == {"TotalPartsCount": 2}
    response = request(endpoint, "GET", f"/{bucket}/default?attributes",
                       headers={"x-amz-object-attributes": "ObjectParts", "x-amz-max-parts": "-1"})
    assert response.status == 400 and b"<Code>InvalidArgument</Code>" in response.body
