#!/usr/bin/env bash
# swift-cors beside rs/cors on the same policies and requests, in one run: each case decides a request and writes
# the answer into a fresh response (evaluate + apply, or the preflight's immediate response; rs/cors's ServeHTTP).
# The two sides alternate for ROUNDS rounds of ITERATIONS calls per case; the minimum per case is kept.
#
#   scripts/bench-peers.sh [ROUNDS] [ITERATIONS]     defaults 7 and 300000
#
# Needs Go and rs/cors (Debian: golang-go golang-github-rs-cors-dev), installed when missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-7}"
iterations="${2:-300000}"
gopath=/usr/share/gocode
if ! command -v go > /dev/null || [[ ! -d "$gopath/src/github.com/rs/cors" ]]; then
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-github-rs-cors-dev
    else
        echo "bench-peers: needs Go and rs/cors: apt-get install golang-go golang-github-rs-cors-dev" >&2
        exit 2
    fi
fi
swift build --package-path Benchmarks -c release --build-path .build-bench --product cors-peer-bench > /dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GO111MODULE=off GOPATH="$gopath" GOCACHE="$work/gocache" GOFLAGS=-mod=mod
(cd Benchmarks/Peers && go test -c -o "$work/rscors.test" rscors_test.go > /dev/null)
rsVersion=$(dpkg-query -W -f '${Version}' golang-github-rs-cors-dev 2> /dev/null || echo unknown)
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
echo "swift-cors (release, $(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -n 1)) vs rs/cors $rsVersion ($(go version | cut -d' ' -f3)); min of $rounds rounds x $iterations iterations"
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds" >&2
    .build-bench/release/cors-peer-bench "$iterations" | sed 's/^/swift /' >> "$work/results"
    "$work/rscors.test" -test.run '^$' -test.bench . -test.benchtime "${iterations}x" -test.benchmem \
        | sed -n 's/^BenchmarkPeers\/\([^ \t]*\)-[0-9]*[ \t]*[0-9]*[ \t]*\([0-9.]*\) ns\/op.* \([0-9]*\) allocs\/op/go \1 \2 \3/p' \
        >> "$work/results"
done
awk '
    { key = $2; if (!(key in order)) { order[key] = ++n; names[n] = key }
      if (!((($1) SUBSEP key) in best) || $3 < best[$1, key]) best[$1, key] = $3; allocs[$1, key] = $4 }
    END {
        printf "%-32s %14s %8s %14s %8s %8s\n", "case", "swift-cors ns", "allocs", "rs/cors ns", "allocs", "speedup"
        for (i = 1; i <= n; i++) { k = names[i]
            printf "%-32s %14.1f %8s %14.1f %8s %7.2fx\n", k, best["swift", k], allocs["swift", k], best["go", k], \
                allocs["go", k], best["go", k] / best["swift", k] }
    }' "$work/results"
