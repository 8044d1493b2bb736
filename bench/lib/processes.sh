# Shell shared by the load benchmarks (run.sh, ratelimit.sh): logging, cleanup on exit, tools and builds,
# loopback ports, background processes and Azurite. A script sets ROOT, RESULTS, WORK, PIN (split or none),
# SKIP_BUILD and STARTED_AT, then sources this file; everything started with `start` is stopped on exit
# (also on failure or Ctrl+C). A script may define cleanup_hook, run before the temporary directory goes.
# shellcheck shell=bash

PIDS=()

log() { printf '[bench %3ds] %s\n' $((SECONDS - STARTED_AT)) "$*" >&2; }

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if declare -F cleanup_hook >/dev/null; then
        cleanup_hook || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools and builds -------------------------------------------------------------------------------------

# ensure_tools: wrk and Azurite, installed when missing; checks PIN.
ensure_tools() {
    if ! command -v wrk >/dev/null; then
        log "installing wrk"
        apt-get update -qq
        apt-get install -y -qq wrk >/dev/null
    fi

    case "$PIN" in
        split)
            if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then
                log "BENCH_PIN=split needs 2 CPUs and taskset; running unpinned"
                PIN=none
            fi
            ;;
        none) ;;
        *) echo "BENCH_PIN must be split or none, not '$PIN'" >&2; exit 2 ;;
    esac

    AZURITE_MAIN="$ROOT/tools/azurite/node_modules/azurite/dist/src/table/main.js"
    if [ ! -f "$AZURITE_MAIN" ]; then
        log "installing Azurite (npm ci)"
        (cd "$ROOT/tools/azurite" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
}

# pin_to ROLE: sets PIN_CMD to the taskset prefix for ROLE (load = wrk on CPU 0; server = backend, proxies
# and Azurite on CPU 1), or to nothing when unpinned.
pin_to() {
    PIN_CMD=()
    if [ "$PIN" = split ]; then
        if [ "$1" = load ]; then PIN_CMD=(taskset -c 0); else PIN_CMD=(taskset -c 1); fi
    fi
}

# build_release PROJECT...: Release builds of the projects (paths from ROOT), unless SKIP_BUILD=1.
build_release() {
    local project
    [ "$SKIP_BUILD" = 1 ] && return 0
    for project in "$@"; do
        log "building $project (Release)"
        dotnet build -c Release --nologo -v q "$ROOT/$project" >"$RESULTS/build.log" 2>&1 || { cat "$RESULTS/build.log" >&2; exit 1; }
    done
}

# --- processes --------------------------------------------------------------------------------------------

# pick_port VAR: sets VAR to a loopback port that no socket uses, below the kernel's ephemeral range: outgoing
# connections (wrk's, the proxies' pools) take their local ports from that range, so a port found free there can
# be taken by the time a server binds it.
TAKEN_PORTS=" "
pick_port() {
    local low port
    low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    if [ "$low" -lt 12000 ]; then low=65000; fi
    for _ in $(seq 1 200); do
        port=$((10000 + RANDOM % (low - 10000)))
        case "$TAKEN_PORTS" in *" $port "*) continue ;; esac
        if ! awk -v p="$(printf '%04X' "$port")" 'FNR > 1 { split($2, a, ":"); if (a[2] == p) found = 1 } END { exit !found }' \
            /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
            TAKEN_PORTS="$TAKEN_PORTS$port "
            printf -v "$1" '%s' "$port"
            return 0
        fi
    done
    echo "no free loopback port found" >&2
    return 1
}

# start NAME ROLE COMMAND...: starts a process in the background, output to bench/results/NAME.log.
start() {
    local name=$1 role=$2
    shift 2
    pin_to "$role"
    # A simple command, so $! is the process itself (taskset and env exec theirs) and stop/cleanup reach it.
    "${PIN_CMD[@]}" "$@" >"$RESULTS/$name.log" 2>&1 &
    PIDS+=("$!")
    eval "PID_${name//-/_}=$!"
}

# wait_until NAME SECONDS COMMAND...: polls COMMAND until it succeeds; fails with NAME's log after SECONDS.
wait_until() {
    local name=$1 deadline=$((SECONDS + $2))
    shift 2
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "$name did not get ready within the deadline; its log:" >&2
            tail -n 40 "$RESULTS/$name.log" >&2 || true
            return 1
        fi
        sleep 0.2
    done
}

stop() {
    local var="PID_${1//-/_}"
    local pid="${!var}"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -fsS --max-time 2 -o /dev/null "$1"; }
gateway_routes() { curl -fsS --max-time 2 "http://127.0.0.1:$1/_gateway/status" | grep -Eq '"routes": *[1-9]'; }

DOTNET_ENV=(env DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ASPNETCORE_ENVIRONMENT=Production)

# start_azurite: starts Azurite, in memory, on a new port and points STORAGE at it.
start_azurite() {
    pick_port AZURITE_PORT
    start azurite server node "$AZURITE_MAIN" --tableHost 127.0.0.1 --tablePort "$AZURITE_PORT" \
        --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent --loose
    STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$AZURITE_PORT/devstoreaccount1;"
}

# --- load -------------------------------------------------------------------------------------------------

# warm_up LABEL URL: the first warm-up of a server on the path to be measured, until its JIT has reached tier 1
# there. Repeats 5 s wrk runs for at least WARMUP_MIN seconds and then until throughput has levelled off: the last three runs within 10 % of each other (5 s runs on a shared
# core scatter by about ±5 %) and their mean no more than 5 % above that of the three before, which tells the
# final level from the plateau at the instrumented tier on the way. At most WARMUP_MAX seconds.
# Uses THREADS, CONNECTIONS, WARMUP_MIN, WARMUP_MAX, PIN_CMD and WRK_EXTRA (extra wrk arguments) of the script.
WARMED=" "
warm_up() {
    local label=$1 url=$2 earliest=$((SECONDS + WARMUP_MIN)) deadline=$((SECONDS + WARMUP_MAX)) curve="" rps
    while :; do
        rps=$("${PIN_CMD[@]}" timeout 60 wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "${WRK_EXTRA[@]}" "$url" | awk '$1 == "Requests/sec:" { printf "%.0f", $2 }')
        curve="$curve ${rps:-0}"
        if [ $SECONDS -ge $earliest ] && echo "$curve" | awk '{
                if (NF < 6) exit 1
                lo = hi = $NF; last = prev = 0
                for (i = NF - 2; i <= NF; i++) { if ($i < lo) lo = $i; if ($i > hi) hi = $i; last += $i; prev += $(i - 3) }
                exit !(lo > 0 && hi / lo <= 1.10 && last <= 1.05 * prev) }'; then
            log "$label warmed up (req/s per 5 s:$curve)"
            break
        fi
        if [ $SECONDS -ge $deadline ]; then
            log "$label still not level after ${WARMUP_MAX} s of warm-up (req/s per 5 s:$curve); measuring anyway"
            break
        fi
    done
    WARMED="$WARMED$label "
}
