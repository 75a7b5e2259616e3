#pragma once
/// \file
/// Two-compartment units with a basal (feed-forward) and an apical (top-down) dendrite, in the
/// non-spiking steady state of Guerguiev et al. 2017.
///
///     B = basal_gain ⊙ (W x + b)                        basal potential
///     A = apical_gain ⊙ (Y a)                           apical potential, a = state "apical_input"
///     C = (g_B B + g_A' A) / (g_L + g_B + g_A'),        g_A' = g_A ⊙ coupling   (dendrites.h)
///     y = gate ⊙ f( soma_gain ⊙ C + soma_bias )
///
/// | parameter              | default   | unit | meaning                                        |
/// |------------------------|-----------|------|------------------------------------------------|
/// | `input_size`           | —         | 1    | N_in, basal input                              |
/// | `size`                 | —         | 1    | N, units                                       |
/// | `apical_size`          | —         | 1    | N_apical, top-down input (0: none)             |
/// | `activation`           | `sigmoid` | —    | f (the reference's rate λ_max σ(C), λ_max = 1) |
/// | `g_leak`               | 0.1       | 1/ms | g_L = 1/τ_L, τ_L = 10 ms                       |
/// | `g_basal`              | 0.6       | 1/ms | g_B                                            |
/// | `g_apical`             | 0.05      | 1/ms | g_A, apical-to-soma conductance                |
/// | `learn_apical_weights` | false     | —    | Y learned (parameter) or fixed random (buffer) |
/// | `apical_init`          | 1.0       | 1    | Y ~ s·U(−0.5, 0.5)                             |
/// | `apical_sparsity`      | 0.0       | 1    | fraction of Y zeroed at init, rest ×1/(1−s)    |
/// | `bias`                 | true      | —    | whether the basal drive has a learned b        |
///
/// | effect            | neutral | acts as                                                 |
/// |-------------------|---------|---------------------------------------------------------|
/// | `basal.gain`      | 1       | scales the basal potential B                            |
/// | `apical.gain`     | 1       | scales the apical potential A                           |
/// | `apical.coupling` | 1       | scales g_A: 0 disconnects the apical dendrite           |
/// | `soma.gain`       | 1       | slope of f                                              |
/// | `soma.bias`       | 0       | offset of f                                             |
/// | `output.gate`     | 1       | multiplies the output                                   |
///
/// **g_A.** The reference code keeps the apical dendrite electrically segregated by default
/// (g_A = 0; its `use_apical_conductance` option sets g_A = 0.05). Here the default is the
/// coupled 0.05, because the `coupling` effect multiplies g_A and could never raise 0: with 0.05 a
/// modulator can both silence (coupling → 0) and amplify the top-down influence. `g_apical(0)`
/// gives the reference's segregated unit, C = k_B B with k_B = g_B / (g_L + g_B), whatever the
/// coupling.
///
/// **State.** The network writes the top-down input into "apical_input" (B, N_apical) before each
/// step (zeros when absent: `initial_state` provides them). Each step also returns the potentials
/// "basal_potential", "apical_potential", "somatic_potential" (B, N) for recorders and for the
/// local plateau-potential learning rule, which reads A and C; their incoming values are ignored.
/// `apical_sparsity(0.8)` is the paper's sparse feedback (survivors ×5). W and b are initialised
/// as torch::nn::Linear; the reference's optional "weight optimisation"
/// (moments matched to a target potential) is left to the user.
///
/// Reference: Guerguiev, Lillicrap & Richards 2017 (eLife 6:e22901), "Towards deep learning with
/// segregated dendrites" (code: jordan-g/Segregated-Dendrite-Deep-Learning, non-spiking mode).

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

/// Options of DendriticLayer; see the table in dendritic_layer.h.
/// Example: `DendriticLayerOptions(784, 500, 10).apical_sparsity(0.8)` — the paper's hidden layer
/// with sparse feedback from 10 output units.
struct DendriticLayerOptions {
  /// \param input_size   N_in, basal input (> 0).
  /// \param size         N, number of units (> 0).
  /// \param apical_size  N_apical, size of the top-down input (>= 0; 0: no apical input).
  DendriticLayerOptions(int64_t input_size, int64_t size, int64_t apical_size)
      : input_size_(input_size), size_(size), apical_size_(apical_size) {}
  /// Basal input size N_in.
  TORCH_ARG(int64_t, input_size);
  /// Number of units N.
  TORCH_ARG(int64_t, size);
  /// Top-down input size N_apical.
  TORCH_ARG(int64_t, apical_size);
  /// Activation f of the soma.
  TORCH_ARG(functional::Activation, activation) = functional::Activation::sigmoid;
  /// Leak conductance g_L in 1/ms (> 0).
  TORCH_ARG(double, g_leak) = 0.1;
  /// Basal-to-soma conductance g_B in 1/ms (>= 0).
  TORCH_ARG(double, g_basal) = 0.6;
  /// Apical-to-soma conductance g_A in 1/ms (>= 0); the `coupling` effect multiplies it.
  TORCH_ARG(double, g_apical) = 0.05;
  /// Whether the apical weights Y are learned (parameter) or fixed random feedback (buffer).
  TORCH_ARG(bool, learn_apical_weights) = false;
  /// Scale s of the initial Y ~ s·U(−0.5, 0.5) (>= 0).
  TORCH_ARG(double, apical_init) = 1.0;
  /// Fraction of Y zeroed at initialisation, in [0, 1); survivors are scaled by 1/(1 − fraction).
  TORCH_ARG(double, apical_sparsity) = 0.0;
  /// Whether the basal drive has a learned bias b.
  TORCH_ARG(bool, bias) = true;
};

/// A layer of two-compartment (basal + apical) units, non-spiking.
class DendriticLayerImpl : public torch::nn::Cloneable<DendriticLayerImpl>, public ModulatedLayer {
 public:
  /// The layer with default options for (input_size, size, apical_size).
  DendriticLayerImpl(int64_t input_size, int64_t size, int64_t apical_size)
      : DendriticLayerImpl(DendriticLayerOptions(input_size, size, apical_size)) {}
  /// The layer for `options` (validated; throws c10::Error naming a bad field).
  explicit DendriticLayerImpl(const DendriticLayerOptions& options);

  /// Validates the options and (re)creates and initialises W, b and Y.
  void reset() override;

  /// `neuromod::DendriticLayer(input_size=784, size=500, apical_size=10, ...)`
  void pretty_print(std::ostream& stream) const override;

  /// One step.
  /// \param input    basal input x, (B, N_in).
  /// \param state    "apical_input" (B, N_apical) if any (zeros when absent).
  /// \param effects  basal gain, apical gain/coupling, soma gain/bias, output gate, each (B, N).
  /// \returns        y (B, N); the state with "apical_input" passed through and the potentials.
  LayerStep step(const torch::Tensor& input, const LayerState& state,
                 const UnitEffects& effects) override;

  /// `step`, LibTorch style.
  LayerStep forward(const torch::Tensor& input, const LayerState& state = {},
                    const UnitEffects& effects = {}) {
    return step(input, state, effects);
  }

  /// Zeros: "apical_input" (B, N_apical) when N_apical > 0, and the three potentials (B, N).
  LayerState initial_state(int64_t batch) const override;

  /// {basal: gain}, {apical: gain, coupling}, {soma: gain, bias}, {output: gate}.
  std::vector<EffectKey> exposed_effects() const override;

  /// N.
  int64_t size() const override { return options.size(); }

  /// This module (to register, save, load and list its parameters).
  torch::nn::Module& module() override { return *this; }

  /// The options the layer was built with.
  DendriticLayerOptions options;
  /// W, (N, N_in), learned.
  torch::Tensor weight;
  /// b, (N), learned; undefined when `bias(false)`.
  torch::Tensor bias;
  /// Y, (N, N_apical): a parameter or a buffer (`learn_apical_weights`); undefined when
  /// N_apical = 0.
  torch::Tensor apical_weight;
};

/// Module holder of DendriticLayerImpl.
TORCH_MODULE(DendriticLayer);

}  // namespace neuromod
