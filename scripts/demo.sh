#!/usr/bin/env bash
# The main job, for now: check the bundled SaaS example with `vigil check` — first the valid policy set with its
# schema and entities, then a deliberately broken one, to show the errors Vigil reports.
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
