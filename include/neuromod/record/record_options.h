#pragma once
/// \file
/// The `record:` section: what a run records during training, and how much memory it may use.
///
///   record:
///     every: 1000                 # training steps between recorded episodes (0: first/last only)
///     signals:
///       - modulators/*/level      # shorthand for {name: modulators/*/level}
///       - {name: layers/rnn/output, units: "0:20", batch: [0, 1]}
///       - {name: layers/rnn/state/hebb}            # a trace: summary statistics per row
///       - {name: task/reward, batch: []}           # [] = every episode of the batch
///     buffer_mb: 16
///
/// Names are the canonical names of record/names.h; `*` matches within one path component.

#include <cstdint>
#include <string>
#include <vector>

#include "neuromod/config/checks.h"

namespace neuromod {

/// One entry of `record.signals`: a canonical name (or glob) and which part of it to keep.
struct RecordSignalOptions {
  std::string name;               ///< canonical name or glob, e.g. "modulators/*/level"
  std::string units = ":";        ///< units a:b of each sample's values (flattened), Python slice
  std::vector<int64_t> batch{0};  ///< batch elements (episodes) to keep; empty: all of them
  int64_t stride = 1;             ///< keep every stride-th time step of an episode
  bool full = false;              ///< traces (per-sample matrices): every value, not summaries

  /// A plain string stands for the name: `- modulators/DA/level`.
  static constexpr const char* shorthand_key = "name";

  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("name", name,
      "canonical name or glob of what to record, e.g. modulators/*/level (docs/recording.md)",
      non_empty());
    v("units", units, "units a:b of each sample's (flattened) values, like a Python slice");
    v("batch", batch, "batch elements (episodes) to keep; [] keeps every one");
    v("stride", stride, "keep every stride-th time step of an episode", at_least(int64_t{1}));
    v("full", full,
      "record a trace (per-sample matrix) in full instead of its mean, sd, min, max, mean |x|");
  }
};

/// Options of the `record:` section.
struct RecordOptions {
  std::vector<RecordSignalOptions> signals;  ///< what to record; empty: nothing
  int64_t every = 0;           ///< training steps between recorded steps; 0: only first and last
  bool first = true;           ///< record training step 1
  bool last = true;            ///< record the last training step
  double buffer_mb = 16;       ///< rows kept in memory before they are streamed to disk
  int64_t max_rows = 1000000;  ///< rows per file at most; later rows are counted, not written

  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("signals", signals, "what to record: canonical names or globs, with unit/batch subsets");
    v("every", every, "training steps between recorded steps (0: only the first and the last)",
      at_least(int64_t{0}));
    v("first", first, "record the first training step");
    v("last", last, "record the last training step");
    v("buffer_mb", buffer_mb, "memory (MiB) for rows before they are streamed to disk", positive());
    v("max_rows", max_rows, "rows per recording file at most; later rows are dropped and counted",
      at_least(int64_t{1}));
  }
};

}  // namespace neuromod
