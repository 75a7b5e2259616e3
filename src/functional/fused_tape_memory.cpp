#include "functional/fused_tape_memory.h"

#include <atomic>

#include "neuromod/functional/fused_plastic.h"

namespace neuromod::functional {
namespace {

std::atomic<int64_t> tape_bytes{0};
std::atomic<int64_t> tape_peak{0};

}  // namespace

void detail::count_tape_bytes(int64_t delta) {
  const int64_t now = tape_bytes.fetch_add(delta) + delta;
  int64_t peak = tape_peak.load();
  while (now > peak && !tape_peak.compare_exchange_weak(peak, now)) {
  }
}

FusedTapeMemory fused_tape_memory() {
  return {tape_bytes.load(), tape_peak.load()};
}

void reset_fused_tape_peak() {
  tape_peak.store(tape_bytes.load());
}

}  // namespace neuromod::functional
