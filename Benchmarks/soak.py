#!/usr/bin/env python3
"""Soak: a mixed KMS load for a bounded time (at most 10 minutes) with the host's RSS sampled every 10 s.
After a warm-up, memory growth must stay under 10 %.

Usage: Benchmarks/soak.py BINARY [--seconds 600] [--warmup 60]
"""

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def call(url, target, body):
    req = urllib.request.Request(url + "/", data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": f"TrentService.{target}", "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, "
                         "Signature=0"})
    return json.load(urllib.request.urlopen(req, timeout=30))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS:")) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=60)
    args = parser.parse_args()
    seconds = min(args.seconds, 600)
    env = dict(os.environ, GATEWAY_LISTEN="127.0.0.1:0", SERVICES="kms")
    process = subprocess.Popen([args.binary, "start"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        url = re.search(r"ready on (http://\S+)", process.stdout.readline().decode()).group(1)
        key = call(url, "CreateKey", {})["KeyMetadata"]["KeyId"]
        ec_key = call(url, "CreateKey", {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})["KeyMetadata"]["KeyId"]
        mac_key = call(url, "CreateKey", {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"})["KeyMetadata"]["KeyId"]
        plain = base64.b64encode(os.urandom(64)).decode()
        blob = call(url, "Encrypt", {"KeyId": key, "Plaintext": plain, "EncryptionContext": {"a": "b"}})["CiphertextBlob"]
        requests = [
            ("Encrypt", {"KeyId": key, "Plaintext": plain, "EncryptionContext": {"a": "b"}}),
            ("Decrypt", {"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}}),
            ("GenerateDataKey", {"KeyId": key, "KeySpec": "AES_256"}),
            ("DescribeKey", {"KeyId": key}),
            ("Sign", {"KeyId": ec_key, "Message": plain, "SigningAlgorithm": "ECDSA_SHA_256"}),
            ("GenerateMac", {"KeyId": mac_key, "Message": plain, "MacAlgorithm": "HMAC_SHA_256"}),
            ("TagResource", {"KeyId": key, "Tags": [{"TagKey": "soak", "TagValue": "1"}]}),
            ("Decrypt", {"CiphertextBlob": "AQ" + "A" * 100}),
        ]
        lua = os.path.join("/tmp", f"awsemu-soak-{os.getpid()}.lua")
        with open(lua, "w") as script:
            script.write("local bodies = {\n")
            for target, body in requests:
                script.write(f"  {{ {json.dumps('TrentService.' + target)}, {json.dumps(json.dumps(body))} }},\n")
            script.write("}\nlocal i = 0\nrequest = function()\n  i = i % #bodies + 1\n"
                         "  return wrk.format('POST', '/', { ['Content-Type'] = 'application/x-amz-json-1.1', "
                         "['X-Amz-Target'] = bodies[i][1], ['Authorization'] = 'AWS4-HMAC-SHA256 Credential=test/"
                         "20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0' }, bodies[i][2])\n"
                         "end\n")
        load = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s", "-s", lua, url + "/"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        samples = []
        started = time.monotonic()
        while load.poll() is None and time.monotonic() - started < seconds + 30:
            time.sleep(10)
            elapsed = time.monotonic() - started
            samples.append((elapsed, rss_mb(process.pid)))
            print(f"  t={elapsed:5.0f} s   RSS {samples[-1][1]:7.1f} MB", flush=True)
        output = load.communicate(timeout=60)[0]
        os.unlink(lua)
        rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
        after_warmup = [rss for t, rss in samples if t >= args.warmup]
        if len(after_warmup) < 2:
            sys.exit("soak too short to measure growth after warm-up")
        growth = (after_warmup[-1] - after_warmup[0]) / after_warmup[0] * 100
        print(f"{'soak, mixed KMS load':28} c=32  {float(rate.group(1)) if rate else 0:10.0f} req/s over {seconds} s")
        print(f"{'RSS growth after warm-up':28}       {growth:10.1f} %     target < 10 %     "
              f"{'ok' if growth < 10 else 'MISSED'}   ({after_warmup[0]:.1f} -> {after_warmup[-1]:.1f} MB)")
        if process.poll() is not None:
            sys.exit("the host died during the soak")
    finally:
        process.terminate()
        process.wait(30)


if __name__ == "__main__":
    main()
