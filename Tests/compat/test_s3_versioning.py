"""S3 bucket versioning through boto3: PutBucketVersioning (Enabled, Suspended), version ids on every write, reading
and copying an older version, delete markers, deleting versions for good, ListObjectVersions over all of them, and the
null version a bucket keeps from before versioning or writes while it is suspended."""

import base64
import hashlib
import xml.etree.ElementTree as ET

import boto3

from awsemu_host import make_client, persistent_host, request, refusal as error
from kms_helpers import advance_clock, to_noon_utc
from test_s3_persistence import s3_records

DAY = 86400
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"




def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def body(s3, bucket, key, **kw):
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def listing(s3, bucket, **kw):
    """(key, version id, is latest, "marker" or the body's size) of every entry, in the order listed."""
    answer = s3.list_object_versions(Bucket=bucket, **kw)
    entries = [(v["Key"], v["VersionId"], v["IsLatest"], v["Size"], v["LastModified"]) for v in answer.get("Versions", [])]
    entries += [(m["Key"], m["VersionId"], m["IsLatest"], "marker", m["LastModified"])
                for m in answer.get("DeleteMarkers", [])]
    # boto3 hands Versions and DeleteMarkers over apart; S3 lists them by key, newest first within a key.
    order = {version_id: i for i, version_id in enumerate(_raw_order(s3, bucket, **kw))}
    return [entry[:4] for entry in sorted(entries, key=lambda e: order[(e[0], e[1])])]


def _raw_order(s3, bucket, **kw):
    endpoint = s3.meta.endpoint_url
    query = "&".join(f"{k}={v}" for k, v in {"prefix": kw.get("Prefix", "")}.items())
    root = ET.fromstring(request(endpoint, "GET", f"/{bucket}?versions&{query}").body)
    return [(entry.findtext(f"{NS}Key"), entry.findtext(f"{NS}VersionId"))
            for entry in root if entry.tag in (f"{NS}Version", f"{NS}DeleteMarker")]


def test_the_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    enable(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_every_write_is_a_version_of_its_own(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    enable(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"first")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"second!")["VersionId"]
    assert len({first, second, "null"}) == 3 and len(first) == 32
    assert body(s3, bucket, "k") == b"second!"
    assert body(s3, bucket, "k", VersionId=first) == b"first"
    assert body(s3, bucket, "k", VersionId="null") == b"before"
    head = s3.head_object(Bucket=bucket, Key="k", VersionId=first)
    assert head["VersionId"] == first and head["ContentLength"] == 5
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == second
    assert listing(s3, bucket) == [("k", second, True, 7), ("k", first, False, 5), ("k", "null", False, 6)]
    # The objects listing shows only the current version.
    assert [(o["Key"], o["Size"]) for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [("k", 7)]


def test_a_delete_leaves_a_marker_and_removing_it_restores_the_object(s3, bucket):
    enable(s3, bucket)
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")["VersionId"]
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] not in (kept, "null")
    marker = deleted["VersionId"]
    # GET and HEAD answer 404, saying that a delete marker hides the key.
    for call in (s3.get_object, s3.head_object):
        hidden = error(call, Bucket=bucket, Key="k")
        assert hidden["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert hidden["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
        assert hidden["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"] == marker
    assert error(s3.get_object, Bucket=bucket, Key="k")["Error"] == {
        "Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "k"}
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert listing(s3, bucket) == [("k", marker, True, "marker"), ("k", kept, False, 4)]
    # The version behind the marker is still there, by id; the marker has no body.
    assert body(s3, bucket, "k", VersionId=kept) == b"kept"
    refused = error(s3.get_object, Bucket=bucket, Key="k", VersionId=marker)
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert refused["Error"] == {"Code": "MethodNotAllowed", "Message": "The specified method is not allowed against "
                                "this resource.", "Method": "GET", "ResourceType": "DeleteMarker"}
    headers = refused["ResponseMetadata"]["HTTPHeaders"]
    assert (headers["x-amz-delete-marker"], headers["x-amz-version-id"], headers["allow"]) == ("true", marker, "DELETE")
    assert "last-modified" in headers
    # Deleting the marker by its id brings the object back.
    removed = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert body(s3, bucket, "k") == b"kept"
    # A delete of a key that never existed still leaves a marker.
    never = s3.delete_object(Bucket=bucket, Key="never")
    assert never["DeleteMarker"] is True
    assert listing(s3, bucket, Prefix="never") == [("never", never["VersionId"], True, "marker")]


def test_a_marker_error_is_parseable_xml_whatever_the_key(endpoint, s3, bucket):
    """The 404 with delete-marker headers is written by the plugin kit, not the host: its body still replaces
    characters XML 1.0 cannot carry, as the host's errors do."""
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="a\x01b", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="a\x01b")
    response = request(endpoint, "GET", f"/{bucket}/a%01b")
    assert response.status == 404 and response.headers["x-amz-delete-marker"] == "true"
    root = ET.fromstring(response.body)
    assert (root.findtext("Code"), root.findtext("Key")) == ("NoSuchKey", "a\ufffdb")
    assert root.findtext("RequestId") == response.headers["x-amz-request-id"]


def test_deleting_a_version_for_good(s3, bucket):
    enable(s3, bucket)
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"old")["VersionId"]
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"newer")["VersionId"]
    answer = s3.delete_object(Bucket=bucket, Key="k", VersionId=new)
    assert answer["VersionId"] == new and "DeleteMarker" not in answer
    # The version before it is current again.
    assert body(s3, bucket, "k") == b"old"
    assert listing(s3, bucket) == [("k", old, True, 3)]
    missing = error(s3.get_object, Bucket=bucket, Key="k", VersionId=new)
    assert missing["Error"] == {"Code": "NoSuchVersion", "Message": "The specified version does not exist.",
                                "Key": "k", "VersionId": new}
    s3.delete_object(Bucket=bucket, Key="k", VersionId=old)
    assert listing(s3, bucket) == []
    s3.delete_bucket(Bucket=bucket)


def test_delete_objects_reports_markers_and_versions(s3, bucket):
    enable(s3, bucket)
    a1 = s3.put_object(Bucket=bucket, Key="a", Body=b"1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="b", Body=b"2")
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a", "VersionId": a1}, {"Key": "b"}]})
    by_key = {d["Key"]: d for d in answer["Deleted"]}
    assert by_key["a"] == {"Key": "a", "VersionId": a1}
    marker = by_key["b"]["DeleteMarkerVersionId"]
    assert by_key["b"] == {"Key": "b", "DeleteMarker": True, "DeleteMarkerVersionId": marker} and len(marker) == 32
    # Removing the marker through DeleteObjects names it as a marker.
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b", "VersionId": marker}]})
    assert answer["Deleted"] == [{"Key": "b", "VersionId": marker, "DeleteMarker": True,
                                  "DeleteMarkerVersionId": marker}]
    assert body(s3, bucket, "b") == b"2"


def test_suspended_versioning_writes_the_null_version(s3, bucket):
    enable(s3, bucket)
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    enable(s3, bucket, "Suspended")
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"null 1")
    assert "VersionId" not in put
    s3.put_object(Bucket=bucket, Key="k", Body=b"null 22")
    # The second null version replaced the first; the versioned one stays.
    assert listing(s3, bucket) == [("k", "null", True, 7), ("k", kept, False, 9)]
    # A read of the null version names it "null".
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert (deleted["DeleteMarker"], deleted["VersionId"]) == (True, "null")
    # The marker is the null version now: the null object is gone, the versioned one is not.
    assert listing(s3, bucket) == [("k", "null", True, "marker"), ("k", kept, False, 9)]
    assert body(s3, bucket, "k", VersionId=kept) == b"versioned"


def test_copying_an_older_version_restores_it(s3, bucket):
    enable(s3, bucket)
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"restore me")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"mistake")
    copied = s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k", "VersionId": old})
    assert copied["CopySourceVersionId"] == old and copied["VersionId"] not in (old, "null")
    assert body(s3, bucket, "k") == b"restore me"
    # Without a version named, the source's current version is named in the answer.
    again = s3.copy_object(Bucket=bucket, Key="again", CopySource={"Bucket": bucket, "Key": "k"})
    assert again["CopySourceVersionId"] == copied["VersionId"]
    s3.delete_object(Bucket=bucket, Key="again", VersionId=again["VersionId"])
    assert len(listing(s3, bucket)) == 3
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    refused = error(s3.copy_object, Bucket=bucket, Key="c",
                    CopySource={"Bucket": bucket, "Key": "k", "VersionId": marker})["Error"]
    assert refused["Code"] == "InvalidRequest"
    hidden = error(s3.copy_object, Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "k"})
    assert hidden["Error"]["Code"] == "NoSuchKey"
    assert hidden["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"


def test_multipart_uploads_and_tags_of_versions(s3, bucket):
    enable(s3, bucket)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"tagged", Tagging="v=1")["VersionId"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert done["VersionId"] not in (first, "null")
    # Each version keeps its own tags; a version is tagged by its id.
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)["TagSet"] == [{"Key": "v", "Value": "1"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=first, Tagging={"TagSet": [{"Key": "v", "Value": "2"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=first)["TagSet"] == [{"Key": "v", "Value": "2"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", VersionId=first, ObjectAttributes=["ObjectSize"])
    assert attributes["ObjectSize"] == 6 and attributes["VersionId"] == first


def test_paging_through_versions(s3, bucket):
    enable(s3, bucket)
    ids = {key: [s3.put_object(Bucket=bucket, Key=key, Body=bytes(n))["VersionId"] for n in range(3)]
           for key in ("a", "b/x", "c")}
    paginator = s3.get_paginator("list_object_versions")
    pages = list(paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}))
    seen = [(v["Key"], v["VersionId"]) for p in pages for v in p.get("Versions", [])]
    expected = [(key, version) for key in ("a", "b/x", "c") for version in reversed(ids[key])]
    assert seen == expected
    # Each page resumes after the last version listed: NextVersionIdMarker names it.
    assert (pages[0]["NextKeyMarker"], pages[0]["NextVersionIdMarker"]) == ("a", ids["a"][1])
    middle = s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker=ids["a"][1], MaxKeys=2)
    assert [(v["Key"], v["VersionId"]) for v in middle["Versions"]] == [("a", ids["a"][0]), ("b/x", ids["b/x"][2])]
    rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/", KeyMarker="a", VersionIdMarker=ids["a"][2])
    assert [v["VersionId"] for v in rolled["Versions"]] == [ids["a"][1], ids["a"][0]] + list(reversed(ids["c"]))
    assert rolled["CommonPrefixes"] == [{"Prefix": "b/"}]


def test_paging_on_after_the_marker_version_was_deleted(s3, bucket):
    """A client that deletes each page before asking for the next names a version that is gone: the rest of its key
    is still listed, so nothing is left behind."""
    enable(s3, bucket)
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"] for _ in range(4)]
    first = s3.list_object_versions(Bucket=bucket, MaxKeys=2)
    assert [v["VersionId"] for v in first["Versions"]] == [ids[3], ids[2]]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": v} for v in ids[2:]]})
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker=first["NextKeyMarker"],
                                   VersionIdMarker=first["NextVersionIdMarker"])
    assert [v["VersionId"] for v in rest["Versions"]] == [ids[1], ids[0]]


def test_a_folder_key_resumes_after_its_version(s3, bucket):
    enable(s3, bucket)
    folder = s3.put_object(Bucket=bucket, Key="a/", Body=b"")["VersionId"]
    s3.put_object(Bucket=bucket, Key="a/file", Body=b"x")
    page = s3.list_object_versions(Bucket=bucket, Prefix="a/", Delimiter="/", MaxKeys=1)
    assert [v["Key"] for v in page["Versions"]] == ["a/"] and page["NextVersionIdMarker"] == folder
    rest = s3.list_object_versions(Bucket=bucket, Prefix="a/", Delimiter="/", KeyMarker="a/", VersionIdMarker=folder)
    assert [v["Key"] for v in rest["Versions"]] == ["a/file"]


def test_a_versioned_bucket_is_emptied_the_way_boto3_does(endpoint, s3, bucket):
    enable(s3, bucket)
    for n in range(3):
        s3.put_object(Bucket=bucket, Key=f"k{n % 2}", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k0")
    assert error(s3.delete_bucket, Bucket=bucket)["Error"]["Code"] == "BucketNotEmpty"
    resource = boto3.resource("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                              region_name="us-east-1")
    resource.Bucket(bucket).object_versions.delete()
    s3.delete_bucket(Bucket=bucket)


def test_the_configuration_refusals(endpoint, s3, bucket):
    def put(document, md5=True, headers=None):
        headers = dict(headers or {})
        if md5:
            headers["Content-MD5"] = base64.b64encode(hashlib.md5(document).digest()).decode()
        response = request(endpoint, "PUT", f"/{bucket}?versioning", document, headers)
        root = ET.fromstring(response.body) if response.body else None
        return response.status, root.findtext("Code") if root is not None else None, \
            root.findtext("Message") if root is not None else None

    malformed = (400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                                      "published schema")
    assert put(b"<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>") == malformed
    assert put(b"<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>") == malformed
    assert put(b"<Versioning><Status>Enabled</Status></Versioning>") == malformed
    assert put(b"<VersioningConfiguration/>") == (400, "IllegalVersioningConfigurationException",
                                                  "The Versioning element must be specified")
    # A wrong digest is refused; none at all is accepted, as S3 accepts it.
    assert put(b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>", md5=False,
               headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})[0] == 400
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    mfa = {"Status": "Enabled", "MFADelete": "Enabled"}
    assert error(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration=mfa)["Error"] == {
        "Code": "AccessDenied", "Message": "Mfa Authentication must be used for this request"}
    assert put(b"<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete>"
               b"</VersioningConfiguration>", md5=False) == (200, None, None)
    answer = s3.get_bucket_versioning(Bucket=bucket)
    assert (answer["Status"], answer["MFADelete"]) == ("Suspended", "Disabled")


def test_version_ids_s3_would_not_have_given(s3, bucket):
    enable(s3, bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for bad in ("nonexistent-version-id-12345", "9999999999999999"):
        assert error(s3.get_object, Bucket=bucket, Key="k", VersionId=bad)["Error"] == {
            "Code": "InvalidArgument", "Message": "Invalid version id specified", "ArgumentName": "versionId",
            "ArgumentValue": bad}
        assert error(s3.delete_object, Bucket=bucket, Key="k", VersionId=bad)["Error"]["Code"] == "InvalidArgument"
    assert error(s3.get_object, Bucket=bucket, Key="k", VersionId="")["Error"]["Message"] == \
        "Version id cannot be the empty string"
    # An id of S3's form the key lacks, and the null version it lacks.
    absent = "A8qYQDqsHKwUrF8A5wbtaYu6vBfhqid_"
    for missing in (absent, "null"):
        assert error(s3.get_object, Bucket=bucket, Key="k", VersionId=missing)["Error"] == {
            "Code": "NoSuchVersion", "Message": "The specified version does not exist.", "Key": "k",
            "VersionId": missing}
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": "fabricated"},
                                                                  {"Key": "k", "VersionId": absent}]})
    assert answer["Errors"] == [{"Key": "k", "VersionId": "fabricated", "Code": "NoSuchVersion",
                                 "Message": "The specified version does not exist."}]
    assert answer["Deleted"] == [{"Key": "k", "VersionId": absent}]
    assert error(s3.copy_object, Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "k", "VersionId": "abc"})[
        "Error"] == {"Code": "InvalidRequest", "Message": "Invalid Request"}


def test_versions_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with persistent_host(data) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket="kept-versions")
        enable(s3, "kept-versions")
        old = s3.put_object(Bucket="kept-versions", Key="k", Body=b"old")["VersionId"]
        s3.put_object(Bucket="kept-versions", Key="k", Body=b"new")
        marker = s3.delete_object(Bucket="kept-versions", Key="k")["VersionId"]
        before = listing(s3, "kept-versions")
        # Each older version and marker is a record of its own: a write records what changed, not the history.
        assert set(s3_records(data, "version")) == {f"kept-versions/{v}/k" for v in (marker, old, before[1][1])}
        assert s3_records(data, "object") == {}
    with persistent_host(data) as host:
        s3 = make_client(host.url, "s3")
        assert s3.get_bucket_versioning(Bucket="kept-versions")["Status"] == "Enabled"
        assert listing(s3, "kept-versions") == before and before[0][:2] == ("k", marker)
        assert body(s3, "kept-versions", "k", VersionId=old) == b"old"
        s3.delete_object(Bucket="kept-versions", Key="k", VersionId=marker)
        assert body(s3, "kept-versions", "k") == b"new"
    with persistent_host(data) as host:
        s3 = make_client(host.url, "s3")
        assert body(s3, "kept-versions", "k") == b"new" and len(listing(s3, "kept-versions")) == 2


def test_lifecycle_rules_act_on_versions(endpoint, s3, bucket):
    """On the host clock: an expiring current version leaves a delete marker; noncurrent versions move down and
    expire counted from when their successor was written, keeping the newest as the rule asks; and a delete marker
    left as its key's only version goes."""
    to_noon_utc(endpoint)
    enable(s3, bucket)
    big = b"v" * (128 * 1024)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "current", "Status": "Enabled", "Filter": {"Prefix": "cur/"}, "Expiration": {"Days": 2}},
        {"ID": "noncurrent", "Status": "Enabled", "Filter": {"Prefix": "old/"},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 3, "NewerNoncurrentVersions": 1},
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 1, "StorageClass": "GLACIER_IR"}]},
        {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": "gone/"},
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ]})
    current = s3.put_object(Bucket=bucket, Key="cur/k", Body=b"c")["VersionId"]
    old = [s3.put_object(Bucket=bucket, Key="old/k", Body=big)["VersionId"] for _ in range(3)]
    gone = s3.put_object(Bucket=bucket, Key="gone/k", Body=b"g")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="gone/k")
    s3.delete_object(Bucket=bucket, Key="gone/k", VersionId=gone)

    advance_clock(endpoint, 2 * DAY)
    classes = {v["VersionId"]: v["StorageClass"] for v in
               s3.list_object_versions(Bucket=bucket, Prefix="old/")["Versions"]}
    assert classes == {old[2]: "STANDARD", old[1]: "GLACIER_IR", old[0]: "GLACIER_IR"}
    assert listing(s3, bucket, Prefix="cur/") == [("cur/k", current, True, 1)]
    assert listing(s3, bucket, Prefix="gone/") == []

    advance_clock(endpoint, 2 * DAY)
    [marker, kept] = listing(s3, bucket, Prefix="cur/")
    assert marker[2:] == (True, "marker") and kept == ("cur/k", current, False, 1)
    assert [entry[1] for entry in listing(s3, bucket, Prefix="old/")] == [old[2], old[1]]
    assert body(s3, bucket, "old/k") == big
