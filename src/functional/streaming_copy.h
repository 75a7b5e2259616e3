#pragma once
// Private: a copy whose destination bypasses the caches, for the episode operation's trace
// snapshots (plastic_episode.h).
//
// A played episode keeps every S-th step's (B, N, N) traces until backward (cue–reward at
// Backpropamine's sizes: 24 snapshots of 9.6 MB, 230 MB in all), far more than the caches hold.
// An ordinary copy first reads every destination line into the cache (read for ownership),
// then evicts it, and on the way pushes out the live traces the next steps read. Non-temporal
// stores write the lines to memory directly.

#include <torch/types.h>

namespace neuromod::functional::detail {

/// dst ← src with non-temporal stores where both are contiguous CPU tensors of one dtype and
/// size and the CPU has them (x86-64); otherwise dst.copy_(src).
void copy_bypassing_cache(torch::Tensor dst, const torch::Tensor& src);

}  // namespace neuromod::functional::detail
