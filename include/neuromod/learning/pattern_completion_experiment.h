#pragma once
/// Pattern completion (Miconi, Clune & Stanley 2018, "Differentiable plasticity", ICML):
/// each episode shows a few random binary patterns, then one of them with half its bits
/// erased; the network must output the whole pattern at the last step. Trained by BPTT on
///
///     loss = mean_b,i ( y_T,b,i − target_b,i )²       over the N pattern bits
///
/// (the reference sums the squared errors of its single episode; the mean keeps the scale
/// independent of N and batch, a constant factor Adam is insensitive to). Metric: the share
/// of bits whose sign is wrong (chance ≈ 0.25), on training batches and on a fixed set of
/// evaluation episodes.

#include <torch/optim/optimizer.h>

#include <memory>
#include <random>

#include "neuromod/learning/experiment.h"
#include "neuromod/learning/learning_options.h"
#include "neuromod/models/modulated_network.h"
#include "neuromod/tasks/pattern_completion.h"

namespace neuromod {

/// A recurrent network learning to complete patterns it saw once.
class PatternCompletionExperiment : public Experiment {
 public:
  /// `test_episodes` episodes, drawn once from a generator seeded with `seed + 1`, make the
  /// evaluation set; training episodes come from a generator seeded with `seed`.
  PatternCompletionExperiment(PatternCompletionOptions task, int64_t test_episodes,
                              ModulatedNetwork model, LearningOptions learning, int64_t seed);

  std::vector<std::string> metric_names() const override;
  std::string key_metric() const override { return "test_bit_error"; }
  std::string loss_metric() const override { return "loss"; }
  MetricValues train_step(int64_t step) override;
  MetricValues evaluate() override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  /// The episodes of `batch` stepped to the end: the last output (B, width) and state; every
  /// time step is recorded as training step `record_step` when it is > 0.
  NetworkStep run_episodes(const PatternBatch& batch, int64_t training_step,
                           int64_t record_step = 0);

  PatternCompletionOptions task_;
  ModulatedNetwork model_;
  LearningOptions learning_;
  std::mt19937_64 rng_;
  PatternBatch test_set_;
  std::vector<std::string> group_layers_;  // layer of each optimiser group ("" = modulation)
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  int64_t steps_done_ = 0;
};

}  // namespace neuromod
