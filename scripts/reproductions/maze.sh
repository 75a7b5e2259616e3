#!/usr/bin/env bash
# Backpropamine's grid maze for the four networks at the reference sizes (maze 11, hidden 100,
# batch 30, episodes of 200 steps), one run at a time on one thread, then one comparison.
# Usage: scripts/reproductions/maze.sh [OUT_DIR]   (env: SEEDS="1", STEPS=1200,
#   NETS="modul modplast plastic rnn"; COMPARE=0 skips the comparison, e.g. for parallel halves)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-"$root/runs/maze"}
seeds=${SEEDS:-"1"}
steps=${STEPS:-1200}
nets=${NETS:-"modul modplast plastic rnn"}
mkdir -p "$out"
for seed in $seeds; do
  for net in $nets; do
    "$root/build/neuromod" run "$root/examples/plasticity/maze_$net.yaml" "learning.steps=$steps" \
      log.every=20 log.eval_every=100 checkpoint.every=500 threads=1 'record.signals=[]' \
      "seed=$seed" --out "$out" --quiet | tail -n 3
  done
done
if [[ ${COMPARE:-1} != 0 ]]; then
  "$root/build/neuromod" compare "$out"/maze-*-2* --by-name --out "$out/compare"
fi
