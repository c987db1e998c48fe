"""SIGV4_VERIFY=1 against signers that are not botocore's: the Go and Ruby scenarios run unchanged against a host
that checks every signature, so their SigV4 (JSON bodies, S3's signed and unsigned payloads, multipart parts and
presigned URLs) must verify here as it does at AWS. A wrong secret must still be refused."""

import pytest

from awsemu_host import AwsemuHost
from sdk_clients import build_go_scenario, failing_scenario, run_ruby_scenario, run_scenario


@pytest.fixture(scope="module")
def verifying_host():
    with AwsemuHost(env={"SIGV4_VERIFY": "1"}) as host:
        yield host


@pytest.fixture(scope="module")
def go_binary(tmp_path_factory):
    return build_go_scenario(tmp_path_factory.mktemp("go"))


def test_go_sdk_signatures_verify(verifying_host, go_binary):
    observed = run_scenario([str(go_binary)], verifying_host.url)
    assert observed["kms"]["ecdsa"]["go_verifies"]
    assert observed["s3"]["presigned"] == {"status": 200, "equal": True}
    assert observed["s3"]["multipart"]["equal"]


def test_ruby_sdk_signatures_verify(verifying_host):
    assert run_ruby_scenario("kms_ruby.rb", verifying_host.url)["decrypt"]["plaintext"] == "hello from ruby"
    s3 = run_ruby_scenario("s3_ruby.rb", verifying_host.url)
    assert s3["presigned"] == {"status": 200, "equal": True}
    assert s3["upload_file"]["equal"] and s3["big"]["equal"]
    # Versioned writes and reads verify too, and the delete marker's 404 (written by the plugin kit) keeps its header.
    assert s3["versions"]["old_body"] == "old" and s3["versions"]["hidden_header"] == "true"


def test_a_wrong_secret_is_refused(verifying_host, go_binary):
    stderr = failing_scenario([str(go_binary)], verifying_host.url, {"SDK_SECRET_ACCESS_KEY": "wrong"})
    assert "InvalidSignatureException" in stderr
