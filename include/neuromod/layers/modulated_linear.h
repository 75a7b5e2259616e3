#pragma once
/// \file
/// Fully connected units whose activation, output and noise the modulatory system turns.
///
///     z = W x + b                                                    drive, as torch::nn::Linear
///     y = gate ⊙ f( gain ⊙ z + bias − threshold ) + noise ⊙ ε,      ε ~ N(0, 1) in training only
///
/// | parameter      | default    | unit | meaning                                                |
/// |----------------|------------|------|--------------------------------------------------------|
/// | `in_features`  | —          | 1    | input size N_in                                        |
/// | `out_features` | —          | 1    | number of units N                                      |
/// | `activation`   | `identity` | —    | f (activation.h)                                       |
/// | `bias`         | true       | —    | whether the layer learns b                             |
///
/// | effect             | neutral | acts as                                                 |
/// |--------------------|---------|---------------------------------------------------------|
/// | `soma.gain`        | 1       | slope of f, multiplies z                                |
/// | `soma.bias`        | 0       | adds to the drive                                       |
/// | `soma.threshold`   | 0       | subtracts from the drive                                |
/// | `soma.noise`       | 0       | standard deviation of additive Gaussian unit noise      |
/// | `output.gate`      | 1       | multiplies the output (ANML)                            |
///
/// Effects are (B, N) tensors (anything broadcastable to (B, N) works); an absent effect costs
/// nothing. Without effects the layer is `f(torch::nn::Linear(x))` bit for bit, and W, b are
/// initialised exactly as torch::nn::Linear does (Kaiming-uniform with a = √5, b ~ U(±1/√N_in)),
/// drawing the same random numbers in the same order. The layer is stateless: `initial_state` is
/// empty. Noise draws from the global generator in training mode only; in eval mode it is off.
///
/// References: gain and bias modulation as in Vecoven et al. 2020 (PLoS ONE 15(1):e0227922, NMN);
/// output gating as in Beaulieu et al. 2020 (ECAI, "Learning to continually learn", ANML).

#include <cstdint>
#include <ostream>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "neuromod/functional/activation.h"
#include "neuromod/layers/modulated_layer.h"

namespace neuromod {

/// Options of ModulatedLinear.
/// Example: `ModulatedLinearOptions(784, 128).activation(functional::Activation::relu)`
struct ModulatedLinearOptions {
  /// \param in_features   input size N_in (> 0).
  /// \param out_features  number of units N (> 0).
  ModulatedLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  /// Input size N_in.
  TORCH_ARG(int64_t, in_features);
  /// Number of units N.
  TORCH_ARG(int64_t, out_features);
  /// Activation f; `identity` makes the layer a modulated torch::nn::Linear.
  TORCH_ARG(functional::Activation, activation) = functional::Activation::identity;
  /// Whether the layer learns a bias b.
  TORCH_ARG(bool, bias) = true;
};

/// A fully connected layer with soma gain/bias/threshold/noise and output-gate effects.
class ModulatedLinearImpl : public torch::nn::Cloneable<ModulatedLinearImpl>,
                            public ModulatedLayer {
 public:
  /// The layer with default options for (in_features, out_features).
  ModulatedLinearImpl(int64_t in_features, int64_t out_features)
      : ModulatedLinearImpl(ModulatedLinearOptions(in_features, out_features)) {}
  /// The layer for `options` (validated; throws c10::Error naming a bad field).
  explicit ModulatedLinearImpl(const ModulatedLinearOptions& options);

  /// Validates the options and (re)creates W and b with torch::nn::Linear's initialisation.
  void reset() override;

  /// Redraws W and b as torch::nn::Linear does.
  void reset_parameters();

  /// `neuromod::ModulatedLinear(in_features=784, out_features=128, activation=relu, bias=true)`
  void pretty_print(std::ostream& stream) const override;

  /// y = gate ⊙ f(gain ⊙ (W x + b) + bias − threshold) + noise ⊙ ε.
  /// \param input    x, (B, N_in).
  /// \param effects  any of the exposed effects, each broadcastable to (B, N).
  /// \returns        y, (B, N).
  torch::Tensor forward(const torch::Tensor& input, const UnitEffects& effects = {});

  /// `forward`; the state (empty) passes through unchanged.
  LayerStep step(const torch::Tensor& input, const LayerState& state,
                 const UnitEffects& effects) override;

  /// Empty: the layer keeps no per-episode state.
  LayerState initial_state(int64_t batch) const override;

  /// {soma: gain, bias, threshold, noise}, {output: gate}.
  std::vector<EffectKey> exposed_effects() const override;

  /// N = out_features.
  int64_t size() const override { return options.out_features(); }

  /// This module (to register, save, load and list its parameters).
  torch::nn::Module& module() override { return *this; }

  /// The options the layer was built with.
  ModulatedLinearOptions options;
  /// W, (N, N_in), learned.
  torch::Tensor weight;
  /// b, (N), learned; undefined when `bias(false)`.
  torch::Tensor bias;
};

/// Module holder of ModulatedLinearImpl (shared ownership, as torch::nn modules).
TORCH_MODULE(ModulatedLinear);

}  // namespace neuromod
