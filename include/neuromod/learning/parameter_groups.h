#pragma once
/// Optimiser parameter groups of a ModulatedNetwork: one per layer, so that a learner-level
/// `learning_rate` effect can scale each layer's step size, and one for the rest (the
/// modulatory system's learned sources and receptors). Shared by every Experiment.

#include <torch/optim/optimizer.h>

#include <string>
#include <vector>

#include "neuromod/models/modulated_network.h"

namespace neuromod {

/// The groups, in layer order, and the layer each one belongs to.
struct LayerParameterGroups {
  std::vector<torch::optim::OptimizerParamGroup> groups;  ///< to pass to make_optimizer
  std::vector<std::string> layers;  ///< layer of each group; "" for the modulatory system
};

/// One group per layer that has parameters (layers without any, e.g. dropout, get none),
/// then one for the modulatory system's parameters when it has any. Throws c10::Error if a
/// parameter of the model belongs to no group.
/// Example: `auto grouped = layer_parameter_groups(*model);
///           optimizer = make_optimizer(learning, grouped.groups);`
LayerParameterGroups layer_parameter_groups(ModulatedNetworkImpl& model);

/// Sets group i's step size to `lr` × the learner-wide multiplier (a projection onto
/// `learner`, key "") × the multiplier of the group's layer (1 where none is given).
/// \param group_layers  LayerParameterGroups::layers of the groups `optimizer` was built with.
void apply_learning_rates(torch::optim::Optimizer& optimizer,
                          const std::vector<std::string>& group_layers, double lr,
                          const LearnerEffects& effects);

}  // namespace neuromod
