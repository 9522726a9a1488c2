#!/usr/bin/env bash
# Runs Vigil's benchmarks (the separate package in Benchmarks/) once and records the run in
# bench-results/<UTC date>/: results.md (the tables), <name>.jmh.json (JMH format, every sample) and machine.txt
# (CPU, cores, memory, toolchain, commit). One measured run, exported twice, so the files always agree.
# The first run builds package-benchmark in release mode (a few minutes); later runs take about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

out="bench-results/$(date -u +%Y-%m-%d)"
mkdir -p "$out"
baseline=vigil-frontend
# Other work on the machine skews timings; the load is recorded with the results.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

(
    cd Benchmarks
    swift package --allow-writing-to-package-directory benchmark baseline update "$baseline" --no-progress
    # The tool prints notes before the tables on standard output; keep the tables.
    swift package benchmark baseline read "$baseline" --format markdown --path stdout | sed -n '/^## /,$p' \
        > "../$out/results.md"
    swift package --allow-writing-to-package-directory benchmark baseline read "$baseline" --format jmh \
        --path "../$out"
)

{
    echo "date (UTC): $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse HEAD)$([ -z "$(git status --porcelain -- Sources Benchmarks)" ] || echo ' (plus uncommitted changes in the working tree)')"
    echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p')"
    echo "cores: $(nproc)"
    echo "memory: $(free -h | awk '/^Mem:/ { print $2 }')"
    echo "load average before the run: $load_before"
    echo "kernel: $(uname -sr)"
    echo "toolchain: $(swift --version 2>&1 | head -n 1)"
} > "$out/machine.txt"
echo "run-benchmarks: results in $out"
cat "$out/machine.txt"
