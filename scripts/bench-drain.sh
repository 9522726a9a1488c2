#!/usr/bin/env bash
# How fast vigild drains decision records into the audit trail, as configured (fsync per pass, metrics fed):
# HOSTS host processes (scripts/soak-host.c) fill rings of SLOTS records each in a staging directory, then the
# ring files are moved into the running vigild's ring directory at once, and vigild drains the backlog. Reported:
# records over the time vigild spent in drain passes (`vigil_drain_seconds_total`), over the wall time from the
# move to the last record drained (polled every 200 ms, since each poll costs vigild and the machine CPU; it
# includes up to one drain interval before vigild looks), and
# vigild's CPU time per record (all its threads, from /proc: the figure that load on the machine moves least).
# The trail's chain is verified and its lines counted, and the file system it was on is timed with `dd`: the
# trail goes where mktemp puts the work directory, so `TMPDIR=/dev/shm` measures the drain without the disk.
# The rings live in /dev/shm, as docs/deployment.md recommends (a memory-backed volume): on a disk they would be
# written back while the drain writes the trail.
# For an A/B comparison, `VIGILD=path/to/vigild` runs that binary (built from another commit) instead of this
# tree's, and `BENCH_BIN=DIR` takes vigil and libVigilC.so (and vigild, without VIGILD) from DIR, built already,
# instead of building them in .build-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-4}
slots=${2:-262144}
out=${3:-}
config=(-c release --scratch-path .build-bench)

if [ -n "${BENCH_BIN:-}" ]; then
    bin=$BENCH_BIN
else
    for product in vigild vigil VigilC; do swift build "${config[@]}" --product "$product" 2>&1 | tail -n 1; done
    bin=$(swift build "${config[@]}" --show-bin-path)
fi
vigild=${VIGILD:-$bin/vigild}

work=$(mktemp -d)
shm=$(mktemp -d /dev/shm/vigil-bench-drain.XXXXXX)
vigild_pid=
trap '[ -n "$vigild_pid" ] && kill "$vigild_pid" 2>/dev/null; rm -rf "$work" "$shm"' EXIT
source scripts/soak-host-setup.sh
soak_host_setup "$work" "$bin"

ex=examples/saas
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$shm/rings" "$shm/staging"
echo "{\"data\": \"$work/data\", \"policies\": \"$ex/policies\", \"rings\": \"$shm/rings\"}" > "$work/vigild.json"
start_vigild() {
    "$vigild" --config "$work/vigild.json" --data "$work/data" --policies "$ex/policies" --schema "$ex/schema.cedarschema" \
        --entities "$ex/entities.json" --links "$ex/links.json" --listen "127.0.0.1:$port" >> "$work/vigild.log" 2>&1 &
    vigild_pid=$!
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return; sleep 0.05; done
    echo "vigild did not start:"; cat "$work/vigild.log"; exit 1
}
metric() { curl -sf "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

start_vigild
echo "bench-drain: $hosts hosts fill rings of $slots records"
for i in $(seq 1 "$hosts"); do
    VIGIL_RING_DIR="$shm/staging" VIGIL_RING_SLOTS=$slots \
        "$work/soak-host" "$work/data" "$work/requests.tsv" 3 > "$work/host$i.json" &
done
wait $(jobs -p | grep -v "^$vigild_pid$")
backlog=$(python3 -c "import json,sys; print(sum(json.load(open(f))['appended'] for f in sys.argv[1:]))" "$work"/host*.json)
cpu() { awk '{ print $14 + $15 }' "/proc/$vigild_pid/stat"; }   # utime + stime, clock ticks
before_seconds=$(metric vigil_drain_seconds_total)
before_drained=$(metric vigil_ring_records_total)
before_cpu=$(cpu)
start=$(date +%s.%N)
mv "$shm"/staging/*.ring "$shm/rings/"
echo "bench-drain: $backlog records moved into vigild's ring directory"
while :; do
    drained=$(( $(metric vigil_ring_records_total) - before_drained ))
    [ "$drained" -ge "$backlog" ] && break
    sleep 0.2
done
end=$(date +%s.%N)
after_cpu=$(cpu)
seconds=$(python3 -c "print($(metric vigil_drain_seconds_total) - $before_seconds)")
kill -TERM "$vigild_pid"; wait "$vigild_pid" || true; vigild_pid=
"$bin/vigil" audit verify --dir "$work/data/audit"
lines=$(cat "$work"/data/audit/audit-*.jsonl | wc -l)
bytes=$(cat "$work"/data/audit/audit-*.jsonl | wc -c)
example=$(grep -m1 '"principal"' "$work/data/audit/audit-000001.jsonl")
rm -rf "$work/data/audit"
# What the trail's file system takes, written and synced the way the trail is (512 MiB, then fsync): at a
# million records a second the trail needs a million lines' bytes a second.
disk=$(dd if=/dev/zero of="$work/data/dd" bs=1M count=512 conv=fdatasync 2>&1 | awk '/copied/ { print $(NF-1), $NF }')
rm -f "$work/data/dd"
summary=$(python3 - "$backlog" "$drained" "$seconds" "$lines" "$bytes" "$start" "$end" "$before_cpu" "$after_cpu" \
    "$(getconf CLK_TCK)" "$disk" <<'EOF'
import sys
backlog, drained, seconds, lines, size, start, end, cpu0, cpu1, tick, disk = sys.argv[1:]
backlog, drained, lines, size, seconds = int(backlog), int(drained), int(lines), int(size), float(seconds)
wall, cpu = float(end) - float(start), (int(cpu1) - int(cpu0)) / int(tick)
print(f"- backlog {backlog:,} records; drained {drained:,}; trail lines {lines:,} ({size / max(lines, 1):.0f} bytes a line)")
print(f"- time in drain passes {seconds:.3f} s: **{drained / seconds:,.0f} records/s**")
print(f"- wall time from the move to the last record drained {wall:.3f} s: {drained / wall:,.0f} records/s")
print(f"- vigild CPU time {cpu:.2f} s: {cpu / drained * 1e6:.2f} µs per record")
rate, unit = disk.split()
scale = {"kB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9}.get(unit)
if scale:
    per_line = size / max(lines, 1)
    print(f"- the trail's file system right after, `dd` of 512 MiB + fdatasync: {rate} {unit}, which carries "
          f"{float(rate) * scale / per_line:,.0f} lines/s of this size")
EOF
)
echo "$summary"
echo "a line: $example"
if [ -n "$out" ]; then
    { echo "# vigild drain ($(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg))"
      echo
      echo "\`bash scripts/bench-drain.sh $hosts $slots\`${VIGILD:+ with VIGILD=$VIGILD}: $hosts hosts, rings of $slots records, vigild release, fsync per drain pass;"
      echo "the trail on $(df -T "$work" | awk 'NR == 2 { print $2 " (" $7 ")" }')."
      echo
      echo "$summary"
      echo
      echo "A line of the trail:"
      echo
      echo '```'
      echo "$example"
      echo '```'; } > "$out"
fi
[ "$lines" -ge "$backlog" ] || { echo "bench-drain: the trail has fewer lines than records drained"; exit 1; }
