#!/usr/bin/env bash
# Differentiable plasticity's pattern completion (50 bits): the plastic network and the same-size
# non-plastic RNN, several seeds each, then one comparison with medians and quartiles.
# Usage: scripts/reproductions/pattern_completion.sh [OUT_DIR]   (env: SEEDS="1 2 3",
#   NETS="plastic rnn": examples/plasticity/pattern_completion_$NET.yaml; NETS=plastic_1000 runs
#   the paper-scale 1000-bit setting)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-"$root/runs/pattern-completion"}
seeds=${SEEDS:-"1 2 3"}
nets=${NETS:-"plastic rnn"}
mkdir -p "$out"
for seed in $seeds; do
  for net in $nets; do
    "$root/build/neuromod" run "$root/examples/plasticity/pattern_completion_$net.yaml" \
      threads=1 "seed=$seed" --out "$out" --quiet | tail -n 3
  done
done
"$root/build/neuromod" compare "$out"/pattern-*-2* --by-name --out "$out/compare"
