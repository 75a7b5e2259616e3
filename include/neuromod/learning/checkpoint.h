#pragma once
/// Checkpoints: `checkpoints/step-00000500.pt`, one LibTorch archive holding the
/// experiment (model, optimiser, persistent state), the step, the metric window being
/// averaged and LibTorch's random generator, written atomically.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <vector>

#include "neuromod/learning/experiment.h"
#include "neuromod/record/metrics_writer.h"

namespace neuromod {

/// A checkpoint that cannot be read: missing, truncated, corrupted or from another run.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Running sums of training metrics between two rows of metrics.csv.
struct MetricWindow {
  MetricValues sums;
  int64_t count = 0;

  void add(const MetricValues& values);
  MetricValues means() const;
  void clear();
};

/// What a checkpoint holds besides the experiment itself.
struct TrainingProgress {
  int64_t step = 0;  ///< optimiser steps completed
  MetricWindow window;
};

/// `directory/step-<step, 8 digits>.pt`
std::filesystem::path checkpoint_path(const std::filesystem::path& directory, int64_t step);

/// Checkpoints in `directory`, oldest first.
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& directory);

/// Writes a checkpoint atomically, then deletes all but the newest `keep_last`.
std::filesystem::path save_checkpoint(const std::filesystem::path& directory,
                                      const TrainingProgress& progress, Experiment& experiment,
                                      int64_t keep_last);

/// Restores `experiment` and LibTorch's generator from `path`; returns the progress.
/// Throws CheckpointError naming the file when it cannot be read.
TrainingProgress load_checkpoint(const std::filesystem::path& path, Experiment& experiment);

}  // namespace neuromod
