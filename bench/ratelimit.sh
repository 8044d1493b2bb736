#!/usr/bin/env bash
# Rate limiting under load (docs/benchmarks.md, "Rate limiting"): 4 DevHost instances on loopback sharing one
# Azurite, each serving the same routes, with one route per mode limited by route (one key for all clients):
#   1. cost of limiting: one gateway instance on a limited route that is never saturated, and on an unlimited
#      route, against bare YARP, alternately, with identical wrk settings (throughput and p99 as ratios);
#   2. for each mode (leased, exact, local): offered load far above the limit, spread over the 4 instances (one wrk
#      per instance), after a warm-up on the same route so the counter is saturated: admitted requests per fixed
#      window against the limit (counted by wrk per window), and storage operations per admitted request (the
#      instances' rateLimitStoreOperations in /_gateway/status, before and after).
#
# Settings (environment):
#   BENCH_RL_LIMIT=2000/10s   the limit of the saturated routes (period in seconds, at most 60s)
#   BENCH_RL_SECONDS=50       measured seconds per mode (windows wholly inside count; about 4 with 10 s)
#   BENCH_RL_WARMUP=15        seconds of the same load before each mode's measurement
#   BENCH_RL_CONNECTIONS=8    connections of each of the 4 wrk processes in the modes' runs
#   BENCH_RL_JIT_WARMUP=30    seconds of load on the 4 instances before the modes' runs
#   BENCH_WARMUP_MIN=40 BENCH_WARMUP_MAX=90   before the cost-of-limiting runs, YARP and the measured instance on each
#                          of its two routes are loaded in 5 s wrk runs for at least MIN seconds and then until
#                          throughput has levelled off (tiered JIT done on that path), at most MAX seconds each; a fresh
#                          gateway needs 60-100 s of full load on one core to get there, and measured before it, it
#                          reads 20-30 % slower than it runs
#   BENCH_THREADS=2 BENCH_CONNECTIONS=32 BENCH_DURATION=10s BENCH_ROUNDS=2   the cost-of-limiting runs
#   BENCH_SKIP_BUILD=0        1 skips the Release builds
#   BENCH_MARKDOWN=FILE       also write the result tables as a Markdown fragment to FILE
# Everything it starts is stopped on exit, also on failure or Ctrl+C. Logs go to bench/results/ratelimit/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INSTANCES=4
LIMIT="${BENCH_RL_LIMIT:-2000/10s}"
MODE_SECONDS="${BENCH_RL_SECONDS:-50}"
MODE_WARMUP="${BENCH_RL_WARMUP:-15}"
MODE_CONNECTIONS="${BENCH_RL_CONNECTIONS:-8}"
JIT_WARMUP="${BENCH_RL_JIT_WARMUP:-30}"
WARMUP_MIN="${BENCH_WARMUP_MIN:-40}"
WARMUP_MAX="${BENCH_WARMUP_MAX:-90}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
DURATION="${BENCH_DURATION:-10s}"
ROUNDS="${BENCH_ROUNDS:-2}"
SKIP_BUILD="${BENCH_SKIP_BUILD:-0}"
MARKDOWN="${BENCH_MARKDOWN:-}"
# Seven servers and the load on a shared machine: no pinning.
PIN=none
RESULTS="$ROOT/bench/results/ratelimit"
STARTED_AT=$SECONDS

PERMITS="${LIMIT%%/*}"
PERIOD="${LIMIT#*/}"
PERIOD="${PERIOD%s}"
if ! [ "$PERMITS" -ge 1 ] 2>/dev/null || ! [ "$PERIOD" -ge 1 ] 2>/dev/null || [ "$PERIOD" -gt 60 ]; then
    echo "BENCH_RL_LIMIT must be COUNT/SECONDSs with a period of 1s to 60s, such as 2000/10s, not '$LIMIT'" >&2
    exit 2
fi

mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.txt
WORK="$(mktemp -d)"

# shellcheck source=lib/processes.sh
source "$ROOT/bench/lib/processes.sh"

ensure_tools
build_release bench/BenchBackend bench/YarpBaseline src/FunctionsGateway.DevHost

# --- processes --------------------------------------------------------------------------------------------

pick_port BACKEND_PORT
pick_port YARP_PORT
BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
GATEWAY_PORTS=()
for i in $(seq 1 "$INSTANCES"); do
    pick_port NEXT_PORT
    GATEWAY_PORTS+=("$NEXT_PORT")
done

start_azurite
start backend server "${DOTNET_ENV[@]}" dotnet "$ROOT/bench/BenchBackend/bin/Release/net10.0/BenchBackend.dll" --urls "$BACKEND_URL"
start yarp server "${DOTNET_ENV[@]}" dotnet "$ROOT/bench/YarpBaseline/bin/Release/net10.0/YarpBaseline.dll" \
    --urls "http://127.0.0.1:$YARP_PORT" --destination "$BACKEND_URL"

# One virtual host per route (docs/routes.md): Host 127.0.0.1 is not limited; free.bench is limited far above
# what the machine can send (its counter is never saturated; leases of up to 1,000 tokens); the others are
# limited to LIMIT in their mode, one key for all clients.
cat >"$WORK/seed.json" <<EOF
{ "Routes": [
    { "PartitionKey": "bench", "RowKey": "plain", "Path": "/{**rest}", "Hosts": "127.0.0.1", "Backend": "$BACKEND_URL" },
    { "PartitionKey": "bench", "RowKey": "free", "Path": "/{**rest}", "Hosts": "free.bench", "Backend": "$BACKEND_URL",
      "RateLimit": "100000000/1m", "RateLimitBy": "route" },
    { "PartitionKey": "bench", "RowKey": "leased", "Path": "/{**rest}", "Hosts": "leased.bench", "Backend": "$BACKEND_URL",
      "RateLimit": "$LIMIT", "RateLimitBy": "route", "RateLimitMode": "leased" },
    { "PartitionKey": "bench", "RowKey": "exact", "Path": "/{**rest}", "Hosts": "exact.bench", "Backend": "$BACKEND_URL",
      "RateLimit": "$LIMIT", "RateLimitBy": "route", "RateLimitMode": "exact" },
    { "PartitionKey": "bench", "RowKey": "local", "Path": "/{**rest}", "Hosts": "local.bench", "Backend": "$BACKEND_URL",
      "RateLimit": "$LIMIT", "RateLimitBy": "route", "RateLimitMode": "local" }
  ], "Backends": [] }
EOF
GATEWAY_DLL="$ROOT/src/FunctionsGateway.DevHost/bin/Release/net10.0/FunctionsGateway.DevHost.dll"

# start_gateway N: instance N on its port; the first seeds the empty Routes table, the others find it seeded.
start_gateway() {
    start "gateway-$1" server "${DOTNET_ENV[@]}" Gateway__Storage__ConnectionString="$STORAGE" Logging__LogLevel__Default=Warning \
        dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:${GATEWAY_PORTS[$1 - 1]}" --seed "$WORK/seed.json"
    wait_until "gateway-$1" 60 gateway_routes "${GATEWAY_PORTS[$1 - 1]}"
}

wait_until azurite 30 tcp_open "$AZURITE_PORT"
wait_until backend 30 http_ok "$BACKEND_URL/api/items"
wait_until yarp 30 http_ok "http://127.0.0.1:$YARP_PORT/api/items"
for i in $(seq 1 "$INSTANCES"); do
    start_gateway "$i"
done
for host in free.bench leased.bench; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "http://127.0.0.1:${GATEWAY_PORTS[0]}/api/items")
    [ "$code" = 200 ] || { log "the gateway answered $code on $host; see $RESULTS/gateway-1.log"; exit 1; }
done
log "all ready: Azurite $AZURITE_PORT, backend $BACKEND_PORT, YARP $YARP_PORT, gateways ${GATEWAY_PORTS[*]}; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- helpers ----------------------------------------------------------------------------------------------

# on_all_instances SECONDS HOST [LUA]: one wrk per instance at once, on the route of HOST; with LUA, each
# wrk's per-window counts go to $WORK/windows-N.
on_all_instances() {
    local seconds=$1 host=$2 lua=${3:-} i pids=()
    for i in $(seq 1 "$INSTANCES"); do
        if [ -n "$lua" ]; then
            RL_PERIOD="$PERIOD" timeout $((seconds + 30)) wrk -t1 -c"$MODE_CONNECTIONS" -d"${seconds}s" -H "Host: $host" -s "$lua" \
                "http://127.0.0.1:${GATEWAY_PORTS[$i - 1]}/api/items" >"$WORK/windows-$i" &
        else
            timeout $((seconds + 30)) wrk -t1 -c"$MODE_CONNECTIONS" -d"${seconds}s" -H "Host: $host" \
                "http://127.0.0.1:${GATEWAY_PORTS[$i - 1]}/api/items" >/dev/null &
        fi
        pids+=("$!")
    done
    for i in "${pids[@]}"; do
        wait "$i"
    done
}

# store_operations: "read write conflict delete", summed over the instances' status listings.
store_operations() {
    local port
    for port in "${GATEWAY_PORTS[@]}"; do
        curl -fsS --max-time 5 "http://127.0.0.1:$port/_gateway/status" | tr -d ' \n' |
            grep -o '"rateLimitStoreOperations":{[^}]*}' | grep -o '[0-9][0-9]*' | paste -sd' '
    done | awk '{ for (i = 1; i <= 4; i++) s[i] += $i } END { printf "%d %d %d %d\n", s[1], s[2], s[3], s[4] }'
}

# store_failures: decisions made without the counters (EventId 301 warnings) in the instances' logs so far.
store_failures() { cat "$RESULTS"/gateway-*.log | grep -c 'Rate limit counters could not be reached' || true; }

# --- 1. cost of limiting ----------------------------------------------------------------------------------

# measure LABEL URL [HOST]: one wrk run; appends "LABEL rps p99ms" to $WORK/latency.
measure() {
    local label=$1 url=$2 out="$RESULTS/wrk-$1-$round.txt" extra=()
    [ -n "${3:-}" ] && extra=(-H "Host: $3")
    timeout 60 wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "${extra[@]}" "$url" >/dev/null
    timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${extra[@]}" "$url" >"$out"
    awk -v label="$label" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v + 0 }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx/ { bad = $NF }
        END { printf "%s %.0f %.3f %d\n", label, rps, p99, bad }' "$out" | tee -a "$WORK/latency" | {
        read -r l r p b
        log "$(printf '%-14s %7s req/s  p99 %7s ms  non-2xx %s' "$l" "$r" "$p" "$b")"
    }
}

GATEWAY_URL="http://127.0.0.1:${GATEWAY_PORTS[0]}/api/items"
log "warming up YARP and the measured instance on both routes, each until its throughput is level"
pin_to load
WRK_EXTRA=()
warm_up yarp "http://127.0.0.1:$YARP_PORT/api/items"
warm_up gateway-plain "$GATEWAY_URL"
WRK_EXTRA=(-H "Host: free.bench")
warm_up gateway-limited "$GATEWAY_URL"
WRK_EXTRA=()
for round in $(seq 1 "$ROUNDS"); do
    measure yarp "http://127.0.0.1:$YARP_PORT/api/items"
    measure gateway-limited "$GATEWAY_URL" free.bench
    measure gateway-plain "$GATEWAY_URL"
done

# --- 2. the modes under load far above the limit ----------------------------------------------------------

log "warming up: the $INSTANCES instances on the unlimited route ($JIT_WARMUP s)"
on_all_instances "$JIT_WARMUP" 127.0.0.1
: >"$WORK/modes"
for mode in leased exact local; do
    log "$mode: warm-up of $MODE_WARMUP s, then $MODE_SECONDS s measured, ${INSTANCES} x wrk -t1 -c$MODE_CONNECTIONS on $mode.bench"
    on_all_instances "$MODE_WARMUP" "$mode.bench"
    read -r r0 w0 c0 d0 < <(store_operations)
    f0=$(store_failures)
    on_all_instances "$MODE_SECONDS" "$mode.bench" "$ROOT/bench/ratelimit-windows.lua"
    read -r r1 w1 c1 d1 < <(store_operations)
    f1=$(store_failures)
    # Windows wholly inside the run: the first and the last one seen are partial.
    cat "$WORK"/windows-* | awk '$1 == "window" { ok[$2] += $4; limited[$2] += $6; other[$2] += $8 }
        END { for (w in ok) print w, ok[w], limited[w], other[w] }' | sort -n | sed '1d;$d' >"$RESULTS/windows-$mode.txt"
    cat "$WORK"/windows-* | awk '$1 == "window" { ok += $4; all += $4 + $6 + $8 } END { print ok, all }' >"$WORK/totals"
    read -r admitted offered <"$WORK/totals"
    awk -v mode="$mode" -v permits="$PERMITS" -v seconds="$MODE_SECONDS" -v admitted="$admitted" -v offered="$offered" \
        -v reads=$((r1 - r0)) -v writes=$((w1 - w0)) -v conflicts=$((c1 - c0)) -v deletes=$((d1 - d0)) -v failures=$((f1 - f0)) '
        { n++; if (n == 1 || $2 > max) max = $2; if (n == 1 || $2 < min) min = $2; sum += $2; other += $4; list = list (n > 1 ? "," : "") $2 }
        END {
            ops = reads + writes + conflicts + deletes
            printf "%s %d %.0f %d %d %.3f %.3f %.0f %d %d %d %d %.4f %d %d %s\n", mode, n, sum / n, max, min, max / permits, sum / n / permits,
                offered / seconds, reads, writes, conflicts, deletes, (admitted > 0 ? ops / admitted : 0), other, failures, list
        }' "$RESULTS/windows-$mode.txt" | tee -a "$WORK/modes" | {
        read -r m n mean max min maxu meanu rate rd wr cf dl per oth fl list
        log "$(printf '%-6s windows %s: admitted %s (limit %s; max %s = %s, mean %s), offered %s req/s, storage %s/admitted (read %s write %s conflict %s delete %s), other statuses %s, store failures %s' \
            "$m" "$n" "$list" "$PERMITS" "$max" "$maxu" "$meanu" "$rate" "$per" "$rd" "$wr" "$cf" "$dl" "$oth" "$fl")"
    }
done

# --- report -----------------------------------------------------------------------------------------------

median() {
    awk -v label="$1" -v col="$2" '$1 == label { print $col }' "$WORK/latency" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

table() {
    local label
    printf '| Target | Requests/s | p99 (ms) | Throughput / YARP | p99 / YARP |\n|---|---:|---:|---:|---:|\n'
    for label in yarp gateway-limited gateway-plain; do
        printf '| %s | %.0f | %.2f | %.2f | %.2f |\n' "$label" "$(median "$label" 2)" "$(median "$label" 3)" \
            "$(awk -v a="$(median "$label" 2)" -v y="$(median yarp 2)" 'BEGIN { print a / y }')" \
            "$(awk -v a="$(median "$label" 3)" -v y="$(median yarp 3)" 'BEGIN { print a / y }')"
    done
    printf '\n| Mode | Full windows | Admitted per window (limit %s) | Max / limit | Mean / limit | Offered (req/s) | Storage operations per admitted | read / write / conflict / delete | Store failures |\n' "$PERMITS"
    printf '|---|---:|---|---:|---:|---:|---:|---|---:|\n'
    awk '{ printf "| %s | %d | %s | %.3f | %.3f | %.0f | %.4f | %d / %d / %d / %d | %d |\n", $1, $2, $16, $6, $7, $8, $13, $9, $10, $11, $12, $15 }' "$WORK/modes"
}

echo
echo "Rate limiting, $INSTANCES DevHost instances sharing one Azurite; limit $LIMIT by route; $(nproc) CPUs, shared; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Cost of limiting: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency on one instance, medians of $ROUNDS rounds"
echo
table
echo
echo "Modes: $INSTANCES x wrk -t1 -c$MODE_CONNECTIONS -d${MODE_SECONDS}s after ${MODE_WARMUP} s of the same load; admitted = 2xx counted per fixed window by wrk"
if [ -n "$MARKDOWN" ]; then
    table >"$MARKDOWN"
    log "wrote $MARKDOWN"
fi
cp "$WORK/modes" "$RESULTS/modes.txt"
cp "$WORK/latency" "$RESULTS/latency.txt"
log "done in $((SECONDS - STARTED_AT)) s"
