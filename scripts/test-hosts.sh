#!/usr/bin/env bash
# Real hosts: a C program built with plain gcc against the installed header and library, and a Python ctypes
# script, decide the bundled example's requests against an index compiled by `vigil compile` — with the Swift
# toolchain hidden (a tmpfs mounted over it), which proves libvigil needs no Swift runtime.
# Prints `hosts: N passed, M failed`; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(swift build --show-bin-path)
swift build --product vigil >/dev/null
swift build --product VigilC >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash scripts/install-libvigil.sh "$work/prefix" "$bin" >/dev/null
ex=examples/saas
"$bin/vigil" compile --policies "$ex/policies" --entities "$ex/entities.json" --schema "$ex/schema.cedarschema" \
    --links "$ex/links.json" --out "$work/index" >/dev/null

# The C host, built the way a user would build it.
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
gcc -std=c11 -Wall -Werror examples/hosts/c/decide.c $(pkg-config --cflags --libs vigil) \
    -Wl,-rpath,"$work/prefix/lib" -o "$work/decide"
python3 - "$ex/requests.jsonl" "$work/requests.tsv" "$work/expected.txt" <<'PY'
import json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as tsv, open(sys.argv[3], "w") as exp:
    for line in f:
        r = json.loads(line)
        fields = [r["principal"]["type"], r["principal"]["id"], r["action"]["type"], r["action"]["id"],
                  r["resource"]["type"], r["resource"]["id"], json.dumps(r.get("context", {})), ""]
        tsv.write("\t".join(fields) + "\n")
        want = "step_up" if r.get("stepUp") else r["decision"].lower()
        exp.write(want + "\t" + ",".join(sorted(r.get("reasons", []))) + "\n")
PY

# Hide the toolchain: everything under its root disappears for the hosts.
tc=$(readlink -f "$(command -v swiftc)")
tc=${tc%/usr/bin/*}
hidden() { unshare -m sh -c "mount -t tmpfs none '$tc' && exec env -i PATH='$PATH' HOME='$HOME' \"\$@\"" sh "$@"; }

passed=0 failed=0
# The library must not depend on the Swift runtime, and must export only the functions of its public headers
# (vigil.h for hosts, vigil_ring.h for decision-ring consumers such as vigild).
if ldd "$work/prefix/lib/libvigil.so.0" | grep -qi swift; then
    failed=$((failed + 1)); echo "libvigil links the Swift runtime:"; ldd "$work/prefix/lib/libvigil.so.0"
fi
exported=$(nm -D --defined-only "$work/prefix/lib/libvigil.so.0" | awk '$2 == "T" { print $3 }' | sort)
declared=$(cat Sources/CVigil/include/vigil.h Sources/CVigil/include/vigil_ring.h | grep -o 'vigil_[a-z_]*(' |
    tr -d '(' | sort -u)
if [ "$exported" != "$declared" ]; then
    failed=$((failed + 1)); echo "libvigil exports differ from its headers:"; diff <(echo "$declared") <(echo "$exported") || true
fi
if hidden "$work/decide" "$work/index" < "$work/requests.tsv" > "$work/c.out"; then
    # Compare decisions and reasons (order-insensitive) line by line.
    while IFS= read -r got <&3 && IFS= read -r want <&4; do
        g_effect=${got%%$'\t'*}; g_reasons=$(tr ',' '\n' <<<"${got#*$'\t'}" | sort | paste -sd,)
        w_effect=${want%%$'\t'*}; w_reasons=${want#*$'\t'}
        if [ "$g_effect" = "$w_effect" ] && [ "$g_reasons" = "$w_reasons" ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1)); echo "C host mismatch: got '$got', want '$want'"
        fi
    done 3<"$work/c.out" 4<"$work/expected.txt"
else
    failed=$((failed + 1)); echo "C host failed to run"
fi

if hidden env VIGIL_LIB="$work/prefix/lib/libvigil.so.0" \
    python3 examples/hosts/python/vigil_ctypes.py "$work/index" "$ex/requests.jsonl" > "$work/py.out"; then
    passed=$((passed + $(sed -n 's/^ctypes: \([0-9]*\) passed.*/\1/p' "$work/py.out")))
else
    cat "$work/py.out"
    failed=$((failed + 1))
fi
echo "hosts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
