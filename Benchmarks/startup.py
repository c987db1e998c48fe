#!/usr/bin/env python3
"""Start-up time and idle memory of `awsemu start`.

Launches the host `--runs` times; for each, the time from launch to its ready line, then (after `--idle`
seconds) VmRSS from /proc/PID/status. Prints the medians as `start_ms=… rss_mb=…` (and every run on stderr).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time


def one_run(binary: str, env: dict, idle: float) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen([binary, "start"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        line = process.stdout.readline().decode()
        elapsed_ms = (time.perf_counter() - started) * 1000
        if "ready on" not in line:
            raise SystemExit(f"host did not start: {line!r}")
        time.sleep(idle)
        with open(f"/proc/{process.pid}/status") as status:
            rss_kb = next(int(l.split()[1]) for l in status if l.startswith("VmRSS:"))
        return elapsed_ms, rss_kb / 1024
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle", type=float, default=1.0)
    args = parser.parse_args()
    env = dict(os.environ, GATEWAY_LISTEN="127.0.0.1:0")
    runs = [one_run(args.binary, env, args.idle) for _ in range(args.runs)]
    for ms, mb in runs:
        print(f"  run: start {ms:.1f} ms, idle RSS {mb:.1f} MB", file=sys.stderr)
    print(f"start_ms={statistics.median(r[0] for r in runs):.1f} rss_mb={statistics.median(r[1] for r in runs):.1f}")


if __name__ == "__main__":
    main()
