#!/usr/bin/env python3
"""Persistence benchmark (PERSISTENCE=1): CreateKey throughput at 64 connections (target >= 2,000/s), then a
store of 100,000 keys: start-up to ready with all of them (target <= 3 s) and the RSS it takes.

Usage: Benchmarks/persistence.py BINARY [--keys 100000] [--seconds 10]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def start(binary, data_dir):
    env = dict(os.environ, PERSISTENCE="1", DATA_DIR=data_dir, GATEWAY_LISTEN="127.0.0.1:0", SERVICES="kms")
    started = time.perf_counter()
    process = subprocess.Popen([binary, "start"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    line = process.stdout.readline().decode()
    elapsed = time.perf_counter() - started
    match = re.search(r"ready on (http://\S+)", line)
    if not match:
        process.kill()
        sys.exit(f"host did not start: {line!r}")
    return process, match.group(1), elapsed


def stop(process):
    process.terminate()
    process.wait(60)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS:")) / 1024


def wrk(url, connections, seconds, target, body):
    env = dict(os.environ, BENCH_TARGET=target, BENCH_BODY=body, BENCH_SERVICE="kms")
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s",
                             os.path.join(HERE, "json_op.lua"), url + "/"], env=env, capture_output=True, text=True,
                            timeout=seconds + 60).stdout
    errors = "Non-2xx" in output or "Socket errors" in output
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, errors


def count_keys(url):
    count, marker = 0, None
    while True:
        body = {"Limit": 1000, **({"Marker": marker} if marker else {})}
        req = urllib.request.Request(url + "/", data=json.dumps(body).encode(), method="POST", headers={
            "X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        page = json.load(urllib.request.urlopen(req, timeout=60))
        count += len(page["Keys"])
        if not page["Truncated"]:
            return count
        marker = page["NextMarker"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="awsemu-persist-bench-") as data_dir:
        process, url, _ = start(args.binary, data_dir)
        rate, errors = wrk(url, 64, args.seconds, "TrentService.CreateKey", "{}")
        print(f"{'CreateKey, PERSISTENCE=1':28} c=64  {rate:10.0f} req/s   target >= 2000/s   "
              f"{'ok' if rate >= 2000 and not errors else 'MISSED'}{'  (wrk saw errors)' if errors else ''}")
        created = count_keys(url)
        while created < args.keys:
            seconds = max(2, int((args.keys - created) / max(rate, 100)) + 1)
            wrk(url, 64, min(seconds, 120), "TrentService.CreateKey", "{}")
            created = count_keys(url)
        stop(process)
        print(f"{'keys in the store':28}       {created:10d}")
        times = []
        for _ in range(3):
            process, url, elapsed = start(args.binary, data_dir)
            times.append(elapsed)
            memory = rss_mb(process.pid)
            restored = count_keys(url)
            stop(process)
        times.sort()
        start_s = times[1]
        print(f"{'start-up with the store':28}       {start_s:10.2f} s     target <= 3 s      "
              f"{'ok' if start_s <= 3 else 'MISSED'}   ({restored} keys restored)")
        print(f"{'RSS with the store':28}       {memory:10.1f} MB")


if __name__ == "__main__":
    main()
