#!/usr/bin/env bash
# Vigil's full test run, the README's test command and what CI runs:
#   1. installs what is missing (scripts/install-prereqs.sh: liblmdb-dev, cedarpy);
#   2. builds the package and its tests;
#   3. runs every test suite (unit, conformance, fuzz; the conformance suites read Cedar's cases from
#      $VIGIL_CONFORMANCE, else ../shared/cedar-conformance beside the checkout);
#   4. checks the bundled example against cedarpy, the reference engine;
#   5. runs the differential test (random worlds, Vigil's C evaluator, singly and in batches, against cedarpy,
#      10,500 requests);
#   6. decides through the installed libvigil from a gcc-built C program and from Python ctypes.
# Runs every step even after a failure, ends with a summary, and exits 1 if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-prereqs.sh

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
summary=()
failed=0

# step NAME COMMAND…: runs the command with its output shown and kept, and records PASS or FAIL.
step() {
    local name=$1
    shift
    echo
    echo "==> $name: $*"
    if "$@" 2>&1 | tee "$log_dir/$name.log"; then
        summary+=("PASS  $name")
    else
        summary+=("FAIL  $name")
        failed=1
    fi
}

conformance=${VIGIL_CONFORMANCE:-../shared/cedar-conformance}
if [ ! -f "$conformance/corpus-tests.tar.gz" ]; then
    echo "test.sh: Cedar conformance data not found at $conformance (set VIGIL_CONFORMANCE)" >&2
    summary+=("FAIL  conformance data (missing: $conformance)")
    failed=1
fi

start=$SECONDS
step build swift build --build-tests
step tests swift test --skip-build
step example python3 scripts/check-example-with-cedarpy.py
# Random worlds decided by cedarpy and by Vigil's C evaluator, each request both singly and in batches:
# 140 worlds x 75 requests = 10,500 requests (fewer, larger worlds pay for the second `vigil authorize` a world).
step differential python3 scripts/differential.py --vigil "$(swift build --show-bin-path)/vigil" \
    --worlds 140 --requests 75 --seed 1
# A gcc-built C program and a Python ctypes script deciding through the installed libvigil, toolchain hidden.
step hosts bash scripts/test-hosts.sh

echo
echo "==> summary ($((SECONDS - start)) s)"
printf '  %s\n' "${summary[@]}"
# The test runners' own totals: XCTest's and Swift Testing's.
if [ -f "$log_dir/tests.log" ]; then
    { grep -E "^[[:space:]]*Executed [0-9]+ tests?|Test run with [0-9]+ tests?" "$log_dir/tests.log" || true; } \
        | tail -n 2 | sed 's/^[[:space:]]*/  /'
fi
for name in example differential hosts; do
    grep -E "^$name: " "$log_dir/$name.log" | sed 's/^/  /' || true
done
if [ "$failed" -ne 0 ]; then
    echo "FAILED"
    exit 1
fi
echo "ALL PASSED"
