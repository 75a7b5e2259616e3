#include "neuromod/layers/dendritic_layer.h"

#include <cmath>

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include "layers/layer_support.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/functional/dendrites.h"

namespace neuromod {

using functional::EffectKind;

namespace {

constexpr const char* kLayer = "DendriticLayer";

functional::TwoCompartmentOptions conductances(const DendriticLayerOptions& o) {
  return functional::TwoCompartmentOptions().g_leak(o.g_leak()).g_basal(o.g_basal());
}

void check_options(const DendriticLayerOptions& o) {
  TORCH_CHECK(o.input_size() > 0, kLayer, ": input_size must be > 0, got ", o.input_size());
  TORCH_CHECK(o.size() > 0, kLayer, ": size must be > 0, got ", o.size());
  TORCH_CHECK(o.apical_size() >= 0, kLayer, ": apical_size must be >= 0, got ", o.apical_size());
  functional::check_two_compartment(conductances(o));
  TORCH_CHECK(std::isfinite(o.g_apical()) && o.g_apical() >= 0.0, kLayer,
              ": g_apical must be finite and >= 0 (1/ms), got ", o.g_apical());
  TORCH_CHECK(std::isfinite(o.apical_init()) && o.apical_init() >= 0.0, kLayer,
              ": apical_init must be finite and >= 0, got ", o.apical_init());
  TORCH_CHECK(o.apical_sparsity() >= 0.0 && o.apical_sparsity() < 1.0, kLayer,
              ": apical_sparsity must be in [0, 1), got ", o.apical_sparsity());
}

// x ⊙ effect, or x itself when the (multiplicative) effect is absent.
torch::Tensor scaled(const torch::Tensor& x, const torch::Tensor& effect) {
  return effect.defined() ? x * effect : x;
}

}  // namespace

DendriticLayerImpl::DendriticLayerImpl(const DendriticLayerOptions& options) : options(options) {
  reset();
}

void DendriticLayerImpl::reset() {
  check_options(options);
  const int64_t n = options.size();
  weight = register_parameter("weight", torch::empty({n, options.input_size()}));
  if (options.bias()) bias = register_parameter("bias", torch::empty(n));
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.input_size()));
    torch::nn::init::uniform_(bias, -bound, bound);
  }

  if (options.apical_size() > 0) {
    auto y = torch::empty({n, options.apical_size()});
    {
      torch::NoGradGuard no_grad;
      y.uniform_(-0.5, 0.5).mul_(options.apical_init());
      if (options.apical_sparsity() > 0.0) {
        // Sparse feedback as in the reference: drop a fixed random fraction, and scale the rest up
        // so that the expected apical potential keeps its size.
        const auto keep = torch::rand_like(y) >= options.apical_sparsity();
        y.mul_(keep).div_(1.0 - options.apical_sparsity());
      }
    }
    apical_weight = options.learn_apical_weights() ? register_parameter("apical_weight", y)
                                                   : register_buffer("apical_weight", y);
  }
}

void DendriticLayerImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::DendriticLayer(input_size=" << options.input_size()
         << ", size=" << options.size() << ", apical_size=" << options.apical_size()
         << ", activation=" << config::enum_name(options.activation())
         << ", g_leak=" << options.g_leak() << ", g_basal=" << options.g_basal()
         << ", g_apical=" << options.g_apical()
         << ", learn_apical_weights=" << (options.learn_apical_weights() ? "true" : "false") << ")";
}

LayerStep DendriticLayerImpl::step(const torch::Tensor& input, const LayerState& state,
                                   const UnitEffects& effects) {
  layer_support::check_input(input, options.input_size(), kLayer);
  const int64_t batch = input.size(0);
  layer_support::check_effects(effects, exposed_effects(), batch, size(), kLayer);

  const auto basal = scaled(torch::linear(input, weight, bias),
                            find_effect(effects, {Compartment::basal, EffectKind::gain}));

  torch::Tensor apical_input;
  if (const auto found = state.find("apical_input"); found != state.end()) {
    apical_input = found->second;
  }
  torch::Tensor apical;
  if (apical_input.defined() && options.apical_size() > 0) {
    TORCH_CHECK(apical_input.dim() == 2 && apical_input.size(0) == batch &&
                    apical_input.size(1) == options.apical_size(),
                kLayer, ": state \"apical_input\" must be (B, N_apical) = (", batch, ", ",
                options.apical_size(), "), got shape ", apical_input.sizes());
    apical = scaled(torch::linear(apical_input, apical_weight),
                    find_effect(effects, {Compartment::apical, EffectKind::gain}));
  } else {
    // No top-down input: A = 0, the soma still leaks through g_A (the dendrite is at rest).
    TORCH_CHECK(!apical_input.defined() || apical_input.numel() == 0, kLayer,
                ": state \"apical_input\" given to a layer with apical_size 0");
    apical = torch::zeros_like(basal);
  }

  const auto coupling = find_effect(effects, {Compartment::apical, EffectKind::coupling});
  const auto soma =
      coupling.defined()
          ? functional::somatic_potential(basal, apical, options.g_apical() * coupling,
                                          conductances(options))
          : functional::somatic_potential(basal, apical, options.g_apical(), conductances(options));
  const auto output =
      layer_support::gated_output(layer_support::soma_response(soma, effects, options.activation(),
                                                               /*threshold_exposed=*/false),
                                  effects);

  LayerState next{
      {"basal_potential", basal}, {"apical_potential", apical}, {"somatic_potential", soma}};
  if (options.apical_size() > 0) {
    next.emplace("apical_input",
                 apical_input.defined()
                     ? apical_input
                     : torch::zeros({batch, options.apical_size()}, input.options()));
  }
  return {output, std::move(next)};
}

LayerState DendriticLayerImpl::initial_state(int64_t batch) const {
  TORCH_CHECK(batch > 0, kLayer, ": batch must be > 0, got ", batch);
  const auto like = weight.options().requires_grad(false);
  const int64_t n = options.size();
  LayerState state{{"basal_potential", torch::zeros({batch, n}, like)},
                   {"apical_potential", torch::zeros({batch, n}, like)},
                   {"somatic_potential", torch::zeros({batch, n}, like)}};
  if (options.apical_size() > 0) {
    state.emplace("apical_input", torch::zeros({batch, options.apical_size()}, like));
  }
  return state;
}

std::vector<EffectKey> DendriticLayerImpl::exposed_effects() const {
  return {{Compartment::basal, EffectKind::gain},      {Compartment::apical, EffectKind::gain},
          {Compartment::apical, EffectKind::coupling}, {Compartment::soma, EffectKind::gain},
          {Compartment::soma, EffectKind::bias},       {Compartment::output, EffectKind::gate}};
}

}  // namespace neuromod
