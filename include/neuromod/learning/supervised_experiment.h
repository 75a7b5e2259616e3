#pragma once
/// Supervised classification: minibatches of a ClassificationData in a seeded order per
/// epoch, cross-entropy loss, one optimiser step per batch; test loss and accuracy. The
/// network is a ModulatedNetwork: a task context (label contexts) reaches it only as the
/// `context` signal its modulators may read, and learner-level effects set per-layer
/// learning rates.

#include <torch/optim/optimizer.h>

#include <memory>
#include <optional>

#include "neuromod/learning/experiment.h"
#include "neuromod/learning/learning_options.h"
#include "neuromod/models/modulated_network.h"
#include "neuromod/tasks/fashion_mnist.h"
#include "neuromod/tasks/label_contexts.h"

namespace neuromod {

/// A classifier trained on a labelled dataset.
class SupervisedExperiment : public Experiment {
 public:
  /// Metrics: loss, accuracy (training batches, averaged per row), test_loss, test_accuracy.
  /// `contexts` may be empty (undefined tensors) for a task without contexts.
  SupervisedExperiment(ClassificationData data, LabelContexts contexts, ModulatedNetwork model,
                       LearningOptions learning, int64_t seed);

  std::vector<std::string> metric_names() const override;
  std::string key_metric() const override { return "test_accuracy"; }
  std::string loss_metric() const override { return "loss"; }
  MetricValues train_step(int64_t step) override;
  MetricValues evaluate() override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  ModulatedNetwork& model() { return model_; }

 private:
  /// Indices of the batch of optimiser step `step`, from a permutation seeded per epoch so
  /// that the order depends only on (seed, step) and survives a resume.
  torch::Tensor batch_indices(int64_t step);

  ClassificationData data_;
  LabelContexts contexts_;
  ModulatedNetwork model_;
  LearningOptions learning_;
  int64_t seed_;
  std::vector<std::string> group_layers_;  // layer of each optimiser parameter group ("" = rest)
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::optional<double> last_loss_;  // for loss_change sources
  int64_t steps_done_ = 0;           // the training clock evaluations run at
  int64_t permutation_epoch_ = -1;   // epoch whose permutation is cached
  torch::Tensor permutation_;
};

}  // namespace neuromod
