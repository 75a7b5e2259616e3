#pragma once
/// \file
/// Recurrent layer with (neuromodulated) Hebbian plastic recurrent weights: differentiable
/// plasticity (Miconi et al. 2018) and Backpropamine (Miconi et al. 2019).
///
///     h_t = f( gain ⊙ (W_in x_t + b + h_{t−1} (w + α ⊙ P_t)) + bias − threshold )
///
/// and the plastic component P (state "hebb") follows the rule `plasticity`:
///
///     none:        no P; h_t = f(W_in x_t + b + h_{t−1} w), a plain RNN
///     decaying:    P' = (1 − η) P + η · h_{t−1} ⊗ h_t                    (2018)
///     clipped:     P' = clip(P + η · h_{t−1} ⊗ h_t, ±C)                  (2019 'plastic')
///     simple:      P' = clip(P + M ⊙ h_{t−1} ⊗ h_t, ±C)                  (2019 'modplast')
///     retroactive: P' = clip(P + M ⊙ E, ±C) with the OLD E, then         (2019 'modul')
///                  E' = (1 − η) E + η · h_{t−1} ⊗ h_t
///
/// with i presynaptic (row) and j postsynaptic (column): w, α, P, E are (pre, post), as in
/// `h_{t−1} @ w`. The equations are functional/hebbian.h's; this module owns the parameters.
///
/// | parameter       | default          | unit   | meaning                                       |
/// |-----------------|------------------|--------|-----------------------------------------------|
/// | `input_size`    | —                | 1      | N_in                                          |
/// | `hidden_size`   | —                | 1      | N                                             |
/// | `activation`    | `tanh`           | —      | f                                             |
/// | `plasticity`    | `simple`         | —      | rule above                                    |
/// | `alpha`         | `per_connection` | —      | shape of α: (N, N), (N) per postsynaptic, ()  |
/// | `clip`          | 1.0              | 1      | C, bound of P (clipped/simple/retroactive)    |
/// | `eta_init`      | 0.1              | 1/step | η of the decaying trace / eligibility trace   |
/// | `rate_init`     | 0.1              | 1/step | η of `clipped` (its learned plasticity rate)  |
/// | `learn_eta`     | true             | —      | η (and the `clipped` rate) learned by BPTT    |
/// | `w_init`        | 0.01             | 1      | scale s of w ~ s·U(0,1) (or s·N(0,1))         |
/// | `alpha_init`    | 0.01             | 1      | scale of α, drawn like w; scalar α = s        |
/// | `init`          | `uniform`        | —      | U(0,1) (2019 sr/) or N(0,1) (2018 simple/)    |
/// | `input_weights` | true             | —      | learn W_in, b (nn::Linear init); false adds x |
/// | `fused`         | `auto`           | —      | fused step kernel: auto, on, off (see below)  |
///
/// **The plasticity rate M.** For `simple` and `retroactive`, M is the {synapse, plasticity}
/// effect, (B, N): the modulator, already fanned out per postsynaptic unit by its receptor
/// (Backpropamine's `h2mod` + `modfanout`). When no projection provides it, M = 0 and P never
/// changes: the non-modulated twin of modplast has no plasticity (a fixed learned η comes from a
/// `constant` source, or from the `clipped` rule). For `clipped` and `decaying` the effect, when
/// present, is added to the layer's own η (plasticity combines additively). The
/// {synapse, trace_decay} effect, when present, replaces the η of the eligibility trace
/// (`retroactive`) or of the decaying trace (`decaying`).
///
/// **Timing.** As in the reference code, the trace update of step t uses the modulator computed
/// from h_t. In neuromod the modulatory system derives that value after the layer's step and hands
/// it to the layer with the next step's effects (DESIGN.md §1 "Order within one step"). So `step`
/// first applies the pending update of the previous transition (h_{t−2} → h_{t−1}, kept in state
/// "h_prev" and "h") with this step's effects, then computes h_t with the updated P. Outputs are
/// exactly the reference's; state "hebb" after a step is the P that produced its output, and the
/// last transition of an episode is never applied (it could not affect any output).
///
/// State (all zeros at an episode start): "h" (B, N) = h_{t−1}; for every rule but `none` also
/// "h_prev" (B, N) = h_{t−2} and "hebb" (B, N, N) = P; for `retroactive` also "eligibility"
/// (B, N, N) = E. Traces are per sample; W + α ⊙ P is never formed per sample for per-neuron or
/// scalar α (functional::plastic_input).
///
/// **Fused step.** With `fused` auto (the default) or on, a step of every rule but `none` runs as
/// one fused operation with its own backward (functional/fused_plastic.h): the traces are read once
/// per step, and backpropagation through time keeps trace snapshots every ≈√T steps instead of
/// every step's traces. It takes float32/float64 on the CPU and effects shaped as above; `auto`
/// falls back to the generic ops below for anything else, `on` throws instead, and `off` always
/// uses the generic ops, which stay the reference: both give the same outputs, states and
/// gradients up to rounding. With `in_place_traces`, the fused step updates the traces in their
/// own storage from the second step of an episode on: a state's "hebb" and "eligibility" are
/// then the next state's, modified (copy them with `clone()` to keep an earlier step's traces).
///
/// Initialisation follows uber-research/backpropamine `sr/` (the cue–reward task): w and α are
/// 0.01·U(0,1), η = 0.1. Differentiable plasticity's pattern completion used 0.01·N(0,1) and η =
/// 0.01 (`init(WeightInit::normal).eta_init(0.01)`), the grid maze 0.001·U(0,1) and C = 2, the
/// plastic LSTM α = 1e-4 per neuron. η is not constrained to [0, 1], as in the references.
///
/// References: Miconi, Clune & Stanley 2018 (ICML), "Differentiable plasticity: training plastic
/// neural networks with backpropagation"; Miconi, Rawal, Clune & Stanley 2019 (ICLR),
/// "Backpropamine: training self-modifying neural networks with differentiable neuromodulated
/// plasticity".

#include <cstdint>
#include <ostream>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/functional/activation.h"
#include "neuromod/functional/plastic_episode.h"
#include "neuromod/layers/modulated_layer.h"
#include "neuromod/modulation/plasticity_drive.h"

namespace neuromod {

/// How the plastic component P of the recurrent weights changes.
enum class PlasticityRule {
  none,         ///< no plasticity: a plain RNN
  decaying,     ///< P' = (1 − η) P + η h⊗h' (differentiable plasticity, 2018)
  clipped,      ///< P' = clip(P + η h⊗h') with a learned η (Backpropamine 'plastic')
  simple,       ///< P' = clip(P + M h⊗h') (Backpropamine 'modplast')
  retroactive,  ///< P' = clip(P + M E), E' = (1 − η) E + η h⊗h' (Backpropamine 'modul')
};

/// Names of the plasticity rules.
inline const config::EnumNames<PlasticityRule>& enum_names(PlasticityRule) {
  static const config::EnumNames<PlasticityRule> names{
      {PlasticityRule::none, "none", "no plasticity: a plain recurrent layer"},
      {PlasticityRule::decaying, "decaying",
       "P <- (1 - eta) P + eta h_prev h (differentiable plasticity, Miconi et al. 2018)"},
      {PlasticityRule::clipped, "clipped",
       "P <- clip(P + eta h_prev h), learned eta, not modulated (Backpropamine 'plastic')"},
      {PlasticityRule::simple, "simple",
       "P <- clip(P + M h_prev h), M the synapse.plasticity effect (Backpropamine 'modplast')"},
      {PlasticityRule::retroactive, "retroactive",
       "P <- clip(P + M E), then E <- (1 - eta) E + eta h_prev h (Backpropamine 'modul')"}};
  return names;
}

/// Shape of the plasticity coefficients α.
enum class AlphaMode {
  per_connection,  ///< α (N_pre, N_post): one per synapse
  per_neuron,      ///< α (N_post): shared by the synapses onto a unit
  scalar,          ///< α (): one for the layer
};

/// Names of the α shapes.
inline const config::EnumNames<AlphaMode>& enum_names(AlphaMode) {
  static const config::EnumNames<AlphaMode> names{
      {AlphaMode::per_connection, "per_connection", "one alpha per synapse, (N, N)"},
      {AlphaMode::per_neuron, "per_neuron", "one alpha per postsynaptic unit, (N)"},
      {AlphaMode::scalar, "scalar", "one alpha for the whole layer"}};
  return names;
}

/// Distribution of the initial recurrent weights w and coefficients α (scaled by w_init,
/// alpha_init).
enum class WeightInit {
  uniform,  ///< s · U(0, 1) (Backpropamine)
  normal,   ///< s · N(0, 1) (differentiable plasticity, 2018)
};

/// Names of the initial distributions.
inline const config::EnumNames<WeightInit>& enum_names(WeightInit) {
  static const config::EnumNames<WeightInit> names{
      {WeightInit::uniform, "uniform", "scale * U(0, 1), non-negative (Backpropamine)"},
      {WeightInit::normal, "normal", "scale * N(0, 1) (differentiable plasticity, 2018)"}};
  return names;
}

/// Whether a step runs as the fused operation of functional/fused_plastic.h, and whether an
/// agent's training episode may run as one functional/plastic_episode.h operation (see
/// models/episode_replay.h).
enum class FusedMode {
  automatic,  ///< the episode operation or the fused step where they apply, else generic ops
  step,       ///< the fused step where it applies, never the episode operation
  on,         ///< like automatic, but a step the fused operation cannot take throws
  off,        ///< always the generic ops (the reference)
};

/// Names of the fused modes.
inline const config::EnumNames<FusedMode>& enum_names(FusedMode) {
  static const config::EnumNames<FusedMode> names{
      {FusedMode::automatic, "auto",
       "the whole-episode operation or the fused step kernel where they apply, else generic ops"},
      {FusedMode::step, "step", "the fused step kernel where it applies, no episode operation"},
      {FusedMode::on, "on", "always the fused step kernel (an error where it does not apply)"},
      {FusedMode::off, "off", "always generic tensor ops (the reference)"}};
  return names;
}

/// Options of PlasticRecurrent; see the table in plastic_recurrent.h.
/// Example: `PlasticRecurrentOptions(27, 200).plasticity(PlasticityRule::retroactive)`
struct PlasticRecurrentOptions {
  /// \param input_size   N_in (> 0; equal to hidden_size when `input_weights(false)`).
  /// \param hidden_size  N (> 0).
  PlasticRecurrentOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  /// Input size N_in.
  TORCH_ARG(int64_t, input_size);
  /// Number of recurrent units N.
  TORCH_ARG(int64_t, hidden_size);
  /// Activation f of the units.
  TORCH_ARG(functional::Activation, activation) = functional::Activation::tanh;
  /// Rule of the plastic component P.
  TORCH_ARG(PlasticityRule, plasticity) = PlasticityRule::simple;
  /// Shape of α.
  TORCH_ARG(AlphaMode, alpha) = AlphaMode::per_connection;
  /// Bound C of P (> 0; +inf for none); unused by `decaying`, which stays bounded by itself.
  TORCH_ARG(double, clip) = 1.0;
  /// Initial η of the decaying trace (`decaying`) or eligibility trace (`retroactive`).
  TORCH_ARG(double, eta_init) = 0.1;
  /// Initial learned plasticity rate η of `clipped`.
  TORCH_ARG(double, rate_init) = 0.1;
  /// Whether η (and the `clipped` rate) are learned parameters; false keeps them fixed buffers.
  TORCH_ARG(bool, learn_eta) = true;
  /// Scale of the initial w (>= 0).
  TORCH_ARG(double, w_init) = 0.01;
  /// Scale of the initial α (>= 0); a scalar α starts at exactly this value.
  TORCH_ARG(double, alpha_init) = 0.01;
  /// Distribution of the initial w and α.
  TORCH_ARG(WeightInit, init) = WeightInit::uniform;
  /// true: learned input weights W_in and bias b; false: x is added to the drive as is (the 2018
  /// pattern-completion network, one unit per input bit), which needs N_in = N.
  TORCH_ARG(bool, input_weights) = true;
  /// Whether steps run as the fused operation (rules other than `none`).
  TORCH_ARG(FusedMode, fused) = FusedMode::automatic;
  /// Fused steps update the traces in their own storage from an episode's second step on
  /// (functional::PlasticStepOptions::in_place): about half the memory a step streams, but a
  /// state's "hebb" and "eligibility" then change when the next step runs. Off by default, so
  /// that states behave as values; networks built from a config turn it on (neuromod's loops
  /// replace each state by the next and never read an earlier one).
  TORCH_ARG(bool, in_place_traces) = false;
};

/// A recurrent layer whose recurrent weights have a (neuromodulated) Hebbian plastic component.
class PlasticRecurrentImpl : public torch::nn::Cloneable<PlasticRecurrentImpl>,
                             public ModulatedLayer {
 public:
  /// The layer with default options for (input_size, hidden_size).
  PlasticRecurrentImpl(int64_t input_size, int64_t hidden_size)
      : PlasticRecurrentImpl(PlasticRecurrentOptions(input_size, hidden_size)) {}
  /// The layer for `options` (validated; throws c10::Error naming a bad field).
  explicit PlasticRecurrentImpl(const PlasticRecurrentOptions& options);

  /// Validates the options and (re)creates and initialises the parameters.
  void reset() override;

  /// `neuromod::PlasticRecurrent(input_size=27, hidden_size=200, activation=tanh, ...)`
  void pretty_print(std::ostream& stream) const override;

  /// One step: the pending trace update with `effects`, then h_t (see "Timing").
  /// \param input    x_t, (B, N_in).
  /// \param state    from `initial_state` or the previous step.
  /// \param effects  soma gain/bias/threshold (B, N); synapse plasticity (B, N) and trace_decay
  ///                 (B, N) where the rule reads them.
  /// \returns        h_t (B, N) and the new state.
  LayerStep step(const torch::Tensor& input, const LayerState& state,
                 const UnitEffects& effects) override;

  /// Why `episode` cannot take this layer (its rule, activation, fused mode or effects: the only
  /// effect it takes is a plasticity drive, `modulated`), or "" when it can.
  std::string episode_unsupported(bool modulated) const;

  /// The layer over a whole episode from `initial_state`, as one functional::plastic_episode
  /// operation on the episode `played` step by step: the same outputs as the steps (a copy of
  /// played.hidden), differentiable in the inputs and parameters. `inputs` (T, B, N_in);
  /// `drive`: the plasticity effect's nucleus, base and slope (no nucleus: no modulator).
  /// Returns H (T, B, N).
  torch::Tensor episode(const torch::Tensor& inputs, const SelfPlasticityDrive& drive,
                        const functional::PlayedEpisode& played);

  /// The trace update `episode` runs (with or without a modulator).
  functional::FusedUpdate episode_update(bool modulated) const;

  /// `step`, LibTorch style.
  LayerStep forward(const torch::Tensor& input, const LayerState& state,
                    const UnitEffects& effects = {}) {
    return step(input, state, effects);
  }

  /// Zeros: "h" (B, N), and "h_prev" (B, N), "hebb" (B, N, N), "eligibility" (B, N, N) as the
  /// rule needs them, on the parameters' device and dtype.
  LayerState initial_state(int64_t batch) const override;

  /// {soma: gain, bias, threshold}; {synapse: plasticity} unless `none`; {synapse: trace_decay}
  /// for `decaying` and `retroactive`.
  std::vector<EffectKey> exposed_effects() const override;

  /// N = hidden_size.
  int64_t size() const override { return options.hidden_size(); }

  /// This module (to register, save, load and list its parameters).
  torch::nn::Module& module() override { return *this; }

  /// The options the layer was built with.
  PlasticRecurrentOptions options;
  /// W_in, (N, N_in), learned; undefined when `input_weights(false)`.
  torch::Tensor input_weight;
  /// b, (N), learned; undefined when `input_weights(false)`.
  torch::Tensor input_bias;
  /// w, (N_pre, N_post) = (N, N), the fixed (slowly learned) recurrent weights.
  torch::Tensor w;
  /// α: (N, N), (N) or (); undefined for `none`.
  torch::Tensor alpha;
  /// η of `decaying` / `retroactive`, (); a parameter or a buffer (`learn_eta`); else undefined.
  torch::Tensor eta;
  /// η of `clipped`, (); a parameter or a buffer (`learn_eta`); else undefined.
  torch::Tensor rate;
};

/// Module holder of PlasticRecurrentImpl.
TORCH_MODULE(PlasticRecurrent);

}  // namespace neuromod
