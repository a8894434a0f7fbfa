#!/usr/bin/env bash
# What a CORS middleware costs in a server: the same hello-world app with no middleware (`none`), a middleware that
# only calls the next responder (`pass`), one that adds the allowed answer's two fields without deciding anything
# (`fields`: the floor of any CORS middleware), the framework's built-in CORS middleware (`builtin`) and swift-cors's
# CORSPolicyMiddleware (`ours`), for Hummingbird and Vapor, on loopback.
#
# 1. Under wrk: the server pinned to CPU 0 and wrk to CPU 1 (taskset), the variants alternating within each round;
#    req/s and the server's CPU time per request (user and system time from /proc over the run, divided by the
#    requests served), then the medians and their ratios to `none`. CPU per request moves much less than req/s on a
#    shared machine. Its user part alone is printed too: a middleware's code runs there, while the kernel's part
#    (loopback TCP, and waking wrk on the other CPU, dearer the more often wrk has gone idle, so it grows when the
#    server slows) moved by several µs per request between variants in a `perf record` of the server.
# 2. In process (cors-middleware-bench): the router's responder called in a loop, without the network; ns and
#    allocations per request above `none`, minimum of 7 rounds; then again with the caches evicted before each
#    request, as they are in a server, where a middleware pays for the code and data it touches.
# 3. The work per request under wrk (mallocs, retains, releases, context switches; see below).
#
#   scripts/bench-http.sh [SECONDS] [ROUNDS]     each run lasts SECONDS (default 5), ROUNDS rounds (default 3)
#
# Needs wrk (apt-get install wrk) and two CPUs; the counts need root and perf (apt-get install linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${2:-3}"
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
for product in cors-bench-server cors-middleware-bench; do
    swift build --package-path Benchmarks -c release --build-path .build-bench --product "$product" > /dev/null
done
server=.build-bench/release/cors-bench-server
variants=(none pass fields builtin ours)
source scripts/lib-cputime.sh
port=18080
results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
echo "server on CPU 0, wrk -t1 -c32 -d${seconds}s on CPU 1, GET /hello with an allowed Origin; $rounds rounds"
# Starts the server for a framework and a variant on $port, in the background, and waits until it answers.
start() {
    taskset -c 0 "$server" "$1" "$2" "$port" > /dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break; sleep 0.1; done
}
stop() {
    kill "$pid"
    wait "$pid" 2> /dev/null || true
    port=$((port + 1))
}
run() { taskset -c 1 wrk -t1 -c32 -d"$1" -H 'Origin: https://app.example.com' "http://127.0.0.1:$port/hello"; }
for round in $(seq 1 "$rounds"); do
    for framework in hummingbird vapor; do
        for middleware in "${variants[@]}"; do
            start "$framework" "$middleware"
            run 1s > /dev/null # warm-up
            before=$(cpuTicks "$pid") userBefore=$(userTicks "$pid")
            out=$(run "${seconds}s")
            after=$(cpuTicks "$pid") userAfter=$(userTicks "$pid")
            stop
            rps=$(sed -n 's/^Requests\/sec: *//p' <<< "$out")
            requests=$(awk '/requests in/ { print $1 }' <<< "$out")
            perRequest() { awk -v t="$1" -v hz="$ticksPerSecond" -v n="$requests" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }'; }
            cpu=$(perRequest $((after - before)))
            user=$(perRequest $((userAfter - userBefore)))
            echo "$round $framework $middleware $rps $cpu $user" >> "$results"
            echo "round $round $framework $middleware: $rps req/s, CPU $cpu us/request ($user in user space)"
        done
    done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
print(f"{'framework':12} {'cors':8} {'req/s':>9} {'ratio':>6} {'CPU us/request':>15} {'ratio':>6} {'above none':>11}"
      f" {'user us/req':>12} {'above none':>11}")
for f in ["hummingbird", "vapor"]:
    median = {}
    for m in ["none", "pass", "fields", "builtin", "ours"]:
        mine = [r for r in rows if r[1] == f and r[2] == m]
        median[m] = [statistics.median(float(r[column]) for r in mine) for column in (3, 4, 5)]
        rps, cpu, user = median[m]
        none = median["none"]
        print(f"{f:12} {m:8} {rps:9.0f} {rps / none[0]:6.3f} {cpu:15.2f} {cpu / none[1]:6.3f} {cpu - none[1]:+11.2f}"
              f" {user:12.2f} {user - none[2]:+11.2f}")
PY
echo
echo "in process, without the network (cors-middleware-bench 100000 7):"
.build-bench/release/cors-middleware-bench 100000 7
echo
echo "the same with cold caches (CORS_BENCH_EVICT=1048576 cors-middleware-bench 20000 5: 1 MiB written before each request):"
CORS_BENCH_EVICT=1048576 .build-bench/release/cors-middleware-bench 20000 5
echo

# Throughput on this shared machine moves by more than the differences measured, so the work per request is also
# counted, which moves much less: calls of malloc and of the Swift runtime's retain and release per request (uprobes),
# and the server's context switches per request (a thread hop costs one or two), over a 2-second run. The probes slow
# the server down; the counts hardly depend on its speed.
if [[ $(id -u) != 0 ]] || ! command -v perf > /dev/null; then
    echo "(work per request not counted: needs root and perf, apt-get install linux-perf)"
    exit 0
fi
source scripts/lib-uprobes.sh
trap 'removeUprobes; rm -f "$results"' EXIT
uprobes "$server" libc.so malloc
uprobes "$server" libswiftCore.so swift_retain swift_release
echo "work per request (calls per request over a 2 s run)"
printf '%-12s %-8s %9s %9s %9s %9s\n' framework cors malloc retain release switches
for framework in hummingbird vapor; do
    for middleware in "${variants[@]}"; do
        start "$framework" "$middleware"
        run 1s > /dev/null
        counts=$(mktemp)
        perf stat -x, -e "$uprobeEvents" -e context-switches -p "$pid" -o "$counts" &
        perfPid=$!
        requests=$(run 2s | awk '/requests in/ { print $1 }')
        kill -INT "$perfPid"
        wait "$perfPid" 2> /dev/null || true
        stop
        awk -F, -v n="$requests" -v f="$framework" -v m="$middleware" '
            /probe_|context-switches/ { value[++i] = $1 / n }
            END { printf "%-12s %-8s %9.1f %9.1f %9.1f %9.2f\n", f, m, value[1], value[2], value[3], value[4] }' "$counts"
        rm -f "$counts"
    done
done
