#!/usr/bin/env bash
# Side-by-side load benchmark (docs/benchmarks.md, Targets): the same backend reached directly, through a bare YARP proxy
# (the yardstick) and through the DevHost gateway, each driven by wrk with identical settings, on loopback only.
# Prints requests/s, p50 and p99 per target and the gateway/YARP ratios; see docs/benchmarks.md.
#
# Settings (environment):
#   BENCH_THREADS=2 BENCH_CONNECTIONS=64 BENCH_DURATION=10s   wrk -t/-c/-d for every measured run
#   BENCH_WARMUP=5s        an unmeasured wrk run before each measured one (connection pools, caches)
#   BENCH_WARMUP_MIN=40 BENCH_WARMUP_MAX=90   a server's first warm-up repeats 5 s wrk runs for at least MIN
#                          seconds and then until throughput has levelled off, at most MAX seconds. Pinned to one
#                          shared CPU, a fresh process needs 25-75 s under load before tiered JIT has recompiled
#                          its hot path, and on the way throughput rests for 10-20 s on a plateau at about 40 %
#   BENCH_ROUNDS=3         YARP and gateway are measured alternately this many times each; medians are reported
#   BENCH_PATH=/api/items  the request path (the backend answers 100 bytes of JSON; /payload/N answers N bytes)
#   BENCH_PIN=split        split: wrk on CPU 0, backend and proxy on CPU 1; none: no pinning
#   BENCH_ACCESS_LOG=1     also measure, each round, a second gateway with its access log on as shipped (console logger,
#                          stdout to a file); the gateway measured as "gateway" has it off (Gateway__AccessLog__Enabled=false)
#   BENCH_ACCESS_LOG_SAMPLE=1   Gateway__AccessLog__SuccessSampleRate of the access-log gateway (1 writes every request)
#   BENCH_JWT=1            also measure the gateway on a route with Auth=jwt (RS256 token, cached signing key), each round
#   BENCH_FORWARDER=0      1 also measures YARP's bare IHttpForwarder (no routing, no middleware) each round
#   BENCH_QUIET_PCT=10 BENCH_QUIET_WAIT=10   before each run, wait up to 10 s for other processes to use < 10 % CPU
#   BENCH_SKIP_BUILD=0     1 skips the Release builds
#   BENCH_MARKDOWN=FILE    also write the result table as a Markdown fragment to FILE
# Everything it starts is stopped on exit, also on failure or Ctrl+C. Logs go to bench/results/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-5s}"
WARMUP_MIN="${BENCH_WARMUP_MIN:-40}"
WARMUP_MAX="${BENCH_WARMUP_MAX:-90}"
ROUNDS="${BENCH_ROUNDS:-3}"
REQUEST_PATH="${BENCH_PATH:-/api/items}"
PIN="${BENCH_PIN:-split}"
ACCESS_LOG="${BENCH_ACCESS_LOG:-1}"
ACCESS_LOG_SAMPLE="${BENCH_ACCESS_LOG_SAMPLE:-1}"
JWT="${BENCH_JWT:-1}"
# Extra wrk arguments of the target being measured (the JWT run adds its Host and Authorization headers).
WRK_EXTRA=()
FORWARDER="${BENCH_FORWARDER:-0}"
SKIP_BUILD="${BENCH_SKIP_BUILD:-0}"
QUIET_PCT="${BENCH_QUIET_PCT:-10}"
QUIET_WAIT="${BENCH_QUIET_WAIT:-10}"
MARKDOWN="${BENCH_MARKDOWN:-}"
RESULTS="$ROOT/bench/results"
STARTED_AT=$SECONDS

mkdir -p "$RESULTS"
rm -f "$RESULTS"/wrk-*.txt "$RESULTS"/runs.txt
WORK="$(mktemp -d)"

# shellcheck source=lib/processes.sh
source "$ROOT/bench/lib/processes.sh"

# One line per request adds up to hundreds of MB; its first MiB shows what was logged.
cleanup_hook() {
    if [ -f "$RESULTS/gateway-access-log.log" ]; then
        truncate -s '<1M' "$RESULTS/gateway-access-log.log" 2>/dev/null || true
    fi
}

# --- tools and builds -------------------------------------------------------------------------------------

ensure_tools

if ! [ "$ROUNDS" -ge 1 ] 2>/dev/null; then
    echo "BENCH_ROUNDS must be a whole number of at least 1, not '$ROUNDS'" >&2
    exit 2
fi

build_release bench/BenchBackend bench/YarpBaseline src/FunctionsGateway.DevHost

# --- processes --------------------------------------------------------------------------------------------

pick_port BACKEND_PORT
pick_port YARP_PORT
pick_port GATEWAY_PORT
BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"

start_azurite
log "started Azurite on $AZURITE_PORT; starting backend on $BACKEND_PORT, YARP on $YARP_PORT, gateway on $GATEWAY_PORT (pinning: $PIN)"
start backend server "${DOTNET_ENV[@]}" dotnet "$ROOT/bench/BenchBackend/bin/Release/net10.0/BenchBackend.dll" \
    --urls "$BACKEND_URL"
start yarp server "${DOTNET_ENV[@]}" dotnet "$ROOT/bench/YarpBaseline/bin/Release/net10.0/YarpBaseline.dll" \
    --urls "http://127.0.0.1:$YARP_PORT" --destination "$BACKEND_URL"

if [ "$FORWARDER" = 1 ]; then
    pick_port FORWARDER_PORT
    start yarp-forwarder server "${DOTNET_ENV[@]}" dotnet "$ROOT/bench/YarpBaseline/bin/Release/net10.0/YarpBaseline.dll" \
        --urls "http://127.0.0.1:$FORWARDER_PORT" --destination "$BACKEND_URL" --mode forwarder
fi

# Two virtual hosts: wrk's Host 127.0.0.1 reaches the anonymous route, Host jwt.bench the JWT one (docs/routes.md).
cat >"$WORK/seed.json" <<EOF
{ "Routes": [
    { "PartitionKey": "bench", "RowKey": "all", "Path": "/{**rest}", "Hosts": "127.0.0.1", "Backend": "$BACKEND_URL" },
    { "PartitionKey": "bench", "RowKey": "jwt", "Path": "/{**rest}", "Hosts": "jwt.bench", "Auth": "jwt", "Backend": "$BACKEND_URL" }
  ], "Backends": [] }
EOF
GATEWAY_DLL="$ROOT/src/FunctionsGateway.DevHost/bin/Release/net10.0/FunctionsGateway.DevHost.dll"

# start_gateway NAME PORT ACCESS_LOG_ENABLED
start_gateway() {
    start "$1" server "${DOTNET_ENV[@]}" Gateway__Storage__ConnectionString="$STORAGE" \
        Logging__LogLevel__Default=Warning Logging__LogLevel__FunctionsGateway.AccessLog=Information \
        Gateway__AccessLog__Enabled="$3" Gateway__AccessLog__SuccessSampleRate="$ACCESS_LOG_SAMPLE" \
        Gateway__Authentication__RequireHttpsMetadata=false Gateway__Authentication__Issuers__0__JwksUrl="$BACKEND_URL/jwks" \
        Gateway__Authentication__Issuers__0__Issuer=bench Gateway__Authentication__Issuers__0__Audiences__0=bench \
        dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$2" --seed "$WORK/seed.json"
}

wait_until azurite 30 tcp_open "$AZURITE_PORT"
start_gateway gateway "$GATEWAY_PORT" false
if [ "$ACCESS_LOG" = 1 ]; then
    pick_port ACCESS_PORT
    start_gateway gateway-access-log "$ACCESS_PORT" true
fi
wait_until backend 30 http_ok "$BACKEND_URL$REQUEST_PATH"
wait_until yarp 30 http_ok "http://127.0.0.1:$YARP_PORT$REQUEST_PATH"
if [ "$FORWARDER" = 1 ]; then
    wait_until yarp-forwarder 30 http_ok "http://127.0.0.1:$FORWARDER_PORT$REQUEST_PATH"
fi
wait_until gateway 60 gateway_routes "$GATEWAY_PORT"
wait_until gateway 10 http_ok "http://127.0.0.1:$GATEWAY_PORT$REQUEST_PATH"
if [ "$ACCESS_LOG" = 1 ]; then
    wait_until gateway-access-log 60 gateway_routes "$ACCESS_PORT"
fi
if [ "$JWT" = 1 ]; then
    TOKEN=$(curl -fsS "$BACKEND_URL/token")
    JWT_HEADERS=(-H "Host: jwt.bench" -H "Authorization: Bearer $TOKEN")
    code=$(curl -s -o /dev/null -w '%{http_code}' "${JWT_HEADERS[@]}" "http://127.0.0.1:$GATEWAY_PORT$REQUEST_PATH")
    [ "$code" = 200 ] || { log "the gateway answered $code to the JWT route; see $RESULTS/gateway.log"; exit 1; }
fi
log "all ready; load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- load -------------------------------------------------------------------------------------------------

TICK=$(getconf CLK_TCK)

# proc_ticks PID...: CPU time (user + system clock ticks) the live processes among PID... have used so far.
proc_ticks() {
    local pid sum=0 t
    for pid in "$@"; do
        # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
        t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null) || continue
        sum=$((sum + t))
    done
    echo "$sum"
}

# machine_ticks: "busy total" clock ticks of all CPUs since boot; busy is user, nice and system time, the
# time processes are charged with (interrupt and softirq time, much of it our own loopback traffic, is left out).
machine_ticks() { awk '$1 == "cpu" { busy = $2 + $3 + $4; print busy, busy + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# children_ticks: CPU ticks of this shell's reaped children (wrk). `times` must run in this shell itself,
# not in a $(...) subshell, which has no children of its own.
children_ticks() {
    times >"$WORK/times"
    awk -v tick="$TICK" 'NR == 2 {
        n = split($0, f, /[ ms]+/); total = 0
        for (i = 1; i + 1 <= n; i += 2) if (f[i] != "") total += f[i] * 60 + f[i + 1]
        printf "%.0f\n", total * tick }' "$WORK/times"
}

# wait_for_quiet: waits, at most QUIET_WAIT seconds, until processes this script did not start use less than
# QUIET_PCT % of the machine over one second, so a measured run does not start in the middle of someone
# else's build. Another session's work on a shared machine is the largest source of noise here.
wait_for_quiet() {
    local deadline=$((SECONDS + QUIET_WAIT)) ours0 ours1 busy0 total0 busy1 total1 foreign
    while :; do
        ours0=$(proc_ticks "${PIDS[@]}"); read -r busy0 total0 < <(machine_ticks)
        sleep 1
        ours1=$(proc_ticks "${PIDS[@]}"); read -r busy1 total1 < <(machine_ticks)
        foreign=$(( (total1 > total0) ? 100 * (busy1 - busy0 - ours1 + ours0) / (total1 - total0) : 0 ))
        [ "$foreign" -lt "$QUIET_PCT" ] && return 0
        if [ $SECONDS -ge $deadline ]; then
            log "the machine is still busy with other work ($foreign % CPU); measuring anyway"
            return 0
        fi
    done
}

# measure LABEL PORT ROUND PID: one warm-up and one measured wrk run against PORT, whose server is PID.
# Appends "LABEL rps p50ms p99ms cpu_us_per_request foreign_cpu_pct" to $WORK/runs, where cpu_us_per_request is
# PID's CPU time per request (the proxy's own cost, robust to noise) and foreign_cpu_pct is the share of the
# machine's CPU that processes this script did not start used during the run (other work disturbing it).
measure() {
    local label=$1 port=$2 round=$3 pid=$4 url="http://127.0.0.1:$2$REQUEST_PATH" out="$RESULTS/wrk-$1-$3.txt"
    local proc0 ours0 kids0 busy0 total0 proc1 ours1 kids1 busy1 total1
    pin_to load
    wait_for_quiet
    case "$WARMED" in
        *" $label "*) "${PIN_CMD[@]}" timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${WRK_EXTRA[@]}" "$url" >/dev/null ;;
        *) warm_up "$label" "$url" ;;
    esac
    children_ticks >"$WORK/kids"
    proc0=$(proc_ticks "$pid"); ours0=$(proc_ticks "${PIDS[@]}"); kids0=$(<"$WORK/kids"); read -r busy0 total0 < <(machine_ticks)
    "${PIN_CMD[@]}" timeout 300 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${WRK_EXTRA[@]}" "$url" >"$out"
    children_ticks >"$WORK/kids"
    proc1=$(proc_ticks "$pid"); ours1=$(proc_ticks "${PIDS[@]}"); kids1=$(<"$WORK/kids"); read -r busy1 total1 < <(machine_ticks)
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "the server behind $label (pid $pid) is gone; see bench/results/ for its log" >&2
        exit 1
    fi
    if grep -Eq 'Non-2xx|Socket errors' "$out"; then
        log "warning: $label had errors:"
        grep -E 'Non-2xx|Socket errors' "$out" >&2
    fi
    awk -v label="$label" -v tick="$TICK" -v proc=$((proc1 - proc0)) \
        -v ours=$((ours1 - ours0 + kids1 - kids0)) -v busy=$((busy1 - busy0)) -v total=$((total1 - total0)) '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /s$/)  return v * 1000
            return v + 0
        }
        $2 == "requests" && $3 == "in" { requests = $1 }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        END {
            if (rps == "" || p50 == "" || p99 == "" || requests == 0) { print "could not parse wrk output" > "/dev/stderr"; exit 1 }
            foreign = total > 0 ? 100 * (busy - ours) / total : 0
            if (foreign < 0) foreign = 0
            printf "%s %.0f %.3f %.3f %.1f %.1f\n", label, rps, p50, p99, proc * 1e6 / tick / requests, foreign
        }' "$out" | tee -a "$WORK/runs" | {
        read -r l r p5 p9 c f
        log "$(printf '%-18s %7s req/s  p50 %7s ms  p99 %7s ms  %6s us CPU/req  foreign CPU %5s %%' "$l" "$r" "$p5" "$p9" "$c" "$f")"
    }
}

log "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up: until level, then $WARMUP before each run) on $REQUEST_PATH; $ROUNDS rounds of YARP and gateway"
measure direct "$BACKEND_PORT" 1 "$PID_backend"
for round in $(seq 1 "$ROUNDS"); do
    measure yarp "$YARP_PORT" "$round" "$PID_yarp"
    measure gateway "$GATEWAY_PORT" "$round" "$PID_gateway"
    if [ "$JWT" = 1 ]; then
        WRK_EXTRA=("${JWT_HEADERS[@]}")
        measure gateway+jwt "$GATEWAY_PORT" "$round" "$PID_gateway"
        WRK_EXTRA=()
    fi
    if [ "$ACCESS_LOG" = 1 ]; then
        measure gateway+access-log "$ACCESS_PORT" "$round" "$PID_gateway_access_log"
    fi
    if [ "$FORWARDER" = 1 ]; then
        measure yarp-forwarder "$FORWARDER_PORT" "$round" "$PID_yarp_forwarder"
    fi
done

# --- report -----------------------------------------------------------------------------------------------

# median LABEL COLUMN (2 = rps, 3 = p50, 4 = p99, 5 = CPU us per request, 6 = foreign CPU %)
median() {
    awk -v label="$1" -v col="$2" '$1 == label { print $col }' "$WORK/runs" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}

YARP_RPS=$(median yarp 2)
YARP_P99=$(median yarp 4)
GATEWAY_RPS=$(median gateway 2)
GATEWAY_P99=$(median gateway 4)
THROUGHPUT_PCT=$(awk -v g="$GATEWAY_RPS" -v y="$YARP_RPS" 'BEGIN { printf "%.1f", 100 * g / y }')
P99_RATIO=$(awk -v g="$GATEWAY_P99" -v y="$YARP_P99" 'BEGIN { printf "%.2f", g / y }')
THROUGHPUT_MET=$(awk -v p="$THROUGHPUT_PCT" 'BEGIN { print (p >= 90) ? "met" : "MISSED" }')
P99_MET=$(awk -v r="$P99_RATIO" 'BEGIN { print (r <= 1.2) ? "met" : "MISSED" }')

table() {
    local label runs
    printf '| Target | Runs | Requests/s | p50 (ms) | p99 (ms) | Server CPU per request (us) | Foreign CPU (%%) |\n'
    printf '|---|---:|---:|---:|---:|---:|---:|\n'
    for label in direct yarp yarp-forwarder gateway gateway+jwt gateway+access-log; do
        runs=$(awk -v label="$label" '$1 == label' "$WORK/runs" | wc -l)
        [ "$runs" -gt 0 ] || continue
        printf '| %s | %d | %.0f | %.2f | %.2f | %.1f | %.1f |\n' "$label" "$runs" \
            "$(median "$label" 2)" "$(median "$label" 3)" "$(median "$label" 4)" "$(median "$label" 5)" "$(median "$label" 6)"
    done
    printf '\n'
    printf 'Gateway/YARP throughput: **%s %%** (target >= 90 %%: %s)  \n' "$THROUGHPUT_PCT" "$THROUGHPUT_MET"
    printf 'Gateway/YARP p99: **%s x** (target <= 1.2 x: %s)  \n' "$P99_RATIO" "$P99_MET"
    printf 'Gateway/YARP CPU per request: %s x\n' "$(awk -v g="$(median gateway 5)" -v y="$(median yarp 5)" 'BEGIN { printf "%.2f", g / y }')"
    if [ "$JWT" = 1 ]; then
        printf '\nJWT auth on (RS256, cached key): %s %% of YARP throughput, p99 %s x YARP; %s %% of the gateway without auth.\n' \
            "$(awk -v a="$(median gateway+jwt 2)" -v y="$YARP_RPS" 'BEGIN { printf "%.1f", 100 * a / y }')" \
            "$(awk -v a="$(median gateway+jwt 4)" -v y="$YARP_P99" 'BEGIN { printf "%.2f", a / y }')" \
            "$(awk -v a="$(median gateway+jwt 2)" -v g="$GATEWAY_RPS" 'BEGIN { printf "%.1f", 100 * a / g }')"
    fi
    if [ "$ACCESS_LOG" = 1 ]; then
        local on off
        on=$(median gateway+access-log 2)
        off=$GATEWAY_RPS
        printf '\nAccess log (success sample rate %s, console logger, stdout to a file), throughput side by side:\n\n' "$ACCESS_LOG_SAMPLE"
        printf '| Ratio | Throughput | p99 |\n|---|---:|---:|\n'
        printf '| access log on / off | %s | %s x |\n' \
            "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')" \
            "$(awk -v a="$(median gateway+access-log 4)" -v b="$GATEWAY_P99" 'BEGIN { printf "%.2f", a / b }')"
        printf '| access log on / YARP | %s | %s x |\n' \
            "$(awk -v a="$on" -v y="$YARP_RPS" 'BEGIN { printf "%.3f", a / y }')" \
            "$(awk -v a="$(median gateway+access-log 4)" -v y="$YARP_P99" 'BEGIN { printf "%.2f", a / y }')"
        printf '| access log off / YARP | %s | %s x |\n' \
            "$(awk -v a="$off" -v y="$YARP_RPS" 'BEGIN { printf "%.3f", a / y }')" "$P99_RATIO"
        printf '\nAccess log cost: %s %% of throughput (target <= 5 %%: %s)\n' \
            "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.1f", 100 * (1 - a / b) }')" \
            "$(awk -v a="$on" -v b="$off" 'BEGIN { print (a / b >= 0.95) ? "met" : "MISSED" }')"
    fi
}

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:PORT$REQUEST_PATH (each server warmed up until level, then $WARMUP before each run; medians of the runs; pinning: $PIN; $(nproc) CPUs)"
echo
table
echo
echo "All runs (label, requests/s, p50 ms, p99 ms, server CPU us/request, foreign CPU %):"
column -t "$WORK/runs" 2>/dev/null || cat "$WORK/runs"
if [ -n "$MARKDOWN" ]; then
    table >"$MARKDOWN"
    log "wrote $MARKDOWN"
fi
cp "$WORK/runs" "$RESULTS/runs.txt"
log "done in $((SECONDS - STARTED_AT)) s"
