#!/usr/bin/env bash
# The main job: installs what is missing, builds the CLI, trains the neuromodulated network of
# examples/quickstart.yaml and its unmodulated twin (the same config without projections),
# and compares them. Ends with the path of the comparison's report.html.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" --target neuromod
cd "$root"

run_dir() { sed -n 's/^run directory: //p' "$1"; }
log=$(mktemp)
trap 'rm -f "$log" "$log.twin"' EXIT

echo "== the neuromodulated network"
./build/neuromod run examples/quickstart.yaml "$@" | tee "$log"
echo "== its unmodulated twin (projections=[])"
./build/neuromod run examples/quickstart.yaml 'projections=[]' name=quickstart-twin "$@" | tee "$log.twin"
echo "== comparison"
./build/neuromod compare "$(run_dir "$log")" "$(run_dir "$log.twin")" \
  --label modulated --label "twin without projection" --out "runs/quickstart-compare-$(date +%Y%m%d-%H%M%S)"
