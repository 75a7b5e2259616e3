#pragma once
/// The training loop every task shares: steps an Experiment, writes averaged metrics,
/// evaluates, checkpoints, stops cleanly on SIGINT/SIGTERM and on a non-finite loss.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "neuromod/core/progress.h"
#include "neuromod/learning/checkpoint.h"
#include "neuromod/learning/experiment.h"
#include "neuromod/learning/trainer_options.h"

namespace neuromod {

/// How a call to Trainer::run ended.
enum class TrainingStatus {
  completed,    ///< all steps done, final checkpoint written
  interrupted,  ///< a stop was requested; a checkpoint of the last finished step was written
  diverged,     ///< the loss became NaN/Inf; no checkpoint of the bad state was written
};

/// What Trainer::run reports.
struct TrainingOutcome {
  TrainingStatus status = TrainingStatus::completed;
  int64_t step = 0;                       ///< last step finished (diverged: the bad step)
  std::filesystem::path last_checkpoint;  ///< newest checkpoint on disk (may be empty)
  MetricValues final_metrics;             ///< last row written
};

/// Where and how often the Trainer writes.
struct TrainerSettings {
  int64_t steps = 1;  ///< last step of the run
  LogOptions log;
  CheckpointOptions checkpoint;
  std::filesystem::path checkpoint_dir;  ///< e.g. run/checkpoints
  std::filesystem::path metrics_csv;
  std::filesystem::path metrics_jsonl;
  std::filesystem::path tensorboard_dir;  ///< e.g. run/tb; empty: no TensorBoard events
  ProgressMode progress = ProgressMode::quiet;
};

/// Drives one Experiment from a starting point to `settings.steps`.
class Trainer {
 public:
  Trainer(Experiment& experiment, TrainerSettings settings);

  /// Runs from `start` (a fresh run: step 0 and an empty window; a resumed run: what
  /// load_checkpoint returned) to the last step. `log_line` receives human-readable lines
  /// (evaluations, checkpoints, stops) for the console and log.txt.
  TrainingOutcome run(TrainingProgress start,
                      const std::function<void(const std::string&)>& log_line);

 private:
  bool is_log_step(int64_t step) const;
  bool is_eval_step(int64_t step) const;
  bool is_checkpoint_step(int64_t step) const;

  Experiment& experiment_;
  TrainerSettings settings_;
};

}  // namespace neuromod
