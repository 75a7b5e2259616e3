#include "neuromod/layers/modulated_dropout.h"

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include "layers/layer_support.h"

namespace neuromod {

using functional::EffectKind;

namespace {

constexpr const char* kLayer = "ModulatedDropout";

void check_probability(double p, const char* what) {
  TORCH_CHECK(p >= 0.0 && p <= 1.0, kLayer, ": ", what, " must be in [0, 1], got ", p);
}

}  // namespace

ModulatedDropoutImpl::ModulatedDropoutImpl(const ModulatedDropoutOptions& options)
    : options(options) {
  reset();
}

void ModulatedDropoutImpl::reset() {
  TORCH_CHECK(options.size() > 0, kLayer, ": size must be > 0, got ", options.size());
  check_probability(options.p(), "p");
}

void ModulatedDropoutImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::ModulatedDropout(size=" << options.size() << ", p=" << options.p() << ")";
}

torch::Tensor ModulatedDropoutImpl::forward(const torch::Tensor& input,
                                            const UnitEffects& effects) {
  layer_support::check_input(input, options.size(), kLayer);
  layer_support::check_effects(effects, exposed_effects(), input.size(0), size(), kLayer);
  if (!is_training()) return input;
  const auto p = find_effect(effects, {Compartment::output, EffectKind::dropout});
  if (!p.defined()) return torch::dropout(input, options.p(), /*train=*/true);
  if (p.numel() == 1) {
    // One learner-level value (the usual case): the very same op as the configured p.
    const double value = p.item<double>();
    check_probability(value, "the output.dropout effect");
    return torch::dropout(input, value, /*train=*/true);
  }
  // One probability per element. The learner's value carries no gradient (dropout masks are not
  // differentiable in p), and a clamp keeps 1/(1 − p) finite where p = 1 drops everything anyway.
  const auto drop = p.detach().to(input.dtype()).expand_as(input);
  TORCH_CHECK(drop.min().item<double>() >= 0.0 && drop.max().item<double>() <= 1.0, kLayer,
              ": the output.dropout effect must lie in [0, 1]");
  const auto keep = 1.0 - drop;
  const auto mask = torch::bernoulli(keep);
  return input * mask / keep.clamp_min(1e-12);
}

LayerStep ModulatedDropoutImpl::step(const torch::Tensor& input, const LayerState& state,
                                     const UnitEffects& effects) {
  return {forward(input, effects), state};
}

LayerState ModulatedDropoutImpl::initial_state(int64_t /*batch*/) const {
  return {};
}

std::vector<EffectKey> ModulatedDropoutImpl::exposed_effects() const {
  return {{Compartment::output, EffectKind::dropout}};
}

}  // namespace neuromod
