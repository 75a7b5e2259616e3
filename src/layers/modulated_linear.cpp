#include "neuromod/layers/modulated_linear.h"

#include <cmath>

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include "layers/layer_support.h"
#include "neuromod/config/enum_names.h"

namespace neuromod {

using functional::EffectKind;

namespace {
constexpr const char* kLayer = "ModulatedLinear";
}  // namespace

ModulatedLinearImpl::ModulatedLinearImpl(const ModulatedLinearOptions& options) : options(options) {
  reset();
}

void ModulatedLinearImpl::reset() {
  TORCH_CHECK(options.in_features() > 0, kLayer, ": in_features must be > 0, got ",
              options.in_features());
  TORCH_CHECK(options.out_features() > 0, kLayer, ": out_features must be > 0, got ",
              options.out_features());
  // Same registration order and shapes as torch::nn::Linear, so that equal seeds give equal
  // parameters.
  weight =
      register_parameter("weight", torch::empty({options.out_features(), options.in_features()}));
  if (options.bias()) {
    bias = register_parameter("bias", torch::empty(options.out_features()));
  } else {
    bias = register_parameter("bias", {}, /*requires_grad=*/false);
  }
  reset_parameters();
}

void ModulatedLinearImpl::reset_parameters() {
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
    torch::nn::init::uniform_(bias, -bound, bound);
  }
}

void ModulatedLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::ModulatedLinear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features()
         << ", activation=" << config::enum_name(options.activation())
         << ", bias=" << (options.bias() ? "true" : "false") << ")";
}

torch::Tensor ModulatedLinearImpl::forward(const torch::Tensor& input, const UnitEffects& effects) {
  layer_support::check_input(input, options.in_features(), kLayer);
  layer_support::check_effects(effects, exposed_effects(), input.size(0), size(), kLayer);
  const auto drive = torch::linear(input, weight, bias);
  auto output = layer_support::gated_output(
      layer_support::soma_response(drive, effects, options.activation()), effects);
  const auto noise = find_effect(effects, {Compartment::soma, EffectKind::noise});
  // No draw at all in eval mode or without the effect: evaluation stays deterministic and the
  // global generator's stream is not shifted by layers that have no noise.
  if (noise.defined() && is_training()) {
    output = output + noise * torch::randn_like(output);
  }
  return output;
}

LayerStep ModulatedLinearImpl::step(const torch::Tensor& input, const LayerState& state,
                                    const UnitEffects& effects) {
  return {forward(input, effects), state};
}

LayerState ModulatedLinearImpl::initial_state(int64_t /*batch*/) const {
  return {};
}

std::vector<EffectKey> ModulatedLinearImpl::exposed_effects() const {
  return {{Compartment::soma, EffectKind::gain},
          {Compartment::soma, EffectKind::bias},
          {Compartment::soma, EffectKind::threshold},
          {Compartment::soma, EffectKind::noise},
          {Compartment::output, EffectKind::gate}};
}

}  // namespace neuromod
