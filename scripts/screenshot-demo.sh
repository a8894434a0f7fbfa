#!/usr/bin/env bash
# Regenerates docs/demo-attacker.png, the README's picture: the attacker's page of `cors demo --serve`, rendered by
# headless Chromium (Debian's chromium-headless-shell). Loopback only; stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product cors > /dev/null 2>&1 || swift build --product cors
log=$(mktemp)
.build/debug/cors demo --serve > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
    url=$(sed -n 's/^ *the attacker *\(http:[^ ]*\).*/\1/p' "$log" | tail -n 1)
    [[ -n "$url" ]] && break
    sleep 0.1
done
[[ -n "$url" ]] || { echo "screenshot-demo: the demo did not start" >&2; exit 1; }
mkdir -p docs
chromium-headless-shell --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,300 \
    --virtual-time-budget=4000 --screenshot=docs/demo-attacker.png "$url/" 2> /dev/null
echo "docs/demo-attacker.png: the attacker's page at $url"
