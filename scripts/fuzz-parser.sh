#!/usr/bin/env bash
# A long on-demand fuzz run of the Cedar parser and formatter: the same tests `swift test` runs briefly
# (Tests/VigilPolicyTests/ParserFuzzTests.swift and FormatRoundTripTests.swift), with many more iterations and
# the 7,809 policy files of Cedar's conformance corpus added to the inputs that get mutated.
#
#   scripts/fuzz-parser.sh [ITERATIONS] [SEED]
#
# ITERATIONS: inputs per fuzz test (default 1000000: about 10 minutes for the five tests on two cores).
# SEED: base seed (default: the time). A failure prints the seed of the exact input that failed; rerun that one with
# VIGIL_FUZZ_SEED=<seed> VIGIL_FUZZ_ITERATIONS=1 swift test --filter <test>.
# Uses the release configuration for speed; the conformance folder is $VIGIL_CONFORMANCE, else
# ../shared/cedar-conformance beside the checkout. Exits non-zero when any test fails or the process crashes.
set -euo pipefail
cd "$(dirname "$0")/.."

iterations=${1:-1000000}
seed=${2:-$(date +%s)}
conformance=${VIGIL_CONFORMANCE:-../shared/cedar-conformance}

seed_dir=$(mktemp -d)
trap 'rm -rf "$seed_dir"' EXIT
if [ -f "$conformance/corpus-tests.tar.gz" ]; then
    tar xzf "$conformance/corpus-tests.tar.gz" -C "$seed_dir"
else
    echo "fuzz-parser.sh: no corpus at $conformance; mutating the built-in seeds only" >&2
fi

echo "fuzz-parser.sh: $iterations iterations per test, base seed $seed"
start=$SECONDS
VIGIL_FUZZ_ITERATIONS=$iterations VIGIL_FUZZ_SEED=$seed VIGIL_FUZZ_SEED_DIR=$seed_dir \
    swift test -c release --scratch-path .build-fuzz --filter 'ParserFuzzTests|FormatRoundTripTests'
echo "fuzz-parser.sh: passed in $((SECONDS - start)) s"
