#pragma once
/// Supervised classification: minibatches of a ClassificationData in a seeded order per
/// epoch, cross-entropy loss, one optimiser step per batch; test loss and accuracy.

#include <torch/optim/optimizer.h>

#include <memory>

#include "neuromod/learning/experiment.h"
#include "neuromod/learning/learning_options.h"
#include "neuromod/models/feed_forward.h"
#include "neuromod/tasks/fashion_mnist.h"

namespace neuromod {

/// A classifier trained on a labelled dataset.
class SupervisedExperiment : public Experiment {
 public:
  /// Metrics: loss, accuracy (training batches, averaged per row), test_loss, test_accuracy.
  SupervisedExperiment(ClassificationData data, FeedForward model, LearningOptions learning,
                       int64_t seed);

  std::vector<std::string> metric_names() const override;
  std::string key_metric() const override { return "test_accuracy"; }
  std::string loss_metric() const override { return "loss"; }
  MetricValues train_step(int64_t step) override;
  MetricValues evaluate() override;
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  FeedForward& model() { return model_; }

 private:
  /// Indices of the batch of optimiser step `step`, from a permutation seeded per epoch so
  /// that the order depends only on (seed, step) and survives a resume.
  torch::Tensor batch_indices(int64_t step);

  ClassificationData data_;
  FeedForward model_;
  LearningOptions learning_;
  int64_t seed_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  int64_t permutation_epoch_ = -1;  // epoch whose permutation is cached
  torch::Tensor permutation_;
};

}  // namespace neuromod
