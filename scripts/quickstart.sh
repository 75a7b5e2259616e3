#!/usr/bin/env bash
# The main job: installs what is missing, builds the CLI, trains examples/quickstart.yaml
# and ends with the run directory and the path of its report.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" --target neuromod
cd "$root"
exec ./build/neuromod run examples/quickstart.yaml "$@"
