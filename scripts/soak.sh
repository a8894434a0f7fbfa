#!/usr/bin/env bash
# Soak test of `cors serve --upstream`: honest traffic (wrk) while hostile clients attack the same gateway — slow
# headers, slow bodies, bodies promised and never sent, uploads the upstream answers early, idle sockets, resets,
# malformed requests — for a fixed time. Reports the honest requests' success rate (it must be 100 %), their p99
# latency, and the gateway's peak resident memory and open descriptors before and after. Loopback only; everything
# it starts is stopped.
#
#   scripts/soak.sh [SECONDS]     default 60; installs wrk from Debian when missing
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
if ! command -v wrk > /dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) > /dev/null
    fi
    command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
fi
source scripts/lib-processes.sh

upstream_port=18101
gateway_port=18100
python3 scripts/soak.py upstream "$upstream_port" &
pids+=($!)
cat > "$work/policy.json" << 'JSON'
{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowHeaders": ["content-type"]}
JSON
.build-release/release/cors serve --policy "$work/policy.json" --listen "127.0.0.1:$gateway_port" \
    --upstream "http://127.0.0.1:$upstream_port" --header-timeout 5 --body-timeout 5 --idle-timeout 10 --no-access-log \
    > "$work/gateway.log" 2>&1 &
gateway=$!
pids+=("$gateway")
base="http://127.0.0.1:$gateway_port"
for _ in $(seq 1 100); do curl -s -o /dev/null "$base/" && break; sleep 0.1; done

descriptors() { ls "/proc/$gateway/fd" | wc -l; }
memory() { awk -v key="$1:" '$1 == key { print $2 " " $3 }' "/proc/$gateway/status"; }
wrk -t1 -c8 -d2s -H 'Origin: https://app.example.com' "$base/warm-up" > /dev/null
fds_before=$(descriptors)
rss_before=$(memory VmRSS)

python3 scripts/soak.py hostile "$base" "$seconds" > "$work/hostile.json" &
hostile=$!
pids+=("$hostile")
honest=$(wrk -t1 -c32 -d"${seconds}s" --latency -H 'Origin: https://app.example.com' "$base/honest")
wait "$hostile" || true
sleep 12  # let the timeouts close what the attackers left open

fds_after=$(descriptors)
peak=$(memory VmHWM)
rss_after=$(memory VmRSS)
kill -0 "$gateway" 2> /dev/null || { echo "soak: the gateway died" >&2; tail -n 40 "$work/gateway.log" >&2; exit 1; }

requests=$(echo "$honest" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
failed=$(echo "$honest" | sed -n 's/^ *Non-2xx or 3xx responses: *//p')
errors=$(echo "$honest" | sed -n 's/^ *Socket errors: *//p')
p99=$(echo "$honest" | sed -n 's/^ *99% *//p')
failed=${failed:-0}
rate=$(awk -v r="$requests" -v f="$failed" 'BEGIN { printf "%.3f", (r > 0 ? 100 * (r - f) / r : 0) }')
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
echo "honest traffic: wrk -t1 -c32 -d${seconds}s: ${requests} requests, ${rate} % answered 2xx, p99 ${p99}"
echo "socket errors: ${errors:-none}"
echo "hostile clients (runs per pattern): $(cat "$work/hostile.json")"
echo "gateway resident memory: ${rss_before} before, ${rss_after} after, peak ${peak}"
echo "gateway open descriptors: ${fds_before} before, ${fds_after} after"
if [[ "$failed" != 0 || -n "${errors:-}" ]]; then
    echo "soak: honest requests failed" >&2
    exit 1
fi
