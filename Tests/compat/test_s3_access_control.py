"""S3 ACLs as every bucket created since April 2023 has them: disabled (Object Ownership BucketOwnerEnforced). The
owner holds FULL_CONTROL and reads say so; writes that would set any other ACL are refused with S3's codes and words.
ACLs themselves (ObjectWriter, BucketOwnerPreferred) are not built and answer NotImplemented."""

import uuid
import xml.etree.ElementTree as ET

from awsemu_host import request, refusal as error

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
ACLS_DISABLED = {"Code": "AccessControlListNotSupported", "Message": "The bucket does not allow ACLs"}




def owner_id(s3, bucket):
    return s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]["Owner"]["ID"]


def test_reads_show_the_owner_with_full_control(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    owner = owner_id(s3, bucket)
    for answer in (s3.get_bucket_acl(Bucket=bucket), s3.get_object_acl(Bucket=bucket, Key="k")):
        assert answer["Owner"] == {"ID": owner}
        assert answer["Grants"] == [{"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
    # The grantee's type is an xsi:type attribute, as S3 writes it.
    root = ET.fromstring(request(endpoint, "GET", f"/{bucket}?acl").body)
    grantee = root.find(f"{NS}AccessControlList/{NS}Grant/{NS}Grantee")
    assert root.tag == f"{NS}AccessControlPolicy" and grantee.get(f"{XSI}type") == "CanonicalUser"
    assert error(s3.get_object_acl, Bucket=bucket, Key="missing")["Error"]["Code"] == "NoSuchKey"


def test_writes_may_only_leave_the_owner_in_control(s3, bucket):
    s3.put_object(Bucket=bucket, Key="first", Body=b"x")
    owner = owner_id(s3, bucket)
    # The ACL that changes nothing, and a same-account "private", are taken.
    s3.put_object(Bucket=bucket, Key="a", Body=b"x", ACL="bucket-owner-full-control")
    s3.put_object(Bucket=bucket, Key="b", Body=b"x", ACL="private")
    s3.put_object(Bucket=bucket, Key="c", Body=b"x", GrantFullControl=f'id="{owner}"')
    others = [{"ACL": "public-read"}, {"ACL": "authenticated-read"},
              {"GrantRead": 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'},
              {"GrantFullControl": 'id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"'}]
    for kw in others:
        assert error(s3.put_object, Bucket=bucket, Key="d", Body=b"x", **kw)["Error"] == ACLS_DISABLED
        assert error(s3.create_multipart_upload, Bucket=bucket, Key="d", **kw)["Error"] == ACLS_DISABLED
        assert error(s3.copy_object, Bucket=bucket, Key="d", CopySource=f"{bucket}/a", **kw)["Error"] == ACLS_DISABLED
    assert "d" not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    # Setting an ACL afterwards is refused outright, private included.
    assert error(s3.put_object_acl, Bucket=bucket, Key="a", ACL="private")["Error"] == ACLS_DISABLED
    assert error(s3.put_bucket_acl, Bucket=bucket, ACL="private")["Error"] == ACLS_DISABLED


def test_a_new_bucket_takes_no_acl(s3):
    name = f"acl-{uuid.uuid4().hex[:10]}"
    assert error(s3.create_bucket, Bucket=name, ACL="public-read")["Error"] == {
        "Code": "InvalidBucketAclWithObjectOwnership",
        "Message": "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"}
    assert error(s3.create_bucket, Bucket=name, ObjectOwnership="Sideways")["Error"] == {
        "Code": "InvalidArgument", "Message": "Invalid x-amz-object-ownership header: Sideways",
        "ArgumentName": "x-amz-object-ownership"}
    assert error(s3.create_bucket, Bucket=name, ObjectOwnership="ObjectWriter")["ResponseMetadata"][
        "HTTPStatusCode"] == 501
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.create_bucket(Bucket=name, ACL="private", ObjectOwnership="BucketOwnerEnforced")
    assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_ownership_controls(endpoint, s3, bucket):
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    # Terraform's aws_s3_bucket_ownership_controls with the default: accepted, nothing changes.
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    for setting in ("BucketOwnerPreferred", "ObjectWriter"):
        refused = error(s3.put_bucket_ownership_controls, Bucket=bucket,
                        OwnershipControls={"Rules": [{"ObjectOwnership": setting}]})
        assert refused["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error(s3.delete_bucket_ownership_controls, Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 501
    malformed = request(endpoint, "PUT", f"/{bucket}?ownershipControls",
                        b"<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>")
    assert malformed.status == 400 and b"MalformedXML" in malformed.body
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
