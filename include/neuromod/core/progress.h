#pragma once
/// Training progress on the console: one redrawn line on a terminal; a plain line every
/// few seconds when stdout is not a terminal (CI, SLURM logs); nothing when quiet.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace neuromod {

/// How progress is shown.
enum class ProgressMode { terminal, plain, quiet };

/// terminal when stdout is a TTY, else plain; quiet when asked.
ProgressMode detect_progress_mode(bool quiet);

/// Progress of one training run.
class Progress {
 public:
  /// `first_step` is where the run (re)starts; `total` its last step.
  Progress(ProgressMode mode, int64_t first_step, int64_t total, std::FILE* out = stdout);

  /// Reports that `step` is done; `metric` (name, value) is the task's key metric.
  void update(int64_t step, const std::string& metric_name, double metric_value);

  /// Ends the redrawn line so that later output starts on a fresh line.
  void finish();

  /// "step 1200/1500  41.3 steps/s  ETA 7s  test_accuracy 0.84"
  std::string status_line(int64_t step, const std::string& metric_name, double metric_value) const;

 private:
  using Clock = std::chrono::steady_clock;
  ProgressMode mode_;
  int64_t first_step_;
  int64_t total_;
  std::FILE* out_;
  Clock::time_point started_;
  Clock::time_point last_print_;
  bool line_open_ = false;
};

}  // namespace neuromod
