#!/usr/bin/env bash
# A bounded load run against `cors serve` (echo mode): preflights, allowed and disallowed actual requests, mixed,
# with the gateway's resident memory sampled before and after. Loopback only.
#
#   scripts/load.sh [SECONDS]     default 60; needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
swift build -c release --build-path .build-release --product cors > /dev/null
.build-release/release/cors serve --policy examples/policy.json --listen 127.0.0.1:18099 --no-access-log > /tmp/cors-load.log 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null || true' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:18099/ && break; sleep 0.1; done
rss() { sed -n 's/^VmRSS: *//p' "/proc/$pid/status"; }
wrk -t1 -c16 -d5s -s scripts/load-mix.lua http://127.0.0.1:18099 > /dev/null   # warm-up
before=$(rss)
result=$(wrk -t2 -c32 -d"${seconds}s" -s scripts/load-mix.lua http://127.0.0.1:18099)
after=$(rss)
echo "$result"
echo "resident memory: before ${before}, after ${after}"
if echo "$result" | grep -q "Socket errors\|Non-2xx"; then echo "load: errors seen" >&2; exit 1; fi
