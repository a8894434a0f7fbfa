#!/usr/bin/env bash
# Requests per second of the same hello-world app with no CORS middleware, the framework's built-in one, and
# swift-cors's CORSPolicyMiddleware, for Hummingbird and Vapor, measured with wrk on loopback in one run.
#
#   scripts/bench-http.sh [SECONDS]     each run lasts SECONDS (default 10); needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
swift build --package-path Benchmarks -c release --build-path .build-bench --product cors-bench-server > /dev/null
server=.build-bench/release/cors-bench-server
port=18080
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); wrk -t1 -c32 -d${seconds}s, Origin allowed"
printf '%-12s %-8s %12s %10s\n' framework cors req/s "vs none"
for framework in hummingbird vapor; do
    baseline=""
    for middleware in none builtin ours; do
        "$server" "$framework" "$middleware" "$port" > /dev/null 2>&1 &
        pid=$!
        for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break; sleep 0.1; done
        wrk -t1 -c32 -d2s -H 'Origin: https://app.example.com' "http://127.0.0.1:$port/hello" > /dev/null  # warm-up
        rps=$(wrk -t1 -c32 -d"${seconds}s" -H 'Origin: https://app.example.com' "http://127.0.0.1:$port/hello" \
            | sed -n 's/^Requests\/sec: *//p')
        kill "$pid"; wait "$pid" 2> /dev/null || true
        [[ -z "$baseline" ]] && baseline=$rps
        ratio=$(awk -v a="$rps" -v b="$baseline" 'BEGIN { printf "%.3f", a / b }')
        printf '%-12s %-8s %12s %10s\n' "$framework" "$middleware" "$rps" "$ratio"
        port=$((port + 1))
    done
done
