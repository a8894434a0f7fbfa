#!/usr/bin/env bash
# Reference counting per call of the peer benchmark's cases (Benchmarks/PeerBench), counted exactly: uprobes on the
# Swift runtime's retain and release entry points, each case run for N and 2N iterations, the difference divided by
# N. On a shared machine where timings move by ±20 % from run to run, this count does not move at all, and on the
# engine's hot path it is most of the time (see the README's performance section).
#
#   scripts/bench-refcounts.sh [CASE_PREFIX ...]     default: every case; e.g. actual/ preflight/one
#
# Prints calls of swift_retain(_n) and swift_release(_n) per call of the case (a String's retain counts once).
#
# Needs perf (Debian: linux-perf) and root, for `perf probe`; the probes are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) != 0 ]] || ! command -v perf > /dev/null; then
    echo "bench-refcounts: needs root and perf (apt-get install linux-perf)" >&2
    exit 2
fi
swift build --package-path Benchmarks -c release --build-path .build-bench --product cors-peer-bench > /dev/null
bench=.build-bench/release/cors-peer-bench
source scripts/lib-uprobes.sh
trap removeUprobes EXIT
uprobes "$bench" libswiftCore.so swift_retain swift_release swift_retain_n swift_release_n

# The counts of a run: one line per event, in the order of the events.
counts() { perf stat -x, -e "$uprobeEvents" "$bench" "$1" "$2" 2>&1 > /dev/null | cut -d, -f1; }
cases=$("$bench" 1 | awk '{ print $1 }')
prefixes=("${@:-}")
n=20000
printf '%-44s %8s %8s %8s\n' case retains releases total
for name in $cases; do
    chosen=false
    for prefix in "${prefixes[@]}"; do [[ $name == "$prefix"* ]] && chosen=true; done
    $chosen || continue
    paste <(counts "$n" "$name") <(counts $((2 * n)) "$name") | awk -v n="$n" -v name="$name" '
        { delta[NR] = ($2 - $1) / n }
        END {
            retains = delta[1] + delta[3]; releases = delta[2] + delta[4]
            printf "%-44s %8.1f %8.1f %8.1f\n", name, retains, releases, retains + releases
        }'
done
