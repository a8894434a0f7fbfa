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

# What the suites run for real, from Debian: the three browser engines (headless Chromium, Firefox ESR, WebKitGTK's
# MiniBrowser on an Xvfb display), libfaketime (which moves their clocks for the preflight-cache probes) and the two
# edge servers `cors export` writes for (nginx, Caddy). Missing ones are installed; with CI=true one that is still missing fails the run, elsewhere its suite is skipped.
have() {
    case "$1" in
        webkit2gtk-driver) compgen -G '/usr/lib/*-linux-gnu/webkit2gtk-4.1/MiniBrowser' > /dev/null ;;
        xvfb) command -v Xvfb > /dev/null 2>&1 ;;
        faketime) compgen -G '/usr/lib/*-linux-gnu/faketime/libfaketime.so.1' > /dev/null ;;
        nginx) command -v nginx > /dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] ;;
        *) command -v "$1" > /dev/null 2>&1 ;;
    esac
}
packages=(chromium-headless-shell firefox-esr webkit2gtk-driver xvfb faketime nginx caddy)
missing=()
for package in "${packages[@]}"; do have "$package" || missing+=("$package"); done
if [[ ${#missing[@]} -gt 0 ]] && [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null 2>&1; then
    echo "== installing ${missing[*]} =="
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") || true
    # Debian starts the servers' own services; the tests run their own on free ports.
    (systemctl disable --now nginx caddy || service nginx stop || true) > /dev/null 2>&1
fi
still_missing=()
for package in "${packages[@]}"; do have "$package" || still_missing+=("$package"); done
if [[ ${#still_missing[@]} -gt 0 ]]; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "error: ${still_missing[*]} missing and could not be installed; their suites cannot run" >&2
        exit 1
    fi
    echo "warning: ${still_missing[*]} missing: their suites are skipped" >&2
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
