#pragma once
// Private: cache sizes of the CPU, for the fused operations' choice of how much to keep in cache.

#include <cstdint>

namespace neuromod::functional::detail {

/// Bytes of cpu0's cache of `level` (1 data, 2 or 3) from sysfs, or 0 when unknown.
/// (sysconf(_SC_LEVEL3_CACHE_SIZE) is not to be trusted: on the development VM it says 320 MiB
/// for a 32 MiB cache.)
int64_t cpu_cache_bytes(int level);

}  // namespace neuromod::functional::detail
