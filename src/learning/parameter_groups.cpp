#include "neuromod/learning/parameter_groups.h"

#include <torch/torch.h>

namespace neuromod {

LayerParameterGroups layer_parameter_groups(ModulatedNetworkImpl& model) {
  LayerParameterGroups grouped;
  std::size_t count = 0;
  for (const auto& layer : model.layers()) {
    auto parameters = model.layer_parameters(layer.name);
    if (parameters.empty()) continue;
    count += parameters.size();
    grouped.groups.emplace_back(std::move(parameters));
    grouped.layers.push_back(layer.name);
  }
  std::vector<torch::Tensor> rest = model.modulation()->parameters();
  if (!rest.empty()) {
    count += rest.size();
    grouped.groups.emplace_back(std::move(rest));
    grouped.layers.push_back("");
  }
  TORCH_CHECK(count == model.parameters().size(),
              "every parameter belongs to one optimiser group: grouped ", count, " of ",
              model.parameters().size());
  return grouped;
}

void apply_learning_rates(torch::optim::Optimizer& optimizer,
                          const std::vector<std::string>& group_layers, double lr,
                          const LearnerEffects& effects) {
  auto& groups = optimizer.param_groups();
  TORCH_CHECK(groups.size() == group_layers.size(), "optimiser has ", groups.size(),
              " parameter groups, but ", group_layers.size(), " layers were given");
  // A projection onto `learner` (key "") scales every group; one onto a layer, that layer's.
  const auto multiplier_of = [&](const std::string& layer) {
    const auto found = effects.learning_rate.find(layer);
    return found == effects.learning_rate.end() ? 1.0 : found->second;
  };
  const double global = multiplier_of("");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const double own = group_layers[i].empty() ? 1.0 : multiplier_of(group_layers[i]);
    groups[i].options().set_lr(lr * global * own);
  }
}

}  // namespace neuromod
