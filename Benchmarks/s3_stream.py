#!/usr/bin/env python3
"""S3 streaming: one object of --megabytes (1024 by default) goes in with a single PutObject and out with a single
GetObject through boto3, with SSE-KMS, while the host's RSS is sampled every 50 ms. The object never sits in the
host's memory: the upload is spooled and sealed 1 MiB at a time, the download pulled one chunk at a time.

Prints the idle RSS, the peak during each transfer, their growth, and the throughput. Target: growth <= 64 MiB
for a 1 GiB object (the host holds a few MiB of spool and socket buffers, never the object).

Usage: Benchmarks/s3_stream.py BINARY [--megabytes 1024] [--persistence]
"""

import argparse
import hashlib
import os
import re
import subprocess
import tempfile
import threading
import time

import boto3
import botocore.config

MIB = 1024 * 1024
TARGET_GROWTH_MB = 64


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


class Sampler(threading.Thread):
    """The highest RSS seen since the last `reset`."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.05)

    def reset(self):
        self.peak = rss_mb(self.pid)


class Generated:
    """A deterministic file-like body of `size` bytes that the client never holds whole either."""

    def __init__(self, size):
        self.size, self.position = size, 0
        # Two copies of a 1 MiB block, so that any read of up to 1 MiB is one slice: a client that reads in small
        # pieces (botocore signing through awscrt reads 4 KiB at a time) must not pay for copying a whole block.
        self.blocks = hashlib.sha256(b"awsemu").digest() * (2 * MIB // 32)
        self.md5 = hashlib.md5()

    def read(self, amount=-1):
        if amount is None or amount < 0:
            amount = self.size - self.position
        amount = min(amount, self.size - self.position, MIB)
        offset = self.position % MIB
        piece = self.blocks[offset:offset + amount]
        self.position += len(piece)
        self.md5.update(piece)
        return piece

    def seek(self, position, whence=0):
        self.position = {0: position, 1: self.position + position, 2: self.size + position}[whence]
        if self.position == 0:
            self.md5 = hashlib.md5()
        return self.position

    def tell(self):
        return self.position

    def __len__(self):
        return self.size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--persistence", action="store_true")
    args = parser.parse_args()
    size = args.megabytes * MIB
    with tempfile.TemporaryDirectory(prefix="awsemu-s3-bench-") as work:
        env = dict(os.environ, GATEWAY_LISTEN="127.0.0.1:0", SERVICES="kms,s3", TMPDIR=work)
        if args.persistence:
            env.update(PERSISTENCE="1", DATA_DIR=os.path.join(work, "data"))
        process = subprocess.Popen([args.binary, "start"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            url = re.search(r"ready on (http://\S+)", process.stdout.readline().decode()).group(1)
            s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                              aws_secret_access_key="test",
                              config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=600,
                                                            request_checksum_calculation="when_required"))
            s3.create_bucket(Bucket="bench")
            s3.put_object(Bucket="bench", Key="warm", Body=b"x" * (2 * MIB), ServerSideEncryption="aws:kms")
            s3.get_object(Bucket="bench", Key="warm")["Body"].read()
            time.sleep(0.5)
            idle = rss_mb(process.pid)
            sampler = Sampler(process.pid)
            sampler.start()

            sampler.reset()
            body = Generated(size)
            started = time.perf_counter()
            etag = s3.put_object(Bucket="bench", Key="big", Body=body, ContentLength=size,
                                 ServerSideEncryption="aws:kms")["ETag"].strip('"')
            put_seconds = time.perf_counter() - started
            put_peak = sampler.peak
            sent = body.md5.hexdigest()  # an SSE-KMS object's ETag is not its MD5, as on AWS
            assert etag != sent, "an SSE-KMS object's ETag should not be the MD5 of its data"

            sampler.reset()
            started = time.perf_counter()
            answer = s3.get_object(Bucket="bench", Key="big")
            digest, received = hashlib.md5(), 0
            for piece in answer["Body"].iter_chunks(MIB):
                digest.update(piece)
                received += len(piece)
            get_seconds = time.perf_counter() - started
            get_peak = sampler.peak
            sampler.running = False
            assert received == size and digest.hexdigest() == sent, "the object did not come back whole"
        finally:
            process.terminate()
            process.wait(30)

    growth = max(put_peak, get_peak) - idle
    verdict = "ok" if growth <= TARGET_GROWTH_MB else "MISSED"
    print(f"object: {args.megabytes} MiB, SSE-KMS, one PutObject and one GetObject (boto3)"
          f"{', PERSISTENCE=1' if args.persistence else ''}")
    print(f"  RSS idle {idle:.1f} MB; peak during PUT {put_peak:.1f} MB, during GET {get_peak:.1f} MB")
    print(f"  PUT {size / MIB / put_seconds:.0f} MiB/s, GET {size / MIB / get_seconds:.0f} MiB/s")
    print(f"  growth {growth:.1f} MB (target <= {TARGET_GROWTH_MB} MB: {verdict}); "
          f"ratio peak/idle {max(put_peak, get_peak) / idle:.2f}")


if __name__ == "__main__":
    main()
