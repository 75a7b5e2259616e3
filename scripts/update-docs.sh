#!/usr/bin/env bash
# Regenerates the parts of the docs that are printed by neuromod itself (the config keys
# table of docs/config.md). The test ConfigDocs.KeysTableMatchesTheCode fails until it is run
# after a change to the config's options.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/build.sh" --target neuromod >/dev/null
doc="$root/docs/config.md"
table=$("$root/build/neuromod" list config --markdown)
python3 - "$doc" "$table" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin, end = "<!-- BEGIN neuromod list config --markdown -->", "<!-- END neuromod list config --markdown -->"
head, rest = text.split(begin)
_, tail = rest.split(end)
open(path, "w").write(head + begin + "\n" + table + "\n" + end + tail)
PY
