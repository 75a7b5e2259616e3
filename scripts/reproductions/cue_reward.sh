#!/usr/bin/env bash
# Backpropamine's cue–reward ordering at a CPU-calibrated scale (docs/reproductions/plasticity.md):
# the four networks (modul, modplast, plastic, rnn) × seeds, one run at a time on one thread, then
# one comparison with medians and inter-quartile ranges over seeds.
# Usage: scripts/reproductions/cue_reward.sh [OUT_DIR]   (env: SEEDS="1 2 3", STEPS=15000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-"$root/runs/cue-reward-calibrated"}
seeds=${SEEDS:-"1 2 3"}
steps=${STEPS:-15000}
mkdir -p "$out"
# Anchors' "smallest faithful" scale: 2 cues of 10 bits, episodes of 60 steps, 50 units, batch 16.
scale=(task.cues=2 task.cue_bits=10 task.episode_length=60 layers.0.size=50
       learning.batch_size=16 "learning.steps=$steps" log.every=100 log.eval_every=1000
       checkpoint.every=5000 threads=1 'record.signals=[]')
for seed in $seeds; do
  for net in modul modplast plastic rnn; do
    "$root/build/neuromod" run "$root/examples/plasticity/cue_reward_$net.yaml" "${scale[@]}" \
      "seed=$seed" --out "$out" --quiet | tail -n 3
  done
done
"$root/build/neuromod" compare "$out"/cue-reward-*-2* --by-name --out "$out/compare"
