"""The awsemu CLI: its own commands, and `awsemu <aws cli args>` running the real aws CLI against the host."""

import json
import os
import re
import subprocess

import pytest

from awsemu_host import HOST_BINARY, PLUGINS_DIR, host_environment


def run(*args, env=None, timeout=60):
    return subprocess.run([str(HOST_BINARY), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def without_aws_settings(**extra):
    """The environment with no AWS_* variable at all (no credentials, profile, region or endpoint)."""
    env = {k: v for k, v in host_environment().items() if not k.startswith("AWS_")}
    env.update(extra)
    return env


def test_pass_through_runs_the_aws_cli_with_test_credentials(endpoint):
    result = run("sts", "get-caller-identity", env=without_aws_settings(AWSEMU_ENDPOINT=endpoint))
    assert result.returncode == 0, result.stderr
    identity = json.loads(result.stdout)
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_pass_through_keeps_the_callers_credentials(endpoint):
    env = without_aws_settings(AWSEMU_ENDPOINT=endpoint, AWS_ACCESS_KEY_ID="123456789012",
                               AWS_SECRET_ACCESS_KEY="x")
    result = run("sts", "get-caller-identity", "--output", "text", "--query", "Account", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "123456789012"


def test_pass_through_without_the_aws_cli(tmp_path, endpoint):
    result = run("sts", "get-caller-identity", env=without_aws_settings(AWSEMU_ENDPOINT=endpoint, PATH=str(tmp_path)))
    assert result.returncode != 0
    assert "pip install awscli" in result.stderr


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "0.1.0"


def test_status_of_a_running_host(endpoint):
    result = run("status", env=without_aws_settings(AWSEMU_ENDPOINT=endpoint))
    assert result.returncode == 0, result.stderr
    assert re.match(rf"awsemu 0\.1\.0 at {re.escape(endpoint)}, up \d+ s\n", result.stdout), result.stdout
    for name in ("kms", "sts", "echo"):
        assert f"  {name} 0.1.0 [{name}] running" in result.stdout


def test_status_when_no_host_answers():
    # Port 9 (discard) on loopback: nothing listens there.
    result = run("status", "--endpoint", "http://127.0.0.1:9", env=without_aws_settings())
    assert result.returncode == 1
    assert "no awsemu host answers" in result.stdout


def test_plugins_lists_what_would_load():
    result = run("plugins", env=without_aws_settings(EMU_PLUGIN_PATH=str(PLUGINS_DIR)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"search path: {PLUGINS_DIR}:")
    for name in ("kms", "sts", "echo"):
        assert any(line.startswith(f"load     {name} [{name}]") for line in lines), result.stdout


def test_plugins_next_to_the_executable_are_found_through_a_symlink(tmp_path):
    """The second place searched is the folder of the running executable itself (its real path), so plugins
    installed beside `awsemu` load even when it is started through a link elsewhere."""
    link = tmp_path / "awsemu"
    link.symlink_to(HOST_BINARY.resolve())
    result = subprocess.run([str(link), "plugins"], env=without_aws_settings(EMU_PLUGIN_PATH=str(PLUGINS_DIR)),
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    search_path = result.stdout.splitlines()[0].removeprefix("search path: ").split(":")
    assert search_path[1] == str(HOST_BINARY.resolve().parent)
    assert "load     kms [kms]" in result.stdout


def test_plugins_honours_services():
    result = run("plugins", env=without_aws_settings(EMU_PLUGIN_PATH=str(PLUGINS_DIR), SERVICES="echo"))
    assert result.returncode == 0, result.stderr
    assert "load     echo [echo]" in result.stdout
    assert "skip     sts [sts]" in result.stdout and "(not in SERVICES)" in result.stdout
