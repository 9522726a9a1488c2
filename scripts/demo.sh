#!/usr/bin/env bash
# The main job, for now: the bundled SaaS example end to end with the CLI.
#   1. `vigil check` on the valid policy set with its schema and entities, then on a deliberately broken one;
#   2. `vigil compile` into an LMDB index, then `vigil authorize` decides an allow, a deny and a step-up through
#      libvigil's C evaluator (the same one host processes load), with one decision explained.
# Installs what is missing (liblmdb-dev, cedarpy) and builds the CLI first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-prereqs.sh
echo "==> building vigil"
swift build --product vigil 2>&1 | tail -n 1
vigil="$(swift build --show-bin-path)/vigil"
ex=examples/saas

echo
echo "==> a valid policy set: vigil check $ex/policies --schema $ex/schema.cedarschema --entities $ex/entities.json"
"$vigil" check "$ex/policies" --schema "$ex/schema.cedarschema" --entities "$ex/entities.json"

echo
echo "==> a broken policy set: vigil check $ex/broken --schema $ex/schema.cedarschema"
set +e
"$vigil" check "$ex/broken" --schema "$ex/schema.cedarschema"
status=$?
set -e
echo "(exit status $status: 1 means errors were found, as expected here)"
[ "$status" -eq 1 ]

index=$(mktemp -d)/index
trap 'rm -rf "$(dirname "$index")"' EXIT
echo
echo "==> compile: vigil compile --policies $ex/policies --entities $ex/entities.json --schema … --links … --out $index"
"$vigil" compile --policies "$ex/policies" --entities "$ex/entities.json" --schema "$ex/schema.cedarschema" \
    --links "$ex/links.json" --out "$index"

ctx() { printf '{"ip": "%s", "now": "2025-06-02T14:30:00Z", "session": {"type": "Vigil::Session", "id": "%s"}}' "$1" "$2"; }
decide() {
    echo
    echo "==> $1"
    shift
    "$vigil" authorize --index "$index" "$@"
}
decide "alice views her own design document (allow, explained)" --principal 'User::"alice"' \
    --action 'Action::"viewDocument"' --resource 'Document::"architecture-overview"' \
    --context "$(ctx 10.1.2.3 s-alice)" --explain
decide "bob tries to edit a document only shared with him for reading (deny)" --principal 'User::"bob"' \
    --action 'Action::"editDocument"' --resource 'Document::"architecture-overview"' \
    --context "$(ctx 10.1.2.3 s-bob-password)"
decide "bob views payment details after a password-only login (step-up to AAL 2)" --principal 'User::"bob"' \
    --action 'Action::"viewPaymentDetails"' --resource 'BillingAccount::"acme-main"' \
    --context "$(ctx 10.1.2.3 s-bob-password)"
