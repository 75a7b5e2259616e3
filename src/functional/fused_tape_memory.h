#pragma once
// Private: the count of trace bytes that the fused operations' tapes hold for backward, behind
// fused_tape_memory() (functional/fused_plastic.h). Shared by the fused step's tape and the
// episode operation's snapshots.

#include <cstdint>

namespace neuromod::functional::detail {

/// Adds `delta` bytes (negative: released) to the tapes' count and updates its peak.
void count_tape_bytes(int64_t delta);

}  // namespace neuromod::functional::detail
