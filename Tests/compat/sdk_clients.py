"""Runs the scenarios of Tests/compat/sdk/ with AWS SDKs other than botocore: the SDK for Go v2 and the SDK for
Ruby, from Debian's packages (.ci/run installs them). Each scenario prints what its SDK observed as JSON."""

import json
import os
import pathlib
import shutil
import subprocess

SDK_DIR = pathlib.Path(__file__).resolve().parent / "sdk"
GO_PATH = "/usr/share/gocode"
GO_PACKAGES = "golang-go golang-github-aws-aws-sdk-go-v2-dev"
RUBY_PACKAGES = "ruby ruby-aws-sdk-kms ruby-aws-sdk-s3"


def _environment(endpoint: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWSEMU_ENDPOINT"] = endpoint
    env.update(extra or {})
    return env


def build_go_scenario(output: pathlib.Path) -> pathlib.Path:
    """Compiles sdk/go/main.go against Debian's SDK sources in GOPATH mode (no module download)."""
    assert shutil.which("go") and (pathlib.Path(GO_PATH) / "src/github.com/aws/aws-sdk-go-v2/service/kms").is_dir(), \
        f"the Go SDK compat tests need Go and the AWS SDK for Go v2: apt-get install {GO_PACKAGES}"
    binary = output / "go-sdk-scenario"
    # CGO_ENABLED=0: a pure Go build needs no gcc (.ci/run installs golang-go without its recommended C compiler).
    env = dict(os.environ, GO111MODULE="off", GOPATH=GO_PATH, GOFLAGS="", CGO_ENABLED="0")
    env.setdefault("GOCACHE", str(pathlib.Path.home() / ".cache" / "go-build"))
    result = subprocess.run(["go", "build", "-o", str(binary), "."], cwd=SDK_DIR / "go", env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return binary


def run_scenario(command: list[str], endpoint: str, extra_env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(command, env=_environment(endpoint, extra_env), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{command[0]} failed:\n{result.stderr}\n{result.stdout}"
    return json.loads(result.stdout)


def failing_scenario(command: list[str], endpoint: str, extra_env: dict[str, str] | None = None) -> str:
    """Runs a scenario that must stop at its first call; returns what it printed to stderr (the SDK's error)."""
    result = subprocess.run(command, env=_environment(endpoint, extra_env), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode != 0, "the scenario ran to its end"
    return result.stderr


def run_ruby_scenario(script: str, endpoint: str, extra_env: dict[str, str] | None = None) -> dict:
    assert shutil.which("ruby"), f"the Ruby SDK compat tests need Ruby and the AWS SDK for Ruby: apt-get install {RUBY_PACKAGES}"
    return run_scenario(["ruby", str(SDK_DIR / script)], endpoint, extra_env)
