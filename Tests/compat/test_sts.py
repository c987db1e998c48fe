"""STS through boto3: who the caller is follows from the access key, and AssumeRole credentials work."""

import botocore.config
import botocore.exceptions
import pytest

ROLE_ARN = "arn:aws:iam::111122223333:role/DeployRole"


def test_default_credentials_are_the_default_accounts_root(client):
    identity = client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"
    assert identity["UserId"] == "000000000000"


def test_a_twelve_digit_access_key_is_that_account(client):
    identity = client("sts", aws_access_key_id="123456789012").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"


def test_the_region_does_not_change_the_identity(client):
    assert client("sts", region_name="eu-west-3").get_caller_identity()["Account"] == "000000000000"


def test_assume_role_then_call_as_the_role(client):
    answer = client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="ci-session", DurationSeconds=900)
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/DeployRole/ci-session"

    role = client("sts", aws_access_key_id=credentials["AccessKeyId"],
                  aws_secret_access_key=credentials["SecretAccessKey"],
                  aws_session_token=credentials["SessionToken"])
    identity = role.get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::111122223333:assumed-role/DeployRole/ci-session"
    assert identity["Account"] == "111122223333"
    assert identity["UserId"].startswith("AROA") and identity["UserId"].endswith(":ci-session")


def test_reset_forgets_assumed_role_credentials(client, request_state_reset):
    credentials = client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="gone")["Credentials"]
    request_state_reset()
    role = client("sts", aws_access_key_id=credentials["AccessKeyId"],
                  aws_secret_access_key=credentials["SecretAccessKey"],
                  aws_session_token=credentials["SessionToken"])
    assert role.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"


@pytest.mark.parametrize("kwargs, code", [
    (dict(RoleArn="not-an-arn-but-long-enough", RoleSessionName="s1"), "ValidationError"),
    (dict(RoleArn=ROLE_ARN, RoleSessionName="bad session!"), "ValidationError"),
    (dict(RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=60), "ValidationError"),
])
def test_assume_role_validation(client, kwargs, code):
    # botocore's own checks are off, so that the host's validation is what answers.
    config = botocore.config.Config(parameter_validation=False, retries={"total_max_attempts": 1})
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client("sts", config=config).assume_role(**kwargs)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
