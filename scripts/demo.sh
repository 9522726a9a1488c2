#!/usr/bin/env bash
# The main job: vigild on the bundled SaaS example, and a short live scenario through both faces of Vigil —
# a C host deciding through libvigil (examples/hosts/c/decide.c, built with plain gcc) and HTTP (AuthZEN, the data
# API on the admin socket):
#   an allow, a deny, a step-up; a policy edit picked up live; an entity change; a revoked session;
#   then the decision log: every decision drained into the hash-chained audit trail, verified, and the metrics.
# Installs what is missing (liblmdb-dev, cedarpy, nginx) and builds vigil, vigild and libvigil first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/install-prereqs.sh
echo "==> building vigil, vigild and libvigil (a first build takes a few minutes)"
swift build --product vigild 2>&1 | tail -n 1
swift build --product vigil 2>&1 | tail -n 1
swift build --product VigilC 2>&1 | tail -n 1
bin="$(swift build --show-bin-path)"
ex=examples/saas

work=$(mktemp -d)
vigild_pid=
cleanup() {
    [ -n "$vigild_pid" ] && kill "$vigild_pid" 2>/dev/null && wait "$vigild_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The host: plain gcc against the installed header and library, as an application would build it.
bash scripts/install-libvigil.sh "$work/prefix" "$bin" >/dev/null
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
gcc -std=c11 -O2 examples/hosts/c/decide.c $(pkg-config --cflags --libs vigil) \
    -Wl,-rpath,"$work/prefix/lib" -o "$work/decide"

cp -r "$ex/policies" "$work/policies"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo
echo "==> vigild --data $work/data --policies <a copy of $ex/policies> --schema … --entities … --links …"
"$bin/vigild" --data "$work/data" --policies "$work/policies" --schema "$ex/schema.cedarschema" \
    --entities "$ex/entities.json" --links "$ex/links.json" --listen "127.0.0.1:$port" \
    > "$work/vigild.log" 2>&1 &
vigild_pid=$!
for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && [ -S "$work/data/admin.sock" ] && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/readyz"

# The C host stays up the whole time: every decision below is the same process reading the live index.
mkfifo "$work/host.in" "$work/host.out"
"$work/decide" "$work/data" < "$work/host.in" > "$work/host.out" &
exec 3> "$work/host.in" 4< "$work/host.out"

ctx='{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z"}'
host() {  # host DESCRIPTION PRINCIPAL ACTION RESOURCE_TYPE RESOURCE [SESSION]
    printf 'User\t%s\tAction\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$5" "$ctx" "${6:-}" >&3
    IFS=$'\t' read -r effect reasons <&4
    printf '   C host:  %-8s %s\n' "$(echo "$effect" | tr a-z A-Z)" "${reasons:+because $reasons}"
}
authzen() {  # authzen PRINCIPAL ACTION RESOURCE_TYPE RESOURCE
    curl -s "http://127.0.0.1:$port/access/v1/evaluation" -d "{\"subject\": {\"type\": \"User\", \"id\": \"$1\"},
        \"action\": {\"name\": \"$2\"}, \"resource\": {\"type\": \"$3\", \"id\": \"$4\"}, \"context\": $ctx}" |
        python3 -c 'import json, sys; r = json.load(sys.stdin); c = r.get("context", {}); v = c.get("vigil", {})
print("   AuthZEN: decision %-5s (%s%s%s)" % (str(r["decision"]).lower(), v.get("effect", "?"),
      ", because " + ", ".join(v["reasons"]) if v.get("reasons") else "",
      ", acr_values=" + c["acr_values"] if "acr_values" in c else ""))'
}
admin() {  # admin METHOD PATH [BODY]
    curl -s --unix-socket "$work/data/admin.sock" -X "$1" "http://vigild$2" ${3:+-d "$3"} |
        python3 -c 'import json, sys; r = json.load(sys.stdin); print("   data API: " + (
            "committed as generation %d" % r["generation"] if "generation" in r else "refused: " + r["error"]["message"]))'
}
step() { echo; echo "==> $*"; }

step "1. alice opens her own design document: allowed"
host "" alice viewDocument Document architecture-overview
authzen alice viewDocument Document architecture-overview

step "2. frank edits it: denied, his risk score (85) makes him read-only"
host "" frank editDocument Document architecture-overview
authzen frank editDocument Document architecture-overview

step "3. alice opens a confidential postmortem on a password-only session: step up to AAL 2"
admin PUT /v1/sessions/s-demo '{"attrs": {"aal": 1, "authTime": "2025-06-02T14:20:00Z", "methods": ["password"]}, "expires_in_s": 3600}'
host "" alice viewDocument Document incident-postmortem s-demo
echo "   (after a TOTP step-up the sidecar raises the session to AAL 2)"
admin PUT /v1/sessions/s-demo '{"attrs": {"aal": 2, "authTime": "2025-06-02T14:25:00Z", "methods": ["password", "totp"]}, "expires_in_s": 3600}'
host "" alice viewDocument Document incident-postmortem s-demo

step "4. a policy edit, picked up live: read-only now starts at risk 90 (context.cedar)"
generation() { curl -s "http://127.0.0.1:$port/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])'; }
before=$(generation)
sed -i 's/principal.risk >= 80/principal.risk >= 90/' "$work/policies/context.cedar"
for _ in $(seq 1 100); do [ "$(generation)" -gt "$before" ] && break; sleep 0.05; done
echo "   $(grep 'published generation' "$work/vigild.log" | tail -n 1 | sed 's/.*\] //')"
host "" frank editDocument Document architecture-overview
echo "   an edit with a syntax error is refused; the live generation keeps serving:"
echo 'permit (principal, action resource);' > "$work/policies/zz-typo.cedar"
sleep 0.5
curl -s "http://127.0.0.1:$port/v1/status" | python3 -c 'import json, sys; s = json.load(sys.stdin)
for p in s["policyErrors"]: print("   refused: %s:%s:%s: %s" % (p["file"].split("/")[-1], p["line"], p["column"], p["message"]))
print("   still serving generation %d" % s["generation"])'
rm "$work/policies/zz-typo.cedar"

step "5. an entity change: the sidecar raises frank's risk to 95"
admin PUT /v1/principals/User/frank/risk '{"risk": 95}'
host "" frank editDocument Document architecture-overview

step "6. alice's session is revoked: everything it carries is denied before any policy runs"
admin POST /v1/sessions/s-demo/revoke
host "" alice viewDocument Document incident-postmortem s-demo
host "" alice viewDocument Document architecture-overview s-demo
curl -s "http://127.0.0.1:$port/v1/authorize" -d "{\"principal\": {\"type\": \"User\", \"id\": \"alice\"},
    \"action\": {\"type\": \"Action\", \"id\": \"viewDocument\"}, \"resource\": {\"type\": \"Document\",
    \"id\": \"architecture-overview\"}, \"context\": $ctx, \"session\": \"s-demo\"}" |
    python3 -c 'import json, sys; r = json.load(sys.stdin); print("   HTTP:    %-8s cause: %s" % (r["decision"], r["cause"]))'

exec 3>&-
sleep 0.3
step "7. every decision above is in the audit trail, hash-chained: vigil audit verify"
"$bin/vigil" audit verify --dir "$work/data/audit"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^vigil_(decisions_total|generation|ring_drops_total|publish_errors_total)'

kill -TERM "$vigild_pid"
wait "$vigild_pid" || true
vigild_pid=
echo
echo "==> vigild stopped cleanly (SIGTERM); its log:"
sed 's/^/   /' "$work/vigild.log" | grep -v 'Server started' | tail -n 8
