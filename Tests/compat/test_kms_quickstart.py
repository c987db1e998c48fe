"""The documented quick start, run verbatim through `awsemu` and the real `aws` CLI, checked line by line."""

import os
import subprocess
from awsemu_host import HOST_BINARY


QUICK_START = r"""
set -euo pipefail
KEY_ID=$(awsemu kms create-key --description "demo symmetric key" --query KeyMetadata.KeyId --output text)
echo "key: $KEY_ID"
CIPHERTEXT=$(awsemu kms encrypt --key-id "$KEY_ID" --plaintext "$(printf 'hello kms world!' | base64)" --query CiphertextBlob --output text)
echo "decrypted: $(awsemu kms decrypt --ciphertext-blob "$CIPHERTEXT" --query Plaintext --output text | base64 -d)"
awsemu kms generate-data-key --key-id "$KEY_ID" --key-spec AES_256 > data-key.json
awsemu kms generate-data-key-without-plaintext --key-id "$KEY_ID" --key-spec AES_256 > data-key-wop.json
awsemu kms create-alias --alias-name alias/payments --target-key-id "$KEY_ID"
echo "alias encrypts with: $(awsemu kms encrypt --key-id alias/payments --plaintext "$(printf 'x' | base64)" --query KeyId --output text)"
"""


def test_quick_start_verbatim(endpoint, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWSEMU_ENDPOINT"] = endpoint
    env["PATH"] = f"{HOST_BINARY.resolve().parent}:{env['PATH']}"
    result = subprocess.run(["bash", "-c", QUICK_START], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    key_id = lines["key"]
    assert lines["decrypted"] == "hello kms world!"
    assert lines["alias encrypts with"] == f"arn:aws:kms:us-east-1:000000000000:key/{key_id}"
    import json
    data_key = json.loads((tmp_path / "data-key.json").read_text())
    import base64
    assert len(base64.b64decode(data_key["Plaintext"])) == 32
    assert data_key["KeyId"].endswith(key_id)
    without = json.loads((tmp_path / "data-key-wop.json").read_text())
    assert "Plaintext" not in without and without["CiphertextBlob"]
