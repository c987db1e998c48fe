"""S3 bucket lifecycle configuration through boto3: rules kept and answered back as given, S3's refusals, the
`x-amz-expiration` header, and the rules acting on the host clock (POST /_emu/clock moves it forward): objects
expire, move to another storage class, and incomplete uploads are aborted. Codes and messages are those AWS
answered recorded requests, except where test names say the wording is ours."""

import base64
import hashlib
import time
import uuid

import pytest

from awsemu_host import make_client, persistent_host, request, error_of as error
from kms_helpers import advance_clock, host_now, to_noon_utc

DAY = 86400




def put_rules(s3, bucket, rules, **kw):
    return s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules}, **kw)


RULES = [
    {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 3},
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
    {"ID": "archive", "Status": "Enabled",
     "Filter": {"And": {"Prefix": "data/", "Tags": [{"Key": "tier", "Value": "cold"}], "ObjectSizeGreaterThan": 10}},
     "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}]},
    {"ID": "small", "Status": "Enabled", "Filter": {"ObjectSizeLessThan": 1000}, "Expiration": {"Days": 400},
     "NoncurrentVersionExpiration": {"NoncurrentDays": 5}},
    {"ID": "dated", "Status": "Disabled", "Filter": {}, "Expiration": {"Date": "2030-01-01T00:00:00Z"}},
]


def test_rules_are_answered_as_given(s3, bucket):
    assert error(s3.get_bucket_lifecycle_configuration, Bucket=bucket) == {
        "Code": "NoSuchLifecycleConfiguration", "Message": "The lifecycle configuration does not exist",
        "BucketName": bucket}
    answer = put_rules(s3, bucket, RULES)
    assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    rules = got["Rules"]
    assert [rule["ID"] for rule in rules] == ["logs", "archive", "small", "dated"]
    for sent, answered in zip(RULES, rules):
        expected = dict(sent)
        if "Date" in expected.get("Expiration", {}):
            assert answered["Expiration"]["Date"].isoformat().startswith("2030-01-01T00:00:00")
            expected.pop("Expiration"), answered.pop("Expiration")
        assert answered == expected
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error(s3.get_bucket_lifecycle_configuration, Bucket=bucket)["Code"] == "NoSuchLifecycleConfiguration"
    # Deleting what is not there is no error.
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_the_older_rule_level_prefix_is_kept(endpoint, bucket):
    body = (b'<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>old</ID>'
            b"<Prefix>rotated/</Prefix><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule>"
            b"</LifecycleConfiguration>")
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    assert request(endpoint, "PUT", f"/{bucket}?lifecycle", body, {"Content-MD5": md5}).status == 200
    answer = request(endpoint, "GET", f"/{bucket}?lifecycle")
    assert b"<Rule><ID>old</ID><Prefix>rotated/</Prefix><Status>Enabled</Status>" in answer.body
    assert b"<Filter>" not in answer.body
    # Without a digest the configuration is refused.
    missing = request(endpoint, "PUT", f"/{bucket}?lifecycle", body)
    assert missing.status == 400 and b"<Code>InvalidRequest</Code>" in missing.body


@pytest.mark.parametrize("rules, expected", [
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Date": "2030-01-01T10:00:00Z"}}],
     {"Code": "InvalidArgument", "Message": "'Date' must be at midnight GMT", "ArgumentName": "Date",
      "ArgumentValue": "2030-01-01T10:00:00Z"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}}],
     {"Code": "InvalidRequest", "Message": "At least one action needs to be specified in a rule"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 0}}],
     {"Code": "InvalidArgument", "Message": "'Days' for Expiration action must be a positive integer"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}] * 2,
     {"Code": "InvalidArgument", "Message": "Rule ID must be unique. Found same ID for more than one rule"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {"Tag": {"Key": "a", "Value": "b"}},
       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}],
     {"Code": "InvalidRequest", "Message": "AbortIncompleteMultipartUpload cannot be specified with Tags."}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 5},
       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}],
     {"Code": "InvalidRequest", "Message": "AbortIncompleteMultipartUpload cannot be specified with Object Size."}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}]}],
     {"Code": "InvalidArgument",
      "Message": "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {"And": {"Tags": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]}},
       "Expiration": {"Days": 1}}],
     {"Code": "InvalidRequest", "Message": "Duplicate Tag Keys are not allowed."}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1, "ExpiredObjectDeleteMarker": True}}],
     {"Code": "MalformedXML"}),
    ([{"ID": "x", "Status": "enabled", "Filter": {}, "Expiration": {"Days": 1}}], {"Code": "MalformedXML"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {"Prefix": "a", "ObjectSizeGreaterThan": 5}, "Expiration": {"Days": 1}}],
     {"Code": "MalformedXML"}),
    # S3's schema types Days as a 32-bit integer.
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 2**31}}], {"Code": "MalformedXML"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {"And": {}}, "Expiration": {"Days": 1}}], {"Code": "MalformedXML"}),
    # The wordings of the next four are ours.
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 100},
       "Transitions": [{"Date": "2030-01-01T00:00:00Z", "StorageClass": "GLACIER"}]}], {"Code": "InvalidRequest"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Transitions": [
        {"Days": 30, "StorageClass": "GLACIER"}, {"Days": 60, "StorageClass": "STANDARD_IA"}]}],
     {"Code": "InvalidArgument"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 30},
       "Transitions": [{"Days": 40, "StorageClass": "GLACIER"}]}], {"Code": "InvalidArgument"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {},
       "NoncurrentVersionTransitions": [{"NoncurrentDays": -5, "StorageClass": "GLACIER"}]}], {"Code": "InvalidArgument"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": -1, "StorageClass": "GLACIER"}]}],
     {"Code": "InvalidArgument"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 0}}],
     {"Code": "InvalidArgument",
      "Message": "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 0}}],
     {"Code": "InvalidArgument",
      "Message": "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"}),
    ([{"ID": "x", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": -1}, "Expiration": {"Days": 1}}],
     {"Code": "InvalidRequest"}),
])
def test_refusals(s3, bucket, rules, expected):
    got = error(put_rules, s3=s3, bucket=bucket, rules=rules)
    assert {k: got[k] for k in expected} == expected
    assert error(s3.get_bucket_lifecycle_configuration, Bucket=bucket)["Code"] == "NoSuchLifecycleConfiguration"


def test_a_rule_without_an_id_gets_one(s3, bucket):
    put_rules(s3, bucket, [{"Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}])
    rule_id = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["ID"]
    assert len(rule_id) == 48 and rule_id.isalnum()


@pytest.mark.parametrize("rule", [
    b"<ID>a</ID><Filter/><Status>Enabled</Status><Bogus/><Expiration><Days>1</Days></Expiration>",
    b"<ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Date>2030-02-31T00:00:00Z</Date></Expiration>",
    # STANDARD is where objects start, not a class a transition goes to.
    b"<ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>40</Days><StorageClass>STANDARD</StorageClass>"
    b"</Transition>",
])
def test_malformed_rules(endpoint, bucket, rule):
    body = b"<LifecycleConfiguration><Rule>" + rule + b"</Rule></LifecycleConfiguration>"
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    answer = request(endpoint, "PUT", f"/{bucket}?lifecycle", body, {"Content-MD5": md5})
    assert answer.status == 400 and b"<Code>MalformedXML</Code>" in answer.body


def test_the_largest_day_count_is_kept(s3, bucket):
    put_rules(s3, bucket, [{"ID": "far", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 2**31 - 1}}])
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="k")["Expiration"].startswith('expiry-date="')


def test_more_than_1000_rules_are_malformed(s3, bucket):
    rules = [{"ID": f"r{i}", "Status": "Enabled", "Filter": {"Prefix": f"p{i}/"}, "Expiration": {"Days": 1}}
             for i in range(1001)]
    assert error(put_rules, s3=s3, bucket=bucket, rules=rules)["Code"] == "MalformedXML"
    put_rules(s3, bucket, rules[:1000])


def test_expiration_header_names_the_earliest_rule(s3, bucket):
    put_rules(s3, bucket, [
        {"ID": "later", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}},
        {"ID": "sooner rule", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 3}},
        {"ID": "off", "Status": "Disabled", "Filter": {}, "Expiration": {"Days": 1}}])
    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    head = s3.head_object(Bucket=bucket, Key="logs/a")
    # Three days after it was written, rounded up to midnight UTC; the rule id URL-encoded.
    written = head["LastModified"].timestamp()
    due = (int(written + 3 * DAY) // DAY + 1) * DAY
    import email.utils
    expected = f'expiry-date="{email.utils.formatdate(due, usegmt=True)}", rule-id="sooner+rule"'
    assert put["Expiration"] == head["Expiration"] == s3.get_object(Bucket=bucket, Key="logs/a")["Expiration"] \
        == expected
    copied = s3.copy_object(Bucket=bucket, Key="logs/b", CopySource=f"{bucket}/logs/a")
    assert copied["Expiration"].endswith('rule-id="sooner+rule"')
    upload = s3.create_multipart_upload(Bucket=bucket, Key="logs/c")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="logs/c", UploadId=upload, PartNumber=1, Body=b"p")
    completed = s3.complete_multipart_upload(Bucket=bucket, Key="logs/c", UploadId=upload,
                                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert completed["Expiration"].endswith('rule-id="sooner+rule"')
    # No rule of an object's, no header (the disabled one does not count).
    s3.put_object(Bucket=bucket, Key="other", Body=b"x")
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="other")


def test_rules_act_on_the_host_clock(endpoint, s3, bucket):
    put_rules(s3, bucket, RULES[:2])
    big = b"b" * (200 * 1024)
    s3.put_object(Bucket=bucket, Key="logs/old", Body=b"x")
    s3.put_object(Bucket=bucket, Key="keep/this", Body=b"x")
    s3.put_object(Bucket=bucket, Key="data/cold", Body=big, Tagging="tier=cold")
    s3.put_object(Bucket=bucket, Key="data/warm", Body=big, Tagging="tier=warm")
    # Under 128 KiB, but the rule's own size filter (over 10 bytes) decides instead of S3's default minimum.
    s3.put_object(Bucket=bucket, Key="data/tiny", Body=b"t" * 100, Tagging="tier=cold")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="logs/unfinished")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="logs/unfinished", UploadId=upload, PartNumber=1, Body=b"p")
    s3.create_multipart_upload(Bucket=bucket, Key="keep/unfinished")

    advance_clock(endpoint, 4 * DAY)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["data/cold", "data/tiny", "data/warm", "keep/this"]
    # Only the upload under the rule's prefix is aborted.
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == ["keep/unfinished"]

    advance_clock(endpoint, 27 * DAY)
    assert s3.head_object(Bucket=bucket, Key="data/cold")["StorageClass"] == "STANDARD_IA"
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="data/warm")
    assert s3.head_object(Bucket=bucket, Key="data/tiny")["StorageClass"] == "STANDARD_IA"
    assert s3.get_object(Bucket=bucket, Key="data/cold")["Body"].read() == big

    advance_clock(endpoint, 60 * DAY)
    assert s3.head_object(Bucket=bucket, Key="data/cold")["StorageClass"] == "GLACIER"
    # An object in an archive class must be restored before it is read, as in S3.
    assert error(s3.get_object, Bucket=bucket, Key="data/cold")["Code"] == "InvalidObjectState"


def test_dated_rules_act_on_their_day(endpoint, s3, bucket):
    to_noon_utc(endpoint)
    due = (int(host_now(endpoint)) // DAY + 2) * DAY
    date = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(due))
    put_rules(s3, bucket, [
        {"ID": "gone", "Status": "Enabled", "Filter": {"Prefix": "gone/"}, "Expiration": {"Date": date}},
        {"ID": "cold", "Status": "Enabled", "Filter": {"Prefix": "cold/"},
         "Transitions": [{"Date": date, "StorageClass": "GLACIER_IR"}]}])
    s3.put_object(Bucket=bucket, Key="gone/a", Body=b"x")
    s3.put_object(Bucket=bucket, Key="cold/a", Body=b"c" * (128 * 1024))
    import email.utils
    assert s3.head_object(Bucket=bucket, Key="gone/a")["Expiration"] == \
        f'expiry-date="{email.utils.formatdate(due, usegmt=True)}", rule-id="gone"'
    advance_clock(endpoint, DAY)
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="cold/a")
    assert s3.head_object(Bucket=bucket, Key="gone/a")["ContentLength"] == 1
    advance_clock(endpoint, 2 * DAY)
    assert s3.head_object(Bucket=bucket, Key="cold/a")["StorageClass"] == "GLACIER_IR"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["cold/a"]


def test_new_rules_act_without_waiting_for_a_new_day(endpoint, s3, bucket):
    """The rules run once a day of the host clock, and again after a change: an object already past a new rule's
    days goes on the next tick, on the same day."""
    s3.put_object(Bucket=bucket, Key="old", Body=b"x")
    advance_clock(endpoint, 3 * DAY)
    put_rules(s3, bucket, [{"ID": "now", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}])
    advance_clock(endpoint, 0)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_small_objects_stay_by_default(endpoint, s3, bucket):
    put_rules(s3, bucket, [{"ID": "all", "Status": "Enabled", "Filter": {},
                            "Transitions": [{"Days": 1, "StorageClass": "GLACIER_IR"}]}])
    s3.put_object(Bucket=bucket, Key="small", Body=b"s" * (128 * 1024 - 1))
    s3.put_object(Bucket=bucket, Key="large", Body=b"l" * (128 * 1024))
    advance_clock(endpoint, 2 * DAY)
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="small")
    assert s3.head_object(Bucket=bucket, Key="large")["StorageClass"] == "GLACIER_IR"


def test_a_size_filter_sets_its_own_minimum(endpoint, s3, bucket):
    """AWS: custom size filters take precedence over the default 128 KiB minimum."""
    put_rules(s3, bucket, [{"ID": "sized", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 0},
                            "Transitions": [{"Days": 1, "StorageClass": "GLACIER_IR"}]}])
    s3.put_object(Bucket=bucket, Key="ten", Body=b"0123456789")
    advance_clock(endpoint, 2 * DAY)
    assert s3.head_object(Bucket=bucket, Key="ten")["StorageClass"] == "GLACIER_IR"


def test_transitions_never_move_an_object_back_up(endpoint, s3, bucket):
    put_rules(s3, bucket, [{"ID": "down", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 0},
                            "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]}])
    s3.put_object(Bucket=bucket, Key="deep", Body=b"x", StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=bucket, Key="instant", Body=b"x", StorageClass="GLACIER_IR")
    advance_clock(endpoint, 2 * DAY)
    assert s3.head_object(Bucket=bucket, Key="deep")["StorageClass"] == "DEEP_ARCHIVE"
    assert s3.head_object(Bucket=bucket, Key="instant")["StorageClass"] == "GLACIER"


def test_varies_by_storage_class_lets_small_objects_go_to_glacier(endpoint, s3, bucket):
    put_rules(s3, bucket, [{"ID": "g", "Status": "Enabled", "Filter": {},
                            "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]}],
              TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["TransitionDefaultMinimumObjectSize"] \
        == "varies_by_storage_class"
    s3.put_object(Bucket=bucket, Key="small", Body=b"x")
    advance_clock(endpoint, 2 * DAY)
    assert s3.head_object(Bucket=bucket, Key="small")["StorageClass"] == "GLACIER"


def test_lifecycle_survives_a_restart(tmp_path):
    name = f"lifecycle-{uuid.uuid4().hex[:10]}"
    with persistent_host(tmp_path) as host:
        s3 = make_client(host.url, "s3")
        s3.create_bucket(Bucket=name)
        put_rules(s3, name, RULES)
        s3.put_object(Bucket=name, Key="logs/a", Body=b"x")
        before = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    with persistent_host(tmp_path) as host:
        s3 = make_client(host.url, "s3")
        assert s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"] == before
        advance_clock(host.url, 4 * DAY)
        assert "Contents" not in s3.list_objects_v2(Bucket=name)
    # What the tick removed stays removed.
    with persistent_host(tmp_path) as host:
        assert "Contents" not in make_client(host.url, "s3").list_objects_v2(Bucket=name)


def test_refusals_whose_wording_is_ours(endpoint, s3, bucket):
    rule = {"Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}
    got = error(put_rules, s3=s3, bucket=bucket, rules=[{"ID": "i" * 256, **rule}])
    assert (got["Code"], got["Message"]) == ("InvalidArgument", "ID length should not exceed allowed limit of 255")
    put_rules(s3, bucket, [{"ID": "i" * 255, **rule}])
    body = (b"<LifecycleConfiguration><Rule><ID>a</ID><Filter/><Status>Enabled</Status>"
            b"<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    answer = request(endpoint, "PUT", f"/{bucket}?lifecycle", body,
                     {"Content-MD5": md5, "x-amz-transition-default-minimum-object-size": "tiny"})
    assert answer.status == 400 and b"<ArgumentName>x-amz-transition-default-minimum-object-size</ArgumentName>" \
        in answer.body
