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

if [[ $coverage == 1 ]]; then
    swift test -Xswiftc -warnings-as-errors --enable-code-coverage "$@"
    profile="$(dirname "$(swift test --show-codecov-path)")/default.profdata"
    binary=.build/debug/swift-corsPackageTests.xctest
    llvm_cov="$(dirname "$(readlink -f "$(command -v swift)")")/llvm-cov"
    echo "== CORSCore line coverage =="
    "$llvm_cov" report "$binary" -instr-profile="$profile" -ignore-filename-regex='(\.build|Tests)/' \
        Sources/CORSCore | tail -n 1
else
    swift test -Xswiftc -warnings-as-errors "$@"
fi
