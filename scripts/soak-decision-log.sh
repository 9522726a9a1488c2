#!/usr/bin/env bash
# The decision log under load: HOSTS host processes (scripts/soak-host.c, gcc against the installed libvigil)
# decide at full speed for SECONDS while vigild drains their rings into the audit trail. Then checks, per host,
# that every decision is either in the trail or counted as dropped by its ring (decisions = appended + dropped,
# trail records from that ring = appended), and that the trail's chain verifies.
#   bash scripts/soak-decision-log.sh [SECONDS=600] [HOSTS=4] [--debug]
# Release build unless --debug (the test suite runs a short debug soak). Prints a summary; exit 1 on a loss.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
hosts=${2:-4}
if [ "${3:-}" = "--debug" ]; then config=(); scratch=(); else config=(-c release); scratch=(--scratch-path .build-bench); fi

swift build "${config[@]}" "${scratch[@]}" --product vigild 2>&1 | tail -n 1
swift build "${config[@]}" "${scratch[@]}" --product vigil 2>&1 | tail -n 1
swift build "${config[@]}" "${scratch[@]}" --product VigilC 2>&1 | tail -n 1
bin=$(swift build "${config[@]}" "${scratch[@]}" --show-bin-path)

work=$(mktemp -d)
vigild_pid=
trap '[ -n "$vigild_pid" ] && kill "$vigild_pid" 2>/dev/null; rm -rf "$work"' EXIT
source scripts/soak-host-setup.sh
soak_host_setup "$work" "$bin"

ex=examples/saas
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/vigild" --data "$work/data" --policies "$ex/policies" --schema "$ex/schema.cedarschema" \
    --entities "$ex/entities.json" --links "$ex/links.json" --listen "127.0.0.1:$port" > "$work/vigild.log" 2>&1 &
vigild_pid=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

echo "soak: $hosts hosts deciding for $seconds s while vigild drains"
for i in $(seq 1 "$hosts"); do
    "$work/soak-host" "$work/data" "$work/requests.tsv" "$seconds" > "$work/host$i.json" &
done
wait $(jobs -p | grep -v "^$vigild_pid$") 2>/dev/null || true
# Drained when every host's ring is gone (vigild removes a ring once its writer exited and it is empty).
for _ in $(seq 1 600); do
    left=$(python3 -c "import json,sys; names={json.load(open(f))['ring'] for f in sys.argv[1:]}; import os; print(len(names & set(os.listdir('$work/data/rings'))))" "$work"/host*.json)
    [ "$left" = "0" ] && break
    sleep 0.1
done
kill -TERM "$vigild_pid"; wait "$vigild_pid" || true; vigild_pid=

"$bin/vigil" audit verify --dir "$work/data/audit"
python3 - "$work/data/audit" "$work"/host*.json <<'EOF'
import collections, glob, json, os, sys
audit, reports = sys.argv[1], sys.argv[2:]
per_ring = collections.Counter()
# Tens of millions of lines: take the ring's name from each line's bytes rather than parsing the whole JSON (the
# chain was verified above).
key = b'"ring":"'
for path in sorted(glob.glob(os.path.join(audit, "audit-*.jsonl"))):
    with open(path, "rb") as f:
        for line in f:
            i = line.find(key)
            if i >= 0:
                j = line.index(b'"', i + len(key))
                per_ring[line[i + len(key):j].decode()] += 1
lost = 0
total = dict(decisions=0, appended=0, dropped=0, trail=0)
for path in reports:
    h = json.load(open(path))
    in_trail = per_ring[h["ring"]]
    unaccounted = h["decisions"] - h["dropped"] - in_trail
    lost += abs(unaccounted) + abs(h["appended"] - in_trail)
    for k in ("decisions", "appended", "dropped"):
        total[k] += h[k]
    total["trail"] += in_trail
    print(f"host {h['pid']}: {h['decisions']:,} decisions, {h['appended']:,} appended, {h['dropped']:,} dropped, "
          f"{in_trail:,} in the trail, {unaccounted:,} unaccounted")
print(f"total: {total['decisions']:,} decisions = {total['trail']:,} in the trail + {total['dropped']:,} counted drops; "
      f"{'no record lost' if lost == 0 else f'{lost} records unaccounted'}")
sys.exit(1 if lost else 0)
EOF
