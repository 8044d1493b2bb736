#!/usr/bin/env bash
# Where a proxy's CPU goes (docs/benchmarks.md, "Where the gateway's time goes"): starts Azurite, the bench backend and
# one proxy (the DevHost gateway with its access log on as shipped, or bare YARP), warms it up under wrk until its
# throughput is level (tiered JIT done), then samples it with `perf record -g` during a measured wrk run and prints CPU
# samples per 1,000 requests by thread and for the frames named in PROFILE_FRAMES. Loopback only; stops everything on exit.
#
#   bench/profile.sh gateway|yarp
#
# Settings (environment):
#   BENCH_PROFILE_SECONDS=18   seconds sampled (the wrk run lasts 2 s longer)
#   BENCH_PROFILE_ROUTE=       extra columns of the gateway's route as JSON members, such as
#                              ', "RateLimit": "100000000/1m", "RateLimitBy": "route"' for a limited route
#   BENCH_THREADS=2 BENCH_CONNECTIONS=64 BENCH_WARMUP_MIN=60 BENCH_WARMUP_MAX=180 BENCH_PIN=split BENCH_SKIP_BUILD=0
#   PROFILE_FRAMES             regular expressions (space-separated) whose inclusive samples are reported
# Needs perf (Debian package linux-perf, installed when missing) and root or perf_event_paranoid <= 1.
# The perf data and the wrk output stay in bench/results/profile/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${1:-}"
case "$TARGET" in
    gateway | yarp) ;;
    *) echo "usage: bench/profile.sh gateway|yarp" >&2; exit 2 ;;
esac
SECONDS_SAMPLED="${BENCH_PROFILE_SECONDS:-18}"
ROUTE_EXTRA="${BENCH_PROFILE_ROUTE:-}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WARMUP_MIN="${BENCH_WARMUP_MIN:-60}"
WARMUP_MAX="${BENCH_WARMUP_MAX:-180}"
PIN="${BENCH_PIN:-split}"
SKIP_BUILD="${BENCH_SKIP_BUILD:-0}"
FRAMES="${PROFILE_FRAMES:-FunctionsGateway Yarp.ReverseProxy CircuitBreaker RateLimitStep Extensions.Logging AccessLog}"
WRK_EXTRA=()
RESULTS="$ROOT/bench/results/profile"
STARTED_AT=$SECONDS
mkdir -p "$RESULTS"
WORK="$(mktemp -d)"

# shellcheck source=lib/processes.sh
source "$ROOT/bench/lib/processes.sh"

ensure_tools
if ! command -v perf >/dev/null; then
    log "installing perf"
    apt-get update -qq
    apt-get install -y -qq linux-perf >/dev/null
fi
build_release bench/BenchBackend bench/YarpBaseline src/FunctionsGateway.DevHost

pick_port BACKEND_PORT
pick_port PROXY_PORT
BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
# JIT-compiled frames get names in /tmp/perf-PID.map; W^X double mapping would hide them from perf.
DOTNET_ENV+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
start backend server "${DOTNET_ENV[@]}" dotnet "$ROOT/bench/BenchBackend/bin/Release/net10.0/BenchBackend.dll" --urls "$BACKEND_URL"
if [ "$TARGET" = yarp ]; then
    start proxy server "${DOTNET_ENV[@]}" dotnet "$ROOT/bench/YarpBaseline/bin/Release/net10.0/YarpBaseline.dll" \
        --urls "http://127.0.0.1:$PROXY_PORT" --destination "$BACKEND_URL"
else
    start_azurite
    cat >"$WORK/seed.json" <<JSON
{ "Routes": [ { "PartitionKey": "bench", "RowKey": "profile", "Path": "/{**rest}", "Backend": "$BACKEND_URL" $ROUTE_EXTRA } ], "Backends": [] }
JSON
    wait_until azurite 30 tcp_open "$AZURITE_PORT"
    # As bench/run.sh's access-log gateway: framework logs at Warning, the access log on, stdout to a file.
    start proxy server "${DOTNET_ENV[@]}" Gateway__Storage__ConnectionString="$STORAGE" \
        Logging__LogLevel__Default=Warning Logging__LogLevel__FunctionsGateway.AccessLog=Information \
        dotnet "$ROOT/src/FunctionsGateway.DevHost/bin/Release/net10.0/FunctionsGateway.DevHost.dll" \
        --urls "http://127.0.0.1:$PROXY_PORT" --seed "$WORK/seed.json"
fi
wait_until backend 30 http_ok "$BACKEND_URL/api/items"
wait_until proxy 60 http_ok "http://127.0.0.1:$PROXY_PORT/api/items"

URL="http://127.0.0.1:$PROXY_PORT/api/items"
pin_to load
warm_up "$TARGET" "$URL"
perf record -F 799 -g -p "$PID_proxy" -o "$RESULTS/$TARGET.data" -- sleep "$SECONDS_SAMPLED" >/dev/null 2>&1 &
PERF_PID=$!
"${PIN_CMD[@]}" timeout 300 wrk -t"$THREADS" -c"$CONNECTIONS" -d$((SECONDS_SAMPLED + 2))s --latency "$URL" >"$RESULTS/wrk-$TARGET.txt"
wait "$PERF_PID" || true
RPS=$(awk '$1 == "Requests/sec:" { print $2 }' "$RESULTS/wrk-$TARGET.txt")
log "$TARGET: $RPS req/s under perf; summarizing $SECONDS_SAMPLED s of samples"
perf script -i "$RESULTS/$TARGET.data" -F comm,tid,ip,sym 2>/dev/null >"$WORK/samples.txt"
# shellcheck disable=SC2086
python3 "$ROOT/bench/lib/perf_summary.py" "$WORK/samples.txt" "$(awk -v r="$RPS" -v s="$SECONDS_SAMPLED" 'BEGIN { printf "%.0f", r * s }')" $FRAMES
