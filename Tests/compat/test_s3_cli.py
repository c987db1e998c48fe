"""S3 through `awsemu s3 …`: the real aws CLI's high-level commands against the host. `cp` of a 100 MB file goes
up as a multipart upload (8 MiB parts, several at once) and comes down as parallel ranged GETs, both ways through
the encryption at rest."""

import hashlib
import os
import pathlib
import subprocess
from awsemu_host import HOST_BINARY

SIZE = 100 * 1000 * 1000


def cli_environment(endpoint):
    """The test's environment without AWS settings, with `awsemu` on PATH aimed at the test host."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWSEMU_ENDPOINT"] = endpoint
    env["PATH"] = f"{HOST_BINARY.resolve().parent}:{env['PATH']}"
    return env


def run(endpoint, cwd, *arguments, timeout=300):
    result = subprocess.run(["awsemu", *arguments], cwd=cwd, env=cli_environment(endpoint), capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"awsemu {' '.join(arguments)} failed:\n{result.stderr}"
    return result.stdout


def file_digest(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def test_mb_cp_ls_rm_with_a_100_mb_file(endpoint, tmp_path, client):
    source = tmp_path / "upload.bin"
    with open(source, "wb") as handle:
        block = os.urandom(1 << 20)
        for index in range(SIZE // len(block)):
            handle.write(hashlib.sha256(index.to_bytes(4, "big")).digest() + block[32:])
        handle.write(os.urandom(SIZE % len(block)))

    assert "make_bucket: cli-transfer" in run(endpoint, tmp_path, "s3", "mb", "s3://cli-transfer")
    uploaded = run(endpoint, tmp_path, "s3", "cp", str(source), "s3://cli-transfer/data/upload.bin")
    assert "upload:" in uploaded
    (tmp_path / "notes.txt").write_text("small file\n")
    run(endpoint, tmp_path, "s3", "cp", "notes.txt", "s3://cli-transfer/notes.txt")

    head = client("s3").head_object(Bucket="cli-transfer", Key="data/upload.bin")
    assert head["ContentLength"] == SIZE
    assert head["ETag"].endswith(f'-{-(-SIZE // (8 * 1024 * 1024))}"')  # a multipart upload of 8 MiB parts
    assert head["ServerSideEncryption"] == "AES256"

    listing = run(endpoint, tmp_path, "s3", "ls", "s3://cli-transfer/")
    assert "PRE data/" in listing and "notes.txt" in listing
    recursive = run(endpoint, tmp_path, "s3", "ls", "--recursive", "s3://cli-transfer")
    assert f"{SIZE} data/upload.bin" in recursive
    assert "cli-transfer" in run(endpoint, tmp_path, "s3", "ls")

    # An S3-to-S3 copy above the multipart threshold: the CLI copies 8 MiB parts with UploadPartCopy.
    assert "copy: s3://cli-transfer/data/upload.bin to s3://cli-transfer/copy/upload.bin" in run(
        endpoint, tmp_path, "s3", "cp", "s3://cli-transfer/data/upload.bin", "s3://cli-transfer/copy/upload.bin")
    copied = client("s3").head_object(Bucket="cli-transfer", Key="copy/upload.bin")
    assert (copied["ContentLength"], copied["ETag"]) == (SIZE, head["ETag"])  # the same parts, so the same ETag

    target = tmp_path / "download.bin"
    run(endpoint, tmp_path, "s3", "cp", "s3://cli-transfer/data/upload.bin", str(target))
    assert target.stat().st_size == SIZE
    assert file_digest(target) == file_digest(source)

    assert "delete: s3://cli-transfer/data/upload.bin" in run(endpoint, tmp_path, "s3", "rm",
                                                               "s3://cli-transfer/data/upload.bin")
    remaining = run(endpoint, tmp_path, "s3", "ls", "--recursive", "s3://cli-transfer")
    assert "data/upload.bin" not in remaining and "copy/upload.bin" in remaining and "notes.txt" in remaining
    run(endpoint, tmp_path, "s3", "rm", "--recursive", "s3://cli-transfer")
    assert "remove_bucket: cli-transfer" in run(endpoint, tmp_path, "s3", "rb", "s3://cli-transfer")


def test_cli_errors_are_s3_errors(endpoint, tmp_path):
    result = subprocess.run(["awsemu", "s3api", "get-object", "--bucket", "no-such-bucket-here", "--key", "k",
                             "out.bin"], cwd=tmp_path, env=cli_environment(endpoint), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "An error occurred (NoSuchBucket) when calling the GetObject operation: " \
        "The specified bucket does not exist" in result.stderr
