#!/usr/bin/env bash
# Runs every test of swift-cors, with warnings as errors.
#
#   scripts/test.sh              build and run all tests
#   scripts/test.sh --coverage   the same, then print CORSCore's total line coverage
set -euo pipefail
cd "$(dirname "$0")/.."

coverage=0
if [[ "${1:-}" == "--coverage" ]]; then
    coverage=1
    shift
fi

# The real-browser suite needs headless Chromium (Debian's chromium-headless-shell): install it when missing.
if ! command -v chromium-headless-shell > /dev/null 2>&1; then
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null 2>&1; then
        echo "== installing chromium-headless-shell =="
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell) || true
    fi
fi
if ! command -v chromium-headless-shell > /dev/null 2>&1; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "error: chromium-headless-shell is missing and could not be installed; the browser suite cannot run" >&2
        exit 1
    fi
    echo "warning: chromium-headless-shell is missing: the real-browser suite is skipped" >&2
fi

# The export suites run the configurations `cors export` writes in real nginx and Caddy (Debian's packages).
missing_edges=()
command -v nginx > /dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing_edges+=(nginx)
command -v caddy > /dev/null 2>&1 || missing_edges+=(caddy)
if [[ ${#missing_edges[@]} -gt 0 ]] && [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null 2>&1; then
    echo "== installing ${missing_edges[*]} =="
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_edges[@]}") || true
    # Debian starts the packages' services; the tests run their own servers on free ports.
    (systemctl disable --now nginx caddy 2> /dev/null || service nginx stop 2> /dev/null || true) > /dev/null
fi
if ! { command -v nginx > /dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; } || ! command -v caddy > /dev/null 2>&1; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "error: nginx or caddy is missing and could not be installed; the export suites cannot run" >&2
        exit 1
    fi
    echo "warning: nginx or caddy is missing: its export suite is skipped" >&2
fi

# The deployment test checks deploy/cors-serve.service with `systemd-analyze verify` (Debian's systemd package); the
# TLS test makes its certificate with openssl.
if { ! command -v systemd-analyze > /dev/null 2>&1 || ! command -v openssl > /dev/null 2>&1; } \
    && [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null 2>&1; then
    echo "== installing systemd and openssl =="
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd openssl) || true
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summarize() {
    # One plain closing line for CI: the number of Swift Testing tests that ran.
    local count
    count=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} .* passed .*/\1/p' "$log" | tail -n 1)
    echo "${count:-0} passed, 0 failed"
}

if [[ $coverage == 1 ]]; then
    swift test -Xswiftc -warnings-as-errors --enable-code-coverage "$@" 2>&1 | tee "$log"
    profile="$(dirname "$(swift test --show-codecov-path)")/default.profdata"
    binary=.build/debug/swift-corsPackageTests.xctest
    llvm_cov="$(dirname "$(readlink -f "$(command -v swift)")")/llvm-cov"
    echo "== CORSCore line coverage =="
    "$llvm_cov" report "$binary" -instr-profile="$profile" -ignore-filename-regex='(\.build|Tests)/' \
        Sources/CORSCore | tail -n 1
else
    swift test -Xswiftc -warnings-as-errors "$@" 2>&1 | tee "$log"
fi
summarize
