#pragma once
/// Builds LibTorch optimisers from the `learning:` section.

#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

#include "neuromod/learning/learning_options.h"

namespace neuromod {

/// Adam, SGD or RMSprop over parameter groups (e.g. one per layer, so that a modulator can
/// set each layer's learning rate), with the section's lr, momentum, eps and weight decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(
    const LearningOptions& options, std::vector<torch::optim::OptimizerParamGroup> groups);

/// Scales gradients so their global norm is at most `max_norm` (no-op when max_norm is 0).
void clip_gradients(const std::vector<torch::Tensor>& parameters, double max_norm);

}  // namespace neuromod
