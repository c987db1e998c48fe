"""Shared fixtures for the compat tests: one awsemu host per session, real AWS clients pointed at it.

For test modules (the KMS tests use the same ones):
    endpoint      the host's base URL, e.g. "http://127.0.0.1:40123"
    client        a function client(service, **kw) -> boto3 client for that endpoint (test/test, us-east-1;
                  keyword arguments override, e.g. client("sts", aws_access_key_id="123456789012"))
    awsemu        the running AwsemuHost (its ready_line, log, …)
    s3            a boto3 S3 client (module scope); bucket: a new, empty bucket for one test
State is reset (POST /_emu/state/reset) before every test module, so modules never see each other's keys.
"""

import uuid

import pytest

from awsemu_host import AwsemuHost, ensure_echo_plugin, make_client, request


# Operations the tests call that only newer clients know: an older botocore (one that came with the machine)
# would fail those tests with AttributeError, far from the cause.
NEWEST_OPERATIONS_USED = {"kms": "Encapsulate", "secretsmanager": "ListResourcePolicies"}


def pytest_sessionstart(session):
    import botocore
    import botocore.session

    models = botocore.session.get_session()
    missing = [f"{service} {operation}" for service, operation in NEWEST_OPERATIONS_USED.items()
               if operation not in models.get_service_model(service).operation_names]
    if missing:
        pytest.exit(f"botocore {botocore.__version__} predates {', '.join(missing)}, which the compat tests call: "
                    "pip install --upgrade awscli boto3 botocore (.ci/run does)", returncode=4)


@pytest.fixture(scope="session")
def awsemu():
    ensure_echo_plugin()
    host = AwsemuHost()
    yield host
    status = host.stop()
    assert status == 0, f"awsemu did not shut down cleanly on SIGTERM (exit status {status})"


@pytest.fixture(scope="session")
def endpoint(awsemu) -> str:
    return awsemu.url


@pytest.fixture(scope="session")
def client(endpoint):
    def make(service: str, **kw):
        return make_client(endpoint, service, **kw)

    return make


@pytest.fixture(scope="module")
def s3(client):
    """A boto3 S3 client for the session's host."""
    return client("s3")


@pytest.fixture
def bucket(s3):
    """A new, empty bucket for one test."""
    name = f"bucket-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module", autouse=True)
def reset_state(request_state_reset):
    """Every test module starts from an empty emulator."""
    request_state_reset()


@pytest.fixture(scope="session")
def request_state_reset(endpoint):
    """A function that empties every plugin (POST /_emu/state/reset); tests may call it themselves."""
    def reset():
        response = request(endpoint, "POST", "/_emu/state/reset")
        assert response.status == 200, response.body

    return reset
