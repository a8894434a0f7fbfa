#!/usr/bin/env bash
# Builds the documentation of every library product with DocC, warnings as errors (what CI and the Swift Package
# Index build). Archives land in .build/plugins/Swift-DocC/outputs/.
#
#   scripts/docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for target in CORSCore CORSHummingbird CORSVapor CORSClient; do
    output=$(swift package generate-documentation --target "$target" --warnings-as-errors 2>&1) || {
        echo "$output" | grep -E "warning|error" >&2
        echo "docs: $target FAILED" >&2
        exit 1
    }
    echo "docs: $target: built with no warning (.build/plugins/Swift-DocC/outputs/$target.doccarchive)"
done
