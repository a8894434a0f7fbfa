#!/usr/bin/env bash
# Requests per second of the same hello-world app with no CORS middleware, the framework's built-in one, and
# swift-cors's CORSPolicyMiddleware, for Hummingbird and Vapor, measured with wrk on loopback in one run. The server
# is pinned to CPU 0 and wrk to CPU 1 (taskset) so that they do not take turns on one core; the three variants
# alternate within each round, and every round's ratio to "none" is printed, then the median per variant. Then the
# work per request is counted for each variant (mallocs, retains, releases, context switches; see below).
#
#   scripts/bench-http.sh [SECONDS] [ROUNDS]     each run lasts SECONDS (default 5), ROUNDS rounds (default 3)
#
# Needs wrk (apt-get install wrk) and two CPUs; the counts need root and perf (apt-get install linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${2:-3}"
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
swift build --package-path Benchmarks -c release --build-path .build-bench --product cors-bench-server > /dev/null
server=.build-bench/release/cors-bench-server
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
        for middleware in none builtin ours; do
            start "$framework" "$middleware"
            run 1s > /dev/null # warm-up
            rps=$(run "${seconds}s" | sed -n 's/^Requests\/sec: *//p')
            stop
            echo "$round $framework $middleware $rps" >> "$results"
        done
    done
done
python3 - "$results" "$rounds" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
rounds = int(sys.argv[2])
rps = {(r, f, m): float(v) for r, f, m, v in rows}
print(f"{'framework':12} {'cors':8}" + "".join(f" {'round ' + str(r):>17}" for r in range(1, rounds + 1)) + "   median")
for f in ["hummingbird", "vapor"]:
    for m in ["none", "builtin", "ours"]:
        ratios = [rps[(str(r), f, m)] / rps[(str(r), f, "none")] for r in range(1, rounds + 1)]
        cells = "".join(f" {rps[(str(r), f, m)]:9.0f} ({ratios[r - 1]:.3f})" for r in range(1, rounds + 1))
        print(f"{f:12} {m:8}{cells}   {statistics.median(ratios):.3f}")
PY

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
    for middleware in none builtin ours; do
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
