#!/usr/bin/env bash
# `cors serve --upstream` against nginx as a CORS reverse proxy, in one run: the same upstream (an nginx server that
# answers "hello"), the same allowed CORS request, the same client. A third contender, `cors-relay-ceiling`
# (Benchmarks/RelayCeiling), copies bytes between client and upstream with SwiftNIO and does nothing else: the
# ceiling of any SwiftNIO proxy here, so that what the HTTP and CORS work costs is seen apart from the I/O. nginx is configured as a careful operator would
# (an exact-origin map, `always`, Vary, upstream Access-Control-* fields hidden, keep-alive to the upstream); see the
# configuration below. The proxy under test runs on CPU 0, the upstream and wrk on CPU 1; the two proxies alternate
# for ROUNDS rounds. Prints req/s, latency percentiles and CPU time per request of each proxy per run, then the medians
# and the ratios.
#
#   scripts/bench-gateway.sh [SECONDS] [ROUNDS] [CONNECTIONS]     defaults 5, 3, 32
#
# Needs nginx and wrk (apt-get install nginx wrk), installed when missing and running as root. Builds cors and the
# relay in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${2:-3}"
connections="${3:-32}"
for tool in nginx wrk; do
    if ! command -v "$tool" > /dev/null && ! [[ -x /usr/sbin/$tool ]]; then
        if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk > /dev/null
        else
            echo "bench-gateway: needs nginx and wrk: apt-get install nginx wrk" >&2
            exit 2
        fi
    fi
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
source scripts/lib-processes.sh
swift build -c release --build-path .build-release --product cors > /dev/null
cors=.build-release/release/cors
swift build --package-path Benchmarks -c release --build-path .build-bench --product cors-relay-ceiling > /dev/null
relay=.build-bench/release/cors-relay-ceiling

upstream=18180
nginxProxy=18181
corsProxy=18182
relayProxy=18183
origin=https://app.example.com
cat > "$work/policy.json" <<JSON
{ "allowOrigins": ["$origin"], "allowMethods": ["PUT"], "allowHeaders": ["content-type"], "maxAge": 600 }
JSON
# The same answer to an allowed actual request from nginx: the origin checked against an exact map (never reflected
# unchecked), the field sent `always` (error responses too), Vary: Origin on every response, the upstream's own
# Access-Control-* fields hidden, keep-alive connections to the upstream. Only actual requests are measured.
common="pid PIDFILE; error_log $work/error.log error; events { worker_connections 4096; }"
cat > "$work/upstream.conf" <<CONF
worker_processes 1; ${common//PIDFILE/$work/upstream.pid}
http {
    access_log off;
    server { listen 127.0.0.1:$upstream; location / { return 200 "hello"; } }
}
CONF
cat > "$work/proxy.conf" <<CONF
worker_processes 1; ${common//PIDFILE/$work/proxy.pid}
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    map \$http_origin \$cors_origin { "$origin" \$http_origin; default ""; }
    upstream backend { server 127.0.0.1:$upstream; keepalive 64; }
    server {
        listen 127.0.0.1:$nginxProxy;
        proxy_hide_header Access-Control-Allow-Origin;
        proxy_hide_header Access-Control-Allow-Credentials;
        proxy_hide_header Access-Control-Expose-Headers;
        location / {
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Vary Origin always;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://backend;
        }
    }
}
CONF
mkdir -p "$work/body" "$work/proxy"

# The proxies under test on CPU 0, each with one worker or event loop for it (cors serve sizes its loops by the
# CPUs it may run on; nginx is told); the upstream and wrk on CPU 1.
taskset -c 1 "$nginx" -c "$work/upstream.conf" -g 'daemon off;' > "$work/upstream.out" 2>&1 &
pids+=($!)
taskset -c 0 "$nginx" -c "$work/proxy.conf" -g 'daemon off;' > "$work/proxy.out" 2>&1 &
nginxPid=$!
taskset -c 0 "$cors" serve --policy "$work/policy.json" --listen "127.0.0.1:$corsProxy" \
    --upstream "http://127.0.0.1:$upstream" --no-access-log > "$work/cors.log" 2>&1 &
corsPid=$!
taskset -c 0 "$relay" "$relayProxy" "$upstream" > "$work/relay.log" 2>&1 &
relayPid=$!
pids+=("$nginxPid" "$corsPid" "$relayPid")
for port in $upstream $nginxProxy $corsProxy $relayProxy; do
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
# Both proxies must answer alike before they are compared.
for port in $nginxProxy $corsProxy; do
    answer=$(curl -s -D - -o /dev/null -H "Origin: $origin" "http://127.0.0.1:$port/items" | tr -d '\r' \
        | grep -i '^access-control-allow-origin\|^vary' | tr 'A-Z' 'a-z' | sort | tr '\n' ' ')
    echo "port $port answers: $answer"
    if [[ "$answer" != "access-control-allow-origin: $origin vary: origin " ]]; then
        echo "bench-gateway: unexpected answer" >&2
        exit 1
    fi
done

# The CPU time a proxy spent (for nginx, its worker too), divided by the requests served: its cost per request.
source scripts/lib-cputime.sh

echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); $($nginx -v 2>&1 | cut -d' ' -f3)"
echo "wrk -t1 -c$connections -d${seconds}s, GET /items with an allowed Origin; $rounds rounds"
results="$work/results"
for round in $(seq 1 "$rounds"); do
    for proxy in nginx cors relay; do
        case $proxy in
            nginx) port=$nginxProxy processes=("$nginxPid" $(pgrep -P "$nginxPid")) ;;
            cors) port=$corsProxy processes=("$corsPid") ;;
            relay) port=$relayProxy processes=("$relayPid") ;;
        esac
        run() { taskset -c 1 wrk -t1 -c"$connections" -d"$1" --latency -H "Origin: $origin" "http://127.0.0.1:$port/items"; }
        run 1s > /dev/null
        before=$(cpuTicks "${processes[@]}")
        out=$(run "${seconds}s")
        after=$(cpuTicks "${processes[@]}")
        rps=$(sed -n 's/^Requests\/sec: *//p' <<< "$out")
        requests=$(awk '/requests in/ { print $1 }' <<< "$out")
        cpu=$(awk -v t=$((after - before)) -v hz="$ticksPerSecond" -v n="$requests" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
        p50=$(awk '$1 == "50%" { print $2 }' <<< "$out")
        p99=$(awk '$1 == "99%" { print $2 }' <<< "$out")
        errors=$(grep -c "Socket errors\|Non-2xx" <<< "$out" || true)
        echo "$round $proxy $rps $p50 $p99 $errors $cpu" >> "$results"
        echo "round $round $proxy: $rps req/s, p50 $p50, p99 $p99, CPU $cpu us/request, error lines $errors"
    done
done
python3 - "$results" <<'PY'
import statistics, sys
def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
rows = [line.split() for line in open(sys.argv[1])]
median = {}
for proxy in ("nginx", "cors", "relay"):
    mine = [row for row in rows if row[1] == proxy]
    median[proxy] = (
        statistics.median(float(r[2]) for r in mine),
        statistics.median(ms(r[4]) for r in mine),
        statistics.median(float(r[6]) for r in mine),
    )
    print(f"{proxy:6} median {median[proxy][0]:9.0f} req/s, p99 {median[proxy][1]:.2f} ms, CPU {median[proxy][2]:.1f} us/request")
print(f"cors serve / nginx: throughput {median['cors'][0] / median['nginx'][0]:.2f}x, p99 {median['cors'][1] / median['nginx'][1]:.2f}x")
print(f"SwiftNIO relay (no HTTP) / nginx: throughput {median['relay'][0] / median['nginx'][0]:.2f}x")
print(f"cors serve / SwiftNIO relay: throughput {median['cors'][0] / median['relay'][0]:.2f}x")
print(f"CPU per request above the relay's (the HTTP and CORS work): nginx {median['nginx'][2] - median['relay'][2]:+.1f} us, "
      f"cors serve {median['cors'][2] - median['relay'][2]:+.1f} us")
PY
