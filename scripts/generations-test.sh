#!/usr/bin/env bash
# Issue 3's "No mixed generations" check on its own, with its figures: three C reader processes (libvigil) decide
# batches while 1,000 alternating policy sets are published, then while 100 `vigil compile` writers are SIGKILLed
# mid-publish (Tests/IntegrationTests). `swift test` runs the same tests with the same numbers; this script scales
# them and prints only the figures.
#   usage: scripts/generations-test.sh [PUBLISHES [KILLS [READERS]]]   (defaults 1000 100 3)
set -euo pipefail
cd "$(dirname "$0")/.."

export VIGIL_GEN_PUBLISHES=${1:-1000} VIGIL_GEN_KILLS=${2:-100} VIGIL_GEN_READERS=${3:-3}
swift build --build-tests >/dev/null
swift test --skip-build --filter IntegrationTests.GenerationTests 2>&1 \
    | grep -E '^(mixed-generations|writer-crash)|recorded an issue|^✔ Suite GenerationTests|^✘ Suite GenerationTests|^  impossible'
