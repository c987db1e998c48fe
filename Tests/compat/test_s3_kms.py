"""S3 server-side encryption with KMS over the service bus: the AWS managed key alias/aws/s3 (created on first use,
usable only through S3), customer keys, the encryption context S3 uses, bucket default encryption, key state
(disabled keys fail reads as S3 reports it), missing keys, and hosts without KMS or with key validation skipped."""

import base64
import hashlib
import json
import os
import uuid

import pytest

from awsemu_host import AwsemuHost, make_client
from kms_helpers import aws_error

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def kms(client):
    return client("kms")


def managed_key_arn(kms):
    alias = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/aws/s3")
    return kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]


def test_sse_kms_with_the_aws_managed_key(s3, kms, bucket):
    put = s3.put_object(Bucket=bucket, Key="managed", Body=b"under aws/s3", ServerSideEncryption="aws:kms")
    arn = managed_key_arn(kms)
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == arn
    metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
    assert metadata["KeyManager"] == "AWS"
    assert metadata["Description"] == "Default key that protects my S3 objects when no other key is defined"
    got = s3.get_object(Bucket=bucket, Key="managed")
    assert got["Body"].read() == b"under aws/s3"
    assert got["ServerSideEncryption"] == "aws:kms" and got["SSEKMSKeyId"] == arn
    head = s3.head_object(Bucket=bucket, Key="managed")
    assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == arn
    # The managed key's policy admits it only through S3 (kms:ViaService); the caller cannot use it directly.
    code, _, _ = aws_error(kms.generate_data_key, KeyId="alias/aws/s3", KeySpec="AES_256")
    assert code == "AccessDeniedException"


def test_sse_kms_with_a_customer_key_and_encryption_context(s3, kms, bucket):
    key = kms.create_key(Description="s3 customer key")["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/s3-{uuid.uuid4().hex[:8]}", TargetKeyId=key["KeyId"])
    context = base64.b64encode(json.dumps({"project": "emu"}).encode()).decode()
    put = s3.put_object(Bucket=bucket, Key="custom", Body=b"customer key body", ServerSideEncryption="aws:kms",
                        SSEKMSKeyId=key["KeyId"], SSEKMSEncryptionContext=context)
    assert put["SSEKMSKeyId"] == key["Arn"] and put["SSEKMSEncryptionContext"] == context
    got = s3.get_object(Bucket=bucket, Key="custom")
    assert got["Body"].read() == b"customer key body" and got["SSEKMSKeyId"] == key["Arn"]
    # By ARN and by alias too.
    by_arn = s3.put_object(Bucket=bucket, Key="by-arn", Body=b"x", ServerSideEncryption="aws:kms",
                           SSEKMSKeyId=key["Arn"])
    assert by_arn["SSEKMSKeyId"] == key["Arn"]
    code, message, _ = aws_error(s3.put_object, Bucket=bucket, Key="bad", Body=b"x", SSEKMSKeyId=key["Arn"])
    assert code == "InvalidArgument" and "x-amz-server-side-encryption : aws:kms" in message
    code, _, _ = aws_error(s3.put_object, Bucket=bucket, Key="bad", Body=b"x", ServerSideEncryption="aws:kms",
                           SSEKMSEncryptionContext=base64.b64encode(b"[1, 2]").decode())
    assert code == "InvalidArgument"
    code, message, _ = aws_error(s3.put_object, Bucket=bucket, Key="bad", Body=b"x", ServerSideEncryption="rot13")
    assert (code, message) == ("InvalidArgument", "The encryption method specified is not supported")


def test_disabling_the_key_fails_reads_and_enabling_restores_them(s3, kms, bucket):
    key = kms.create_key()["KeyMetadata"]
    s3.put_object(Bucket=bucket, Key="guarded", Body=b"needs the key", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key["Arn"])
    kms.disable_key(KeyId=key["KeyId"])
    code, message, status = aws_error(s3.get_object, Bucket=bucket, Key="guarded")
    assert (code, status) == ("KMS.DisabledException", 400) and message == f"{key['Arn']} is disabled."
    # HEAD needs no key, as in S3.
    assert s3.head_object(Bucket=bucket, Key="guarded")["SSEKMSKeyId"] == key["Arn"]
    code, _, _ = aws_error(s3.put_object, Bucket=bucket, Key="new", Body=b"x", ServerSideEncryption="aws:kms",
                           SSEKMSKeyId=key["Arn"])
    assert code == "KMS.DisabledException"
    kms.enable_key(KeyId=key["KeyId"])
    assert s3.get_object(Bucket=bucket, Key="guarded")["Body"].read() == b"needs the key"


def test_an_sse_kms_etag_is_not_the_md5_of_the_data(s3, bucket):
    """As S3 documents for SSE-KMS objects; SSE-S3 objects keep the MD5. Conditions still work on the ETag given."""
    body = b"etag under kms"
    kms_etag = s3.put_object(Bucket=bucket, Key="kms-etag", Body=body, ServerSideEncryption="aws:kms")["ETag"]
    assert len(kms_etag) == 34 and kms_etag != f'"{hashlib.md5(body).hexdigest()}"'
    again = s3.put_object(Bucket=bucket, Key="kms-etag-2", Body=body, ServerSideEncryption="aws:kms")["ETag"]
    assert again != kms_etag
    assert s3.head_object(Bucket=bucket, Key="kms-etag")["ETag"] == kms_etag
    assert s3.get_object(Bucket=bucket, Key="kms-etag", IfMatch=kms_etag)["Body"].read() == body
    copied = s3.copy_object(Bucket=bucket, Key="kms-copy", CopySource={"Bucket": bucket, "Key": "kms-etag"},
                            ServerSideEncryption="aws:kms")["CopyObjectResult"]["ETag"]
    assert copied not in (kms_etag, f'"{hashlib.md5(body).hexdigest()}"')
    plain = s3.put_object(Bucket=bucket, Key="s3-etag", Body=body, ServerSideEncryption="AES256")["ETag"]
    assert plain == f'"{hashlib.md5(body).hexdigest()}"'


def test_a_key_that_does_not_exist_fails_the_write(s3, bucket):
    missing = str(uuid.uuid4())
    code, message, status = aws_error(s3.put_object, Bucket=bucket, Key="nokey", Body=b"x",
                                      ServerSideEncryption="aws:kms", SSEKMSKeyId=missing)
    assert (code, status) == ("KMS.NotFoundException", 400) and missing in message
    code, _, _ = aws_error(s3.head_object, Bucket=bucket, Key="nokey")
    assert code == "404"


def test_bucket_default_encryption_applies_to_puts_copies_and_multipart(s3, kms, bucket):
    key = kms.create_key()["KeyMetadata"]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
    put = s3.put_object(Bucket=bucket, Key="default", Body=b"by default")
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == key["Arn"]
    # An explicit SSE-S3 request wins over the bucket default.
    assert s3.put_object(Bucket=bucket, Key="s3", Body=b"x", ServerSideEncryption="AES256")["ServerSideEncryption"] \
        == "AES256"
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/s3")
    assert copied["ServerSideEncryption"] == "aws:kms" and copied["SSEKMSKeyId"] == key["Arn"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mpu")
    assert upload["ServerSideEncryption"] == "aws:kms" and upload["SSEKMSKeyId"] == key["Arn"]
    parts = [os.urandom(5 * MIB), b"end"]
    etags = [s3.upload_part(Bucket=bucket, Key="mpu", UploadId=upload["UploadId"], PartNumber=i + 1, Body=p)["ETag"]
             for i, p in enumerate(parts)]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mpu", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
    assert done["SSEKMSKeyId"] == key["Arn"]
    assert s3.get_object(Bucket=bucket, Key="mpu")["Body"].read() == b"".join(parts)
    # Reading a multipart object under a disabled key fails like any other.
    kms.disable_key(KeyId=key["KeyId"])
    code, _, _ = aws_error(s3.get_object, Bucket=bucket, Key="mpu")
    assert code == "KMS.DisabledException"
    kms.enable_key(KeyId=key["KeyId"])
    # Copy to SSE-S3 re-encrypts under a new key.
    back = s3.copy_object(Bucket=bucket, Key="plain-copy", CopySource=f"{bucket}/mpu", ServerSideEncryption="AES256")
    assert back["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="plain-copy")["Body"].read() == b"".join(parts)


def test_key_policy_sees_s3_as_the_via_service(s3, kms, bucket):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion"], "Resource": "*"},
        {"Sid": "only-through-s3", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}
    key = kms.create_key(Policy=json.dumps(policy), BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    s3.put_object(Bucket=bucket, Key="via", Body=b"through s3 only", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key["Arn"])
    assert s3.get_object(Bucket=bucket, Key="via")["Body"].read() == b"through s3 only"
    code, _, _ = aws_error(kms.generate_data_key, KeyId=key["Arn"], KeySpec="AES_256")
    assert code == "AccessDeniedException"


def test_without_kms_sse_kms_is_an_s3_error_and_sse_s3_still_works():
    with AwsemuHost({"SERVICES": "s3"}) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="no-kms-here")
        code, message, status = aws_error(s3.put_object, Bucket="no-kms-here", Key="k", Body=b"x",
                                          ServerSideEncryption="aws:kms")
        assert (code, status) == ("NotImplemented", 501) and "add kms to SERVICES" in message
        code, _, _ = aws_error(s3.create_multipart_upload, Bucket="no-kms-here", Key="k",
                               ServerSideEncryption="aws:kms")
        assert code == "NotImplemented"
        put = s3.put_object(Bucket="no-kms-here", Key="k", Body=b"sse-s3 needs no kms")
        assert put["ServerSideEncryption"] == "AES256"
        assert s3.get_object(Bucket="no-kms-here", Key="k")["Body"].read() == b"sse-s3 needs no kms"
        s3.put_bucket_encryption(Bucket="no-kms-here", ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
        code, _, _ = aws_error(s3.put_object, Bucket="no-kms-here", Key="k2", Body=b"x")
        assert code == "NotImplemented"
        assert "Traceback" not in host.log and "fatal" not in host.log.lower()


def test_skipping_kms_key_validation_stores_but_never_reads():
    with AwsemuHost({"SERVICES": "kms,s3", "S3_SKIP_KMS_KEY_VALIDATION": "1"}) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="skip-validation")
        fake = str(uuid.uuid4())
        put = s3.put_object(Bucket="skip-validation", Key="k", Body=b"unreadable", ServerSideEncryption="aws:kms",
                            SSEKMSKeyId=fake)
        assert put["SSEKMSKeyId"] == f"arn:aws:kms:us-east-1:000000000000:key/{fake}"
        head = s3.head_object(Bucket="skip-validation", Key="k")
        assert head["ServerSideEncryption"] == "aws:kms" and head["ContentLength"] == len(b"unreadable")
        code, message, status = aws_error(s3.get_object, Bucket="skip-validation", Key="k")
        assert (code, status) == ("KMS.NotFoundException", 400) and fake in message
        # Keys that exist work as always.
        s3.put_object(Bucket="skip-validation", Key="ok", Body=b"fine", ServerSideEncryption="aws:kms")
        assert s3.get_object(Bucket="skip-validation", Key="ok")["Body"].read() == b"fine"
