#include "layers/layer_support.h"

#include <algorithm>

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/functional/effects.h"

namespace neuromod::layer_support {

using functional::EffectKind;

std::string key_name(EffectKey key) {
  return config::enum_name(key.compartment) + "." + config::enum_name(key.effect);
}

void check_effects(const UnitEffects& effects, const std::vector<EffectKey>& exposed, int64_t batch,
                   int64_t units, const char* layer) {
  for (const auto& [key, value] : effects) {
    if (std::find(exposed.begin(), exposed.end(), key) == exposed.end()) {
      std::string names;
      for (const auto& known : exposed) names += (names.empty() ? "" : ", ") + key_name(known);
      TORCH_CHECK(false, layer, ": effect ", key_name(key),
                  " is not exposed by this layer (it reads ",
                  names.empty() ? std::string("none") : names, ")");
    }
    TORCH_CHECK(value.defined(), layer, ": effect ", key_name(key), " is an undefined tensor");
    const bool fits = value.dim() <= 2 &&
                      (value.dim() == 0 || value.size(-1) == 1 || value.size(-1) == units) &&
                      (value.dim() < 2 || value.size(0) == 1 || value.size(0) == batch);
    TORCH_CHECK(fits, layer, ": effect ", key_name(key), " must broadcast to (B, N) = (", batch,
                ", ", units, "), got shape ", value.sizes());
  }
}

void check_input(const torch::Tensor& input, int64_t features, const char* layer) {
  TORCH_CHECK(input.dim() == 2 && input.size(1) == features, layer, ": input must be (B, ",
              features, "), got shape ", input.sizes());
}

const torch::Tensor& state_at(const LayerState& state, const std::string& key, const char* layer) {
  const auto found = state.find(key);
  TORCH_CHECK(found != state.end() && found->second.defined(), layer, ": state has no \"", key,
              "\" (start episodes from initial_state)");
  return found->second;
}

torch::Tensor soma_response(const torch::Tensor& z, const UnitEffects& effects,
                            functional::Activation activation, bool threshold_exposed) {
  const auto gain = find_effect(effects, {Compartment::soma, EffectKind::gain});
  const auto bias = find_effect(effects, {Compartment::soma, EffectKind::bias});
  const auto threshold = threshold_exposed
                             ? find_effect(effects, {Compartment::soma, EffectKind::threshold})
                             : torch::Tensor();
  if (!gain.defined() && !bias.defined() && !threshold.defined()) {
    return functional::activate(z, activation);
  }
  // A threshold lowers the drive: it enters modulated_activation as part of the offset b − θ.
  torch::Tensor offset;
  if (bias.defined() && threshold.defined()) {
    offset = bias - threshold;
  } else if (bias.defined()) {
    offset = bias;
  } else if (threshold.defined()) {
    offset = -threshold;
  } else {
    offset = torch::zeros({}, z.options());
  }
  return functional::modulated_activation(z, gain.defined() ? gain : torch::ones({}, z.options()),
                                          offset, activation);
}

torch::Tensor gated_output(const torch::Tensor& y, const UnitEffects& effects) {
  const auto gate = find_effect(effects, {Compartment::output, EffectKind::gate});
  return gate.defined() ? functional::gate_output(y, gate) : y;
}

void uniform_positive_(torch::Tensor& w, double scale) {
  torch::NoGradGuard no_grad;
  w.uniform_(0.0, 1.0).mul_(scale);
}

}  // namespace neuromod::layer_support
