#!/usr/bin/env bash
# Builds the release `cors` binary with the Swift runtime linked in (it then needs only the system's libc, libstdc++,
# libm, libz and libgcc_s), strips it, and checks that it starts and serves. Prints where it is.
#
#   scripts/build-release.sh [OUTPUT]     default .build/release/cors-static
set -euo pipefail
cd "$(dirname "$0")/.."
output="${1:-.build/release/cors-static}"
swift build -c release --static-swift-stdlib --product cors > /dev/null
strip -o "$output" .build/release/cors
echo "built $output ($(du -h "$output" | cut -f1)); linked against: $(ldd "$output" | awk '{print $1}' | grep -v vdso | tr '\n' ' ')"
"$output" --version > /dev/null
policy=$(mktemp)
trap 'rm -f "$policy"; kill "${pid:-0}" 2> /dev/null || true' EXIT
echo '{"allowOrigins": ["https://app.example.com"]}' > "$policy"
"$output" serve --policy "$policy" --listen 127.0.0.1:18190 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:18190/ && break; sleep 0.1; done
answer=$(curl -s -D - -o /dev/null -H 'Origin: https://app.example.com' http://127.0.0.1:18190/smoke)
echo "$answer" | grep -qi '^access-control-allow-origin: https://app.example.com' || {
    echo "build-release: the binary did not serve the policy" >&2
    exit 1
}
echo "smoke test: cors serve answered with the policy's CORS fields"
