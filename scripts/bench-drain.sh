#!/usr/bin/env bash
# How fast vigild drains decision records into the audit trail, as configured (fsync per pass, metrics fed):
# HOSTS host processes (scripts/soak-host.c) fill rings of SLOTS records each while vigild is down, then vigild
# starts and drains the backlog. The rate is records over `vigil_drain_seconds_total` (the time vigild spent in
# drain passes, so its start-up is not counted). The trail's chain is verified and its lines counted.
#   bash scripts/bench-drain.sh [HOSTS=4] [SLOTS=262144] [OUT_FILE]
# Release build (scratch .build-bench). OUT_FILE gets a markdown summary.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-4}
slots=${2:-262144}
out=${3:-}
config=(-c release --scratch-path .build-bench)

for product in vigild vigil VigilC; do swift build "${config[@]}" --product "$product" 2>&1 | tail -n 1; done
bin=$(swift build "${config[@]}" --show-bin-path)

work=$(mktemp -d)
vigild_pid=
trap '[ -n "$vigild_pid" ] && kill "$vigild_pid" 2>/dev/null; rm -rf "$work"' EXIT
bash scripts/install-libvigil.sh "$work/prefix" "$bin" >/dev/null
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
gcc -std=c11 -O2 -Iscripts scripts/soak-host.c $(pkg-config --cflags --libs vigil) \
    -Wl,-rpath,"$work/prefix/lib" -o "$work/soak-host"
python3 - "$work/requests.tsv" <<'EOF'
import json, sys
with open("examples/saas/requests.jsonl") as f, open(sys.argv[1], "w") as out:
    for line in f:
        r = json.loads(line)
        out.write("\t".join([r["principal"]["type"], r["principal"]["id"], r["action"]["type"], r["action"]["id"],
                             r["resource"]["type"], r["resource"]["id"], json.dumps(r["context"])]) + "\n")
EOF

ex=examples/saas
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_vigild() {
    "$bin/vigild" --data "$work/data" --policies "$ex/policies" --schema "$ex/schema.cedarschema" \
        --entities "$ex/entities.json" --links "$ex/links.json" --listen "127.0.0.1:$port" >> "$work/vigild.log" 2>&1 &
    vigild_pid=$!
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return; sleep 0.05; done
    echo "vigild did not start:"; cat "$work/vigild.log"; exit 1
}
metric() { curl -sf "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

# The first start creates the index and the ring directory; then vigild is stopped and the hosts fill rings.
start_vigild
kill -TERM "$vigild_pid"; wait "$vigild_pid" || true; vigild_pid=
echo "bench-drain: $hosts hosts fill rings of $slots records while vigild is down"
for i in $(seq 1 "$hosts"); do
    VIGIL_RING_SLOTS=$slots "$work/soak-host" "$work/data" "$work/requests.tsv" 3 > "$work/host$i.json" &
done
wait
backlog=$(python3 -c "import json,sys; print(sum(json.load(open(f))['appended'] for f in sys.argv[1:]))" "$work"/host*.json)
echo "bench-drain: $backlog records waiting; starting vigild"

start_vigild
while :; do
    drained=$(metric vigil_ring_records_total)
    [ "${drained:-0}" -ge "$backlog" ] && break
    sleep 0.01
done
seconds=$(metric vigil_drain_seconds_total)
kill -TERM "$vigild_pid"; wait "$vigild_pid" || true; vigild_pid=
"$bin/vigil" audit verify --dir "$work/data/audit"
lines=$(cat "$work"/data/audit/audit-*.jsonl | wc -l)
bytes=$(cat "$work"/data/audit/audit-*.jsonl | wc -c)
example=$(grep -m1 '"kind"' "$work/data/audit/audit-000001.jsonl")
summary=$(python3 - "$backlog" "$drained" "$seconds" "$lines" "$bytes" <<'EOF'
import sys
backlog, drained, seconds, lines, size = sys.argv[1:]
backlog, drained, lines, size, seconds = int(backlog), int(drained), int(lines), int(size), float(seconds)
print(f"- backlog {backlog:,} records; drained {drained:,}; trail lines {lines:,} ({size / max(lines, 1):.0f} bytes a line)")
print(f"- time in drain passes {seconds:.3f} s: **{drained / seconds:,.0f} records/s**")
EOF
)
echo "$summary"
echo "a line: $example"
if [ -n "$out" ]; then
    { echo "# vigild drain ($(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg))"
      echo
      echo "\`bash scripts/bench-drain.sh $hosts $slots\`: $hosts hosts, rings of $slots records, vigild release, fsync per drain pass."
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
