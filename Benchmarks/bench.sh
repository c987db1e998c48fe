#!/usr/bin/env bash
# Benchmarks of the release host, each printed next to its target:
#   - start-up: launch of `awsemu start` to its ready line (median of BENCH_STARTS runs)   target <= 200 ms
#   - idle RSS of the started host (VmRSS, median)                                          target <= 30 MB
#   - throughput of JSON operations with wrk, as a ratio to nginx serving a fixed body of the same size from the
#     same loopback, at each connection count                                               target >= 0.6
# Host, nginx and wrk share this machine's cores; nginx runs one worker per core, like the host's event loops.
#
# Usage: Benchmarks/bench.sh      (BENCH_SECONDS=10, BENCH_CONNECTIONS="16 64", BENCH_STARTS=7)
# Later issues add operations at the bottom with: bench_json_op NAME TARGET BODY [SIGNING_NAME]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
read -r -a CONNECTIONS <<<"${BENCH_CONNECTIONS:-16 64}"
STARTS=${BENCH_STARTS:-7}
HOST_BIN=.build/release/awsemu
ECHO_BODY='{"Message":"hello"}'
TARGET_RATIO=0.6
TARGET_START_MS=200
TARGET_RSS_MB=30

WORK=$(mktemp -d -t awsemu-bench.XXXXXX)
HOST_PID=""
NGINX_PID=""
cleanup() {
    [[ -n $HOST_PID ]] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null
    [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

section() { printf '\n==== %s ====\n' "$*"; }

# meets VALUE OP TARGET: "ok" or "MISSED" (OP is <= or >=).
meets() {
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print ok ? "ok" : "MISSED" }'
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

build() {
    section "build (release host and plugins, C echo plugin)"
    swift build -c release
    scripts/build-echo-plugin
}

# Starts the release host on a free port with the echo plugin; sets HOST_URL and HOST_PID.
start_host() {
    GATEWAY_LISTEN=127.0.0.1:0 EMU_PLUGIN_PATH="$PWD/plugins" "$HOST_BIN" start >"$WORK/host.out" 2>"$WORK/host.err" &
    HOST_PID=$!
    for _ in $(seq 300); do
        grep -q "ready on" "$WORK/host.out" && break
        sleep 0.1
    done
    HOST_URL=$(sed -n 's/.*ready on \(http:[^ ]*\).*/\1/p' "$WORK/host.out")
    [[ -n $HOST_URL ]] || { echo "the host did not start:" >&2; cat "$WORK/host.err" >&2; exit 1; }
    echo "host:  $(head -1 "$WORK/host.out")"
}

# Starts nginx on a free loopback port, serving ECHO_BODY; sets NGINX_URL and NGINX_PID.
start_nginx() {
    local port
    port=$(free_port)
    mkdir -p "$WORK/nginx"
    sed -e "s|@WORK@|$WORK/nginx|g" -e "s|@PORT@|$port|g" -e "s|@BODY@|$ECHO_BODY|g" \
        Benchmarks/nginx.conf.template >"$WORK/nginx/nginx.conf"
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
    NGINX_PID=$!
    NGINX_URL="http://127.0.0.1:$port"
    for _ in $(seq 100); do
        curl -fs -o /dev/null "$NGINX_URL/" && break
        sleep 0.1
    done
    if [[ $(curl -fs "$NGINX_URL/") != "$ECHO_BODY" ]]; then
        echo "nginx did not start:" >&2
        cat "$WORK/nginx/error.log" >&2
        exit 1
    fi
    echo "nginx: $NGINX_URL ($(nginx -v 2>&1 | sed 's/.*: //'))"
}

# wrk_rps URL CONNECTIONS SECONDS [wrk options…]: prints requests per second; complains on errors or non-2xx.
wrk_rps() {
    local url=$1 connections=$2 seconds=$3 output
    shift 3
    output=$(timeout $((seconds + 30)) wrk -t2 -c"$connections" -d"${seconds}s" --timeout 5s "$@" "$url")
    if grep -qE "Non-2xx|Socket errors" <<<"$output"; then
        echo "wrk reported errors against $url:" >&2
        echo "$output" >&2
    fi
    awk '/^Requests\/sec:/ { print $2 }' <<<"$output"
}

bench_startup() {
    section "start-up and idle memory (release, kms + sts + echo, $STARTS runs)"
    local result start_ms rss_mb
    result=$(EMU_PLUGIN_PATH="$PWD/plugins" python3 Benchmarks/startup.py "$HOST_BIN" --runs "$STARTS")
    start_ms=${result#start_ms=}
    start_ms=${start_ms%% *}
    rss_mb=${result#*rss_mb=}
    printf '%-28s %10s ms    target <= %s ms   %s\n' "start to ready (median)" "$start_ms" "$TARGET_START_MS" \
        "$(meets "$start_ms" "<=" "$TARGET_START_MS")"
    printf '%-28s %10s MB    target <= %s MB    %s\n' "idle RSS (median)" "$rss_mb" "$TARGET_RSS_MB" \
        "$(meets "$rss_mb" "<=" "$TARGET_RSS_MB")"
}

declare -A NGINX_RPS
bench_nginx() {
    section "baseline: nginx GET, fixed ${#ECHO_BODY}-byte body (wrk -t2, ${SECONDS_PER_RUN} s)"
    wrk_rps "$NGINX_URL/" 16 2 >/dev/null  # warm-up
    for connections in "${CONNECTIONS[@]}"; do
        NGINX_RPS[$connections]=$(wrk_rps "$NGINX_URL/" "$connections" "$SECONDS_PER_RUN")
        printf '%-28s c=%-3s %10s req/s\n' "nginx" "$connections" "${NGINX_RPS[$connections]}"
    done
    section "host, ratio to nginx at the same connection count (target >= $TARGET_RATIO)"
}

# bench_json_op NAME TARGET BODY [SIGNING_NAME]: the host serving one AWS JSON operation at each connection
# count, with its ratio to nginx.
bench_json_op() {
    local name=$1 target=$2 body=$3 service=${4:-echo} connections rps ratio
    export BENCH_TARGET=$target BENCH_BODY=$body BENCH_SERVICE=$service
    wrk_rps "$HOST_URL/" 16 2 -s Benchmarks/json_op.lua >/dev/null  # warm-up
    for connections in "${CONNECTIONS[@]}"; do
        rps=$(wrk_rps "$HOST_URL/" "$connections" "$SECONDS_PER_RUN" -s Benchmarks/json_op.lua)
        ratio=$(awk -v a="$rps" -v b="${NGINX_RPS[$connections]}" 'BEGIN { printf "%.2f", a / b }')
        printf '%-28s c=%-3s %10s req/s   ratio %s   %s\n' "$name" "$connections" "$rps" "$ratio" \
            "$(meets "$ratio" ">=" "$TARGET_RATIO")"
    done
}

build
echo "machine: $(nproc) cores; wrk -t2; host and nginx on loopback"
bench_startup
start_host
start_nginx
bench_nginx

bench_json_op "echo Echo" EchoService.Echo "$ECHO_BODY"
# Later issues: KMS operations, e.g.
#   bench_json_op "kms Encrypt" TrentService.Encrypt '{"KeyId":"…","Plaintext":"aGVsbG8="}' kms
