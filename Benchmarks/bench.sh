#!/usr/bin/env bash
# Benchmarks of the release host, each printed next to its target:
#   - start-up: launch of `awsemu start` to its ready line (median of BENCH_STARTS runs)   target <= 200 ms
#   - idle RSS of the started host (VmRSS, median)                                          target <= 30 MB
#   - throughput of JSON operations with wrk, as a ratio to nginx serving a fixed body of the same size from the
#     same loopback, at each connection count                                               target >= 0.6
# Host, nginx and wrk share this machine's cores; nginx runs one worker per core, like the host's event loops.
# A shared machine's speed drifts by tens of percent within minutes, so each ratio comes from BENCH_ROUNDS
# rounds that run nginx and then the host back to back; a line shows the medians over the rounds (req/s of
# each, and the ratio). Each host line also shows the host's CPU time per request (user + system over the run),
# which varies less between runs than req/s does.
#
#   - KMS operations the same way (Encrypt 16 B >= 0.5 x nginx), CreateKey >= 10,000/s, signing next to
#     `openssl speed` on one core (Sign P-256 >= 0.5 x, Sign RSA-2048 >= 0.8 x)
#   - with --vs-moto, the same Encrypt load against moto's server in the same run, and the ratio
#   - with --same-request, nginx gets the very request the host gets (the operation's POST, its headers and body,
#     from Benchmarks/json_op.lua) instead of a bare GET: both servers then read the same bytes, and the ratio
#     compares servers rather than loads. The default stays the bare GET the ratios were first measured with.
#   - with --wrk-batch, wrk runs under SCHED_BATCH for nginx and the host alike, so that a response it is woken
#     for does not preempt the server that wrote it. On two shared cores that preemption costs the host (always
#     runnable under load) far more than nginx (which often waits in epoll): wrk under SCHED_BATCH is the
#     nearest this machine has to the load generator on cores of its own. The default stays the plain run.
#
#   - S3 streaming, Benchmarks/s3_stream.py: a 1 GiB object in and out with SSE-KMS, RSS growth <= 64 MB
#   - with --persistence, Benchmarks/persistence.py (CreateKey >= 2,000/s with PERSISTENCE=1, start-up with
#     100,000 stored keys <= 3 s, and their RSS); with --soak[=SECONDS], Benchmarks/soak.py (<= 10 minutes of
#     mixed load, RSS every 10 s, growth after warm-up < 10 %)
#
# Usage: Benchmarks/bench.sh [--vs-moto] [--same-request] [--wrk-batch] [--persistence] [--soak[=SECONDS]]
#        (BENCH_SECONDS=5 per wrk run, BENCH_ROUNDS=3, BENCH_CONNECTIONS="16 64", BENCH_STARTS=7)
# Operations are added at the bottom with: bench_json_op NAME TARGET BODY [SIGNING_NAME]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_PER_RUN=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
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
    section "build (release host and plugins, C echo plugin: scripts/build-release)"
    scripts/build-release
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

# host_cpu_ticks: the host's user + system CPU time so far, in clock ticks (0 before it runs).
host_cpu_ticks() {
    if [[ -n $HOST_PID && -r /proc/$HOST_PID/stat ]]; then awk '{ print $14 + $15 }' "/proc/$HOST_PID/stat"; else echo 0; fi
}

# wrk_rps URL CONNECTIONS SECONDS [wrk options…]: prints requests per second; complains on errors or non-2xx.
# Also leaves in $WORK/cpu_us the host's CPU time per request during the run (µs): steadier than req/s on a
# machine whose cores wrk and nginx share, since it does not depend on how the scheduler splits them.
wrk_rps() {
    local url=$1 connections=$2 seconds=$3 output before after
    shift 3
    before=$(host_cpu_ticks)
    output=$(timeout $((seconds + 30)) "${WRK_PREFIX[@]}" wrk -t2 -c"$connections" -d"${seconds}s" --timeout 5s "$@" "$url")
    after=$(host_cpu_ticks)
    if grep -qE "Non-2xx|Socket errors" <<<"$output"; then
        echo "wrk reported errors against $url:" >&2
        echo "$output" >&2
    fi
    awk -v a="$before" -v b="$after" -v hz="$(getconf CLK_TCK)" '/ requests in / { n = $1 }
        END { printf "%.1f\n", (n > 0 ? (b - a) * 1e6 / hz / n : 0) }' <<<"$output" >"$WORK/cpu_us"
    awk '/^Requests\/sec:/ { print $2 }' <<<"$output"
}

# host_cpu_column [MICROSECONDS]: a host CPU time per request as a column; by default the last wrk_rps run's.
host_cpu_column() { printf 'host %6s µs/req' "${1:-$(cat "$WORK/cpu_us")}"; }

bench_startup() {
    section "start-up and idle memory (release, every plugin: kms, sts, secretsmanager, s3, echo; $STARTS runs)"
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

# Warms nginx up; its figures come in each ratio's paired rounds (bench_json_op), a fixed ${#ECHO_BODY}-byte body.
bench_nginx() {
    wrk_rps "$NGINX_URL/" 16 2 "${NGINX_WRK[@]}" >/dev/null
    section "host, ratio to nginx at the same connection count: medians of $ROUNDS paired rounds (target >= $TARGET_RATIO)"
}

# median NUMBER…: the middle value (the mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# kms_call TARGET BODY [URL]: one KMS JSON call with curl; prints the response body.
kms_call() {
    curl -fsS -X POST "${3:-$HOST_URL}/" -H "Content-Type: application/x-amz-json-1.1" -H "X-Amz-Target: TrentService.$1" \
        -H "Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0" \
        -d "$2"
}

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]] if len(sys.argv) < 3 else json.load(sys.stdin)[sys.argv[1]][sys.argv[2]])' "$@"; }

# bench_rate NAME TARGET BODY GOAL UNIT: an absolute rate (no nginx ratio), e.g. CreateKey per second.
bench_rate() {
    local name=$1 target=$2 body=$3 goal=$4 connections=64 rps
    export BENCH_TARGET=$target BENCH_BODY=$body BENCH_SERVICE=kms
    rps=$(wrk_rps "$HOST_URL/" "$connections" "$SECONDS_PER_RUN" -s Benchmarks/json_op.lua)
    printf '%-28s c=%-3s %10s req/s   %s   target >= %s/s   %s\n' "$name" "$connections" "$rps" \
        "$(host_cpu_column)" "$goal" "$(meets "$rps" ">=" "$goal")"
}

# bench_vs_openssl NAME TARGET BODY OPENSSL_RATE GOAL: a signing operation next to OpenSSL's single-core rate.
bench_vs_openssl() {
    local name=$1 target=$2 body=$3 openssl_rate=$4 goal=$5 connections=16 rps ratio
    export BENCH_TARGET=$target BENCH_BODY=$body BENCH_SERVICE=kms
    rps=$(wrk_rps "$HOST_URL/" "$connections" "$SECONDS_PER_RUN" -s Benchmarks/json_op.lua)
    ratio=$(awk -v a="$rps" -v b="$openssl_rate" 'BEGIN { printf "%.2f", a / b }')
    printf '%-28s c=%-3s %10s req/s   %s   openssl %s/s   ratio %s (target >= %s)   %s\n' "$name" "$connections" \
        "$rps" "$(host_cpu_column)" "$openssl_rate" "$ratio" "$goal" "$(meets "$ratio" ">=" "$goal")"
}

# bench_json_op NAME TARGET BODY [SIGNING_NAME]: the host serving one AWS JSON operation at each connection
# count, with its ratio to nginx: ROUNDS rounds of nginx then the host, and the medians.
bench_json_op() {
    local name=$1 target=$2 body=$3 service=${4:-echo} connections round host nginx ratio
    local -a host_rps nginx_rps ratios cpus
    export BENCH_TARGET=$target BENCH_BODY=$body BENCH_SERVICE=$service
    wrk_rps "$HOST_URL/" 16 2 -s Benchmarks/json_op.lua >/dev/null  # warm-up
    for connections in "${CONNECTIONS[@]}"; do
        host_rps=() nginx_rps=() ratios=() cpus=()
        for ((round = 0; round < ROUNDS; round++)); do
            nginx=$(wrk_rps "$NGINX_URL/" "$connections" "$SECONDS_PER_RUN" "${NGINX_WRK[@]}")
            host=$(wrk_rps "$HOST_URL/" "$connections" "$SECONDS_PER_RUN" -s Benchmarks/json_op.lua)
            nginx_rps+=("$nginx") host_rps+=("$host") cpus+=("$(cat "$WORK/cpu_us")")
            ratios+=("$(awk -v a="$host" -v b="$nginx" 'BEGIN { printf "%.3f", a / b }')")
        done
        # Rounded once, in awk (locale-independent), so the verdict judges the figure printed.
        ratio=$(awk -v r="$(median "${ratios[@]}")" 'BEGIN { printf "%.2f", r }')
        printf '%-28s c=%-3s %10s req/s   %s   nginx %9s req/s   ratio %s   %s\n' "$name" "$connections" \
            "$(median "${host_rps[@]}")" "$(host_cpu_column "$(median "${cpus[@]}")")" "$(median "${nginx_rps[@]}")" \
            "$ratio" "$(meets "$ratio" ">=" "$TARGET_RATIO")"
    done
}

VS_MOTO=0
WRK_PREFIX=()
NGINX_WRK=()
PERSISTENCE_BENCH=0
SOAK_SECONDS=0
for argument in "$@"; do
    case $argument in
        --vs-moto) VS_MOTO=1 ;;
        --wrk-batch) WRK_PREFIX=(chrt --batch 0) ;;
        --same-request) NGINX_WRK=(-s Benchmarks/json_op.lua) ;;
        --persistence) PERSISTENCE_BENCH=1 ;;
        --soak) SOAK_SECONDS=600 ;;
        --soak=*) SOAK_SECONDS=${argument#--soak=} ;;
        *) echo "unknown option $argument" >&2; exit 2 ;;
    esac
done

build
echo "machine: $(nproc) cores; ${WRK_PREFIX[*]:+${WRK_PREFIX[*]} }wrk -t2; host and nginx on loopback;" \
    "nginx gets $( ((${#NGINX_WRK[@]})) && echo "the host's request" || echo "a bare GET")"
bench_startup
start_host
start_nginx
bench_nginx

bench_json_op "echo Echo" EchoService.Echo "$ECHO_BODY"

section "KMS (target: Encrypt 16 B >= 0.5 x nginx; the others are reported)"
TARGET_RATIO=0.5
KEY=$(kms_call CreateKey '{}' | json_field KeyMetadata KeyId)
PLAIN16=$(head -c 16 /dev/urandom | base64)
PLAIN4K=$(head -c 4096 /dev/urandom | base64 -w0)
BLOB=$(kms_call Encrypt "{\"KeyId\":\"$KEY\",\"Plaintext\":\"$PLAIN16\"}" | json_field CiphertextBlob)
bench_json_op "kms Encrypt 16 B" TrentService.Encrypt "{\"KeyId\":\"$KEY\",\"Plaintext\":\"$PLAIN16\"}" kms
bench_json_op "kms Encrypt 4 KiB" TrentService.Encrypt "{\"KeyId\":\"$KEY\",\"Plaintext\":\"$PLAIN4K\"}" kms
bench_json_op "kms Decrypt" TrentService.Decrypt "{\"CiphertextBlob\":\"$BLOB\"}" kms
bench_json_op "kms GenerateDataKey" TrentService.GenerateDataKey "{\"KeyId\":\"$KEY\",\"KeySpec\":\"AES_256\"}" kms
bench_json_op "kms DescribeKey" TrentService.DescribeKey "{\"KeyId\":\"$KEY\"}" kms
bench_rate "kms CreateKey (symmetric)" TrentService.CreateKey '{}' 10000

section "KMS signing next to openssl speed (one core; Sign P-256 >= 0.5 x, Sign RSA-2048 >= 0.8 x)"
SPEED=$(openssl speed -seconds 3 ecdsap256 rsa2048 2>/dev/null)
P256_SIGN=$(awk '/256 bits ecdsa/ { print $(NF-1) }' <<<"$SPEED")
P256_VERIFY=$(awk '/256 bits ecdsa/ { print $NF }' <<<"$SPEED")
RSA_SIGN=$(awk '/^rsa 2048 bits/ { print $(NF-1) }' <<<"$SPEED")
EC_KEY=$(kms_call CreateKey '{"KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY"}' | json_field KeyMetadata KeyId)
RSA_KEY=$(kms_call CreateKey '{"KeySpec":"RSA_2048","KeyUsage":"SIGN_VERIFY"}' | json_field KeyMetadata KeyId)
HMAC_KEY=$(kms_call CreateKey '{"KeySpec":"HMAC_256","KeyUsage":"GENERATE_VERIFY_MAC"}' | json_field KeyMetadata KeyId)
SIG=$(kms_call Sign "{\"KeyId\":\"$EC_KEY\",\"Message\":\"$PLAIN16\",\"SigningAlgorithm\":\"ECDSA_SHA_256\"}" | json_field Signature)
bench_vs_openssl "kms Sign ECDSA P-256" TrentService.Sign \
    "{\"KeyId\":\"$EC_KEY\",\"Message\":\"$PLAIN16\",\"SigningAlgorithm\":\"ECDSA_SHA_256\"}" "$P256_SIGN" 0.5
bench_vs_openssl "kms Sign RSA-2048 PSS" TrentService.Sign \
    "{\"KeyId\":\"$RSA_KEY\",\"Message\":\"$PLAIN16\",\"SigningAlgorithm\":\"RSASSA_PSS_SHA_256\"}" "$RSA_SIGN" 0.8
bench_vs_openssl "kms Verify ECDSA P-256" TrentService.Verify \
    "{\"KeyId\":\"$EC_KEY\",\"Message\":\"$PLAIN16\",\"Signature\":\"$SIG\",\"SigningAlgorithm\":\"ECDSA_SHA_256\"}" \
    "$P256_VERIFY" 0
TARGET_RATIO=0
bench_json_op "kms GenerateMac" TrentService.GenerateMac \
    "{\"KeyId\":\"$HMAC_KEY\",\"Message\":\"$PLAIN16\",\"MacAlgorithm\":\"HMAC_SHA_256\"}" kms

if ((VS_MOTO)); then
    section "moto's server, same Encrypt load (python3 -m moto.server)"
    python3 -c 'import moto.server' 2>/dev/null || python3 -m pip install -q 'moto[server]'
    MOTO_PORT=$(free_port)
    python3 -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
    MOTO_PID=$!
    for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$MOTO_PORT/moto-api/" && break; sleep 0.2; done
    MOTO_KEY=$(kms_call CreateKey '{}' "http://127.0.0.1:$MOTO_PORT" | json_field KeyMetadata KeyId)
    export BENCH_TARGET=TrentService.Encrypt BENCH_SERVICE=kms
    export BENCH_BODY="{\"KeyId\":\"$MOTO_KEY\",\"Plaintext\":\"$PLAIN16\"}"
    MOTO_RPS=$(wrk_rps "http://127.0.0.1:$MOTO_PORT/" 16 "$SECONDS_PER_RUN" -s Benchmarks/json_op.lua)
    export BENCH_BODY="{\"KeyId\":\"$KEY\",\"Plaintext\":\"$PLAIN16\"}"
    HOST_RPS=$(wrk_rps "$HOST_URL/" 16 "$SECONDS_PER_RUN" -s Benchmarks/json_op.lua)
    kill "$MOTO_PID" 2>/dev/null; wait "$MOTO_PID" 2>/dev/null || true
    printf '%-28s c=16  %10s req/s\n' "moto Encrypt 16 B" "$MOTO_RPS"
    printf '%-28s c=16  %10s req/s   %s x moto (goal: 100 x)\n' "awsemu Encrypt 16 B" "$HOST_RPS" \
        "$(awk -v a="$HOST_RPS" -v b="$MOTO_RPS" 'BEGIN { printf "%.0f", a / b }')"
fi

section "S3 streaming (one 1 GiB PutObject and GetObject, RSS every 50 ms)"
python3 Benchmarks/s3_stream.py "$HOST_BIN" --megabytes "${BENCH_S3_MEGABYTES:-1024}"

if ((PERSISTENCE_BENCH)); then
    section "persistence (PERSISTENCE=1)"
    python3 Benchmarks/persistence.py "$HOST_BIN"
fi

if ((SOAK_SECONDS > 0)); then
    section "soak (${SOAK_SECONDS} s, RSS every 10 s)"
    python3 Benchmarks/soak.py "$HOST_BIN" --seconds "$SOAK_SECONDS" --warmup $((SOAK_SECONDS / 10 > 30 ? SOAK_SECONDS / 10 : 30))
fi
