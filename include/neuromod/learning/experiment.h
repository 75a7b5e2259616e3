#pragma once
/// What the Trainer drives: one kind of learning (supervised classification now;
/// actor–critic agents later) behind one interface.

#include <cstdint>
#include <string>
#include <vector>

#include "neuromod/record/metrics_writer.h"

namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace neuromod {

class Recorder;

/// A model, its data or environment, and its optimiser, stepped by the Trainer.
class Experiment {
 public:
  virtual ~Experiment() = default;

  /// Columns of metrics.csv after `step`, in order: training metrics, then evaluation ones.
  virtual std::vector<std::string> metric_names() const = 0;

  /// The column shown on the progress line (e.g. "test_accuracy").
  virtual std::string key_metric() const = 0;

  /// The training metric whose non-finite value means the run diverged (e.g. "loss").
  virtual std::string loss_metric() const = 0;

  /// Lines for the run's log before training starts: how this experiment will run where a
  /// user would want to know (e.g. which path a plastic layer's training takes, and why).
  virtual std::vector<std::string> notes() const { return {}; }

  /// Runs optimiser step `step` (1-based); returns this step's training metrics.
  virtual MetricValues train_step(int64_t step) = 0;

  /// Evaluates on held-out data; returns evaluation metrics. Must not change any state that
  /// training depends on (so evaluating more or less often never changes training).
  virtual MetricValues evaluate() = 0;

  /// Writes / restores everything training depends on: parameters, optimiser state,
  /// persistent modulator or plastic state.
  virtual void save(torch::serialize::OutputArchive& archive) = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;

  /// Lets `train_step` record the steps `recorder` selects (record/recorder.h); nullptr stops
  /// recording. The recorder must outlive the experiment's use of it. Recording reads values
  /// only: a run trains identically with and without it.
  void set_recorder(Recorder* recorder) { recorder_ = recorder; }

 protected:
  /// Where train_step records, or nullptr.
  Recorder* recorder_ = nullptr;
};

}  // namespace neuromod
