#include "neuromod/functional/effects.h"

#include <c10/util/Exception.h>

namespace neuromod::functional {

torch::Tensor modulated_activation(const torch::Tensor& z, const torch::Tensor& gain,
                                   const torch::Tensor& bias, Activation activation) {
  return activate(gain * z + bias, activation);
}

torch::Tensor gate_output(const torch::Tensor& y, const torch::Tensor& gate) {
  return y * gate;
}

std::optional<double> neutral_value(CombineRule rule) {
  switch (rule) {
    case CombineRule::multiplicative:
      return 1.0;
    case CombineRule::additive:
      return 0.0;
    case CombineRule::replace:
      return std::nullopt;
  }
  return std::nullopt;
}

torch::Tensor combine(CombineRule rule, const std::vector<torch::Tensor>& values) {
  if (values.empty()) {
    const auto neutral = neutral_value(rule);
    TORCH_CHECK(neutral.has_value(), "combine: rule '", config::enum_name(rule),
                "' has no neutral value, so it needs at least one value");
    return torch::scalar_tensor(*neutral);
  }
  switch (rule) {
    case CombineRule::multiplicative: {
      auto result = values.front();
      for (size_t k = 1; k < values.size(); ++k) result = result * values[k];
      return result;
    }
    case CombineRule::additive: {
      auto result = values.front();
      for (size_t k = 1; k < values.size(); ++k) result = result + values[k];
      return result;
    }
    case CombineRule::replace:
      return values.back();
  }
  TORCH_CHECK(false, "combine: unknown rule ", static_cast<int>(rule));
}

CombineRule combine_rule(EffectKind kind) {
  switch (kind) {
    case EffectKind::gain:
    case EffectKind::gate:
    case EffectKind::coupling:
    case EffectKind::learning_rate:
    case EffectKind::inverse_temperature:
      return CombineRule::multiplicative;
    case EffectKind::bias:
    case EffectKind::threshold:
    case EffectKind::plasticity:
    case EffectKind::noise:
      return CombineRule::additive;
    case EffectKind::trace_decay:
    case EffectKind::dropout:
    case EffectKind::discount:
      return CombineRule::replace;
  }
  TORCH_CHECK(false, "combine_rule: unknown effect ", static_cast<int>(kind));
}

EffectScope effect_scope(EffectKind kind) {
  switch (kind) {
    case EffectKind::dropout:
    case EffectKind::learning_rate:
    case EffectKind::inverse_temperature:
    case EffectKind::discount:
      return EffectScope::learner;
    case EffectKind::gain:
    case EffectKind::bias:
    case EffectKind::threshold:
    case EffectKind::gate:
    case EffectKind::plasticity:
    case EffectKind::trace_decay:
    case EffectKind::coupling:
    case EffectKind::noise:
      return EffectScope::unit;
  }
  TORCH_CHECK(false, "effect_scope: unknown effect ", static_cast<int>(kind));
}

}  // namespace neuromod::functional
