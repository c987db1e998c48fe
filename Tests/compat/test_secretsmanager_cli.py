"""Secrets Manager through `awsemu <aws cli args>`: the real aws CLI against the host, as the documentation's
examples are written."""

import base64
import json
import os
import subprocess
from awsemu_host import HOST_BINARY


SCRIPT = r"""
set -euo pipefail
ARN=$(awsemu secretsmanager create-secret --name cli/demo --description "from the CLI" \
      --secret-string '{"user":"admin","password":"s3cr3t-cli"}' --tags Key=env,Value=dev --query ARN --output text)
echo "arn: $ARN"
echo "value: $(awsemu secretsmanager get-secret-value --secret-id cli/demo --query SecretString --output text)"
awsemu secretsmanager put-secret-value --secret-id "$ARN" --secret-string second > put.json
awsemu secretsmanager update-secret --secret-id cli/demo --description "updated" > update.json
awsemu secretsmanager describe-secret --secret-id cli/demo > describe.json
awsemu secretsmanager list-secret-version-ids --secret-id cli/demo --include-deprecated > versions.json
awsemu secretsmanager list-secrets --filters Key=name,Values=cli/ > list.json
printf '\x00\x01binary\xff' > blob.bin
awsemu secretsmanager create-secret --name cli/binary --secret-binary fileb://blob.bin > binary.json
awsemu secretsmanager get-secret-value --secret-id cli/binary --query SecretBinary --output text > binary.b64
awsemu secretsmanager put-secret-value --secret-id cli/binary --secret-binary "$(printf 'inline' | base64)" >/dev/null
awsemu secretsmanager get-secret-value --secret-id cli/binary --query SecretBinary --output text > inline.b64
echo "password: $(awsemu secretsmanager get-random-password --password-length 20 --exclude-punctuation \
      --query RandomPassword --output text)"
awsemu secretsmanager tag-resource --secret-id cli/demo --tags Key=team,Value=core
awsemu secretsmanager untag-resource --secret-id cli/demo --tag-keys env
awsemu secretsmanager delete-secret --secret-id cli/demo --recovery-window-in-days 7 > delete.json
echo "restored: $(awsemu secretsmanager restore-secret --secret-id cli/demo --query Name --output text)"
awsemu secretsmanager delete-secret --secret-id cli/binary --force-delete-without-recovery > /dev/null
"""


def cli_environment(endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWSEMU_ENDPOINT"] = endpoint
    env["PATH"] = f"{HOST_BINARY.resolve().parent}:{env['PATH']}"
    return env


def test_secrets_manager_through_the_aws_cli(endpoint, tmp_path):
    result = subprocess.run(["bash", "-c", SCRIPT], cwd=tmp_path, env=cli_environment(endpoint), capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    assert lines["arn"].startswith("arn:aws:secretsmanager:us-east-1:000000000000:secret:cli/demo-")
    assert json.loads(lines["value"]) == {"user": "admin", "password": "s3cr3t-cli"}
    password = lines["password"]
    assert len(password) == 20 and password.isalnum()
    assert lines["restored"] == "cli/demo"

    put = json.loads((tmp_path / "put.json").read_text())
    assert put["VersionStages"] == ["AWSCURRENT"]
    assert "VersionId" not in json.loads((tmp_path / "update.json").read_text())
    described = json.loads((tmp_path / "describe.json").read_text())
    assert described["Description"] == "updated" and described["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert sorted(sum(described["VersionIdsToStages"].values(), [])) == ["AWSCURRENT", "AWSPREVIOUS"]
    versions = json.loads((tmp_path / "versions.json").read_text())["Versions"]
    assert versions[0]["VersionId"] == put["VersionId"] and len(versions) == 2
    listed = json.loads((tmp_path / "list.json").read_text())["SecretList"]
    assert [s["Name"] for s in listed] == ["cli/demo"]
    assert base64.b64decode((tmp_path / "binary.b64").read_text().strip()) == b"\x00\x01binary\xff"
    # An inline blob argument is base64, as in the AWS CLI v2 the documentation is written for.
    assert base64.b64decode((tmp_path / "inline.b64").read_text().strip()) == b"inline"
    deleted = json.loads((tmp_path / "delete.json").read_text())
    assert deleted["Name"] == "cli/demo" and "DeletionDate" in deleted


def test_cli_errors_are_aws_errors(endpoint, tmp_path):
    result = subprocess.run(["awsemu", "secretsmanager", "get-secret-value", "--secret-id", "cli/never-created"],
                            cwd=tmp_path, env=cli_environment(endpoint), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert ("An error occurred (ResourceNotFoundException) when calling the GetSecretValue operation: "
            "Secrets Manager can't find the specified secret.") in result.stderr
