#!/usr/bin/env bash
# Runs the decision benchmarks (Benchmarks/Benchmarks/Decisions: decisions through libvigil's C ABI on the SaaS
# workload, batch of 32, compile+publish, durable single-entity update) once and records the run in
# bench-results/<UTC date>/: decisions.md (the tables), vigil-decisions.*.jmh.json (every sample) and
# decisions-machine.txt. Run from anywhere: `nice -n -10 bash scripts/bench-decisions.sh [OUT_DIR]` (OUT_DIR, relative
# to the repository root, for a second run on the same day).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-bench-results/$(date -u +%Y-%m-%d)}
mkdir -p "$out"
baseline=vigil-decisions
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

(
    cd Benchmarks
    swift package --allow-writing-to-package-directory benchmark baseline update "$baseline" --target Decisions \
        --no-progress
    swift package benchmark baseline read "$baseline" --target Decisions --format markdown --path stdout \
        | sed -n '/^## /,$p' > "../$out/decisions.md"
    swift package --allow-writing-to-package-directory benchmark baseline read "$baseline" --target Decisions \
        --format jmh --path "../$out"
)

{
    echo "date (UTC): $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    dirty=$([ -z "$(git status --porcelain -- Sources Benchmarks)" ] || echo ' (plus uncommitted changes in the working tree)')
    echo "commit: $(git rev-parse HEAD)$dirty"
    echo "command: nice -n -10 bash scripts/bench-decisions.sh${1:+ $1}"
    echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p')"
    echo "cores: $(nproc)"
    echo "memory: $(free -h | awk '/^Mem:/ { print $2 }')"
    echo "load average before the run: $load_before"
    echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "kernel: $(uname -sr)"
    echo "toolchain: $(swift --version 2>&1 | head -n 1)"
} > "$out/decisions-machine.txt"
echo "bench-decisions: results in $out"
cat "$out/decisions-machine.txt"
