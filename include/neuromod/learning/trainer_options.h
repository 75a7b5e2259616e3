#pragma once
/// The `log:` and `checkpoint:` sections: when the trainer writes metrics and checkpoints.

#include <cstdint>

#include "neuromod/config/checks.h"

namespace neuromod {

/// Options of the `log:` section.
struct LogOptions {
  int64_t every = 50;        ///< steps between rows of metrics.csv (training metrics averaged)
  int64_t eval_every = 500;  ///< steps between held-out evaluations (and at the end)

  /// Example: log: {every: 50, eval_every: 500}
  template <class V>
  void visit(V& v) {
    v("every", every, "steps between rows of metrics.csv", config::check::at_least(int64_t{1}));
    v("eval_every", eval_every, "steps between evaluations (a multiple of log.every)",
      config::check::at_least(int64_t{1}));
  }
};

/// Options of the `checkpoint:` section.
struct CheckpointOptions {
  int64_t every = 500;    ///< steps between checkpoints (one is always written at the end)
  int64_t keep_last = 3;  ///< checkpoints kept; older ones are deleted

  /// Example: checkpoint: {every: 500, keep_last: 3}
  template <class V>
  void visit(V& v) {
    v("every", every, "steps between checkpoints (a multiple of log.every)",
      config::check::at_least(int64_t{1}));
    v("keep_last", keep_last, "how many checkpoints to keep", config::check::at_least(int64_t{1}));
  }
};

}  // namespace neuromod
