#!/usr/bin/env bash
# Fuzzes with libFuzzer (address sanitizer on): origin parsing, header lists, policy decoding and
# evaluation, the engine against a straightforward reference evaluation, the browser model's response
# handling, and the gateway's HTTP/1.1 parser.
#
#   scripts/fuzz.sh [SECONDS]    each target for SECONDS (default 60); prints executions per target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
targets=(FuzzOrigin FuzzHeaderList FuzzPolicy FuzzEvaluation FuzzBrowser FuzzHTTP1)
for target in "${targets[@]}"; do
    swift build --package-path Fuzz -c release --build-path .build-fuzz --product "$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library > /dev/null
done
mkdir -p .build-fuzz/corpus
for target in "${targets[@]}"; do
    corpus=".build-fuzz/corpus/$target"
    mkdir -p "$corpus"
    log=$(mktemp)
    if ! ".build-fuzz/release/$target" "$corpus" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 > "$log" 2>&1; then
        tail -n 40 "$log"
        echo "fuzz: $target FAILED" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
    echo "fuzz: $target: ${runs:-?} executions in ${seconds}s, peak RSS ${peak:-?} MB, no crash, no hang"
    rm -f "$log"
done
