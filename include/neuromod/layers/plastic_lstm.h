#pragma once
/// \file
/// LSTM cell whose cell-candidate recurrent path is plastic, with a neuromodulated Hebbian trace
/// (Backpropamine's plastic LSTM; Mei et al. 2023's LSTMCellNM is a port of it).
///
///     i, f, o = σ(W_x{i,f,o} x_t + U_{i,f,o} h_{t−1} + b_{i,f,o})          standard gates
///     ĉ_t     = tanh( gain ⊙ (W_xc x_t + b_c + h_{t−1} (w + α ⊙ Hebb_t)) + bias − threshold )
///     c_t     = f ⊙ c_{t−1} + i ⊙ ĉ_t,     h_t = o ⊙ tanh(c_t)
///     Hebb'   = clip( Hebb + M_j · h_{t−1,i} · ĉ_{t,j}, ±C )
///
/// The plastic path replaces the usual candidate recurrent weights U_c: w and α are (pre, post),
/// Hebb is (B, pre, post) per sample, i presynaptic (h_{t−1}), j postsynaptic (ĉ_t).
///
/// | parameter            | default      | unit   | meaning                                      |
/// |----------------------|--------------|--------|----------------------------------------------|
/// | `input_size`         | —            | 1      | N_in                                         |
/// | `hidden_size`        | —            | 1      | N                                            |
/// | `plasticity`         | `hebbian`    | —      | `none`: a plain LSTM cell (no α, no Hebb)    |
/// | `alpha`              | `per_neuron` | —      | shape of α (plastic_recurrent.h's AlphaMode) |
/// | `clip`               | 2.0          | 1      | C, bound of Hebb                             |
/// | `w_init`             | 0.01         | 1      | w ~ U(−s, s)                                 |
/// | `alpha_init`         | 1e-4         | 1      | α ~ s·U(0, 1); scalar α = s                  |
/// | `non_modulated_rate` | unset        | 1/step | initial learned η added to M (see below)     |
/// | `forget_bias`        | 1.0          | 1      | initial b_f                                  |
///
/// **The plasticity rate M** (B, N) is the {synapse, plasticity} effect: the modulator fanned out
/// per postsynaptic unit by its receptor (Backpropamine `h2mod` + `modfanout`, from h_t). Absent,
/// M = 0 and Hebb never changes, unless `non_modulated_rate` is set: then the layer learns a
/// scalar η (Backpropamine's `modultype none`, η = 0.01 there) and M = η + effect (plasticity
/// combines additively).
///
/// **Timing**, as in PlasticRecurrent: the update of step t uses the modulator computed from h_t,
/// which reaches the layer with the next step's effects; `step` therefore first applies the
/// pending update (pre h_{t−2}, post ĉ_{t−1}, kept in state "h_prev" and "c_hat"), then computes
/// the step. Outputs equal the reference's; "hebb" after a step is the trace that produced it.
///
/// State (zeros at an episode start): "h", "c" (B, N); for `hebbian` also "h_prev", "c_hat"
/// (B, N) and "hebb" (B, N, N).
///
/// Initialisation: gate weights and biases U(±1/√N) as torch::nn::LSTMCell, except the forget
/// bias (1, as Mei et al. 2023); w U(±0.01) and α 1e-4·U(0,1) per neuron as the reference. Gates
/// use the logistic σ (Backpropamine); Mei et al. used Keras' hard sigmoid. The {soma, ·}
/// effects act on the candidate ĉ, the unit's input nonlinearity.
///
/// References: Miconi, Rawal, Clune & Stanley 2019 (ICLR), "Backpropamine", awd-lstm-lm
/// `PlasticLSTM`; Mei, Meshkinnejad & Mohsenzadeh 2023 (iScience 26(2):106026), `LSTMCellNM`.

#include <cstdint>
#include <optional>
#include <ostream>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/layers/modulated_layer.h"
#include "neuromod/layers/plastic_recurrent.h"

namespace neuromod {

/// Whether the cell-candidate path of a PlasticLSTM is plastic.
enum class LstmPlasticity {
  none,     ///< a plain LSTM cell
  hebbian,  ///< w + α ⊙ Hebb with the neuromodulated Hebbian trace
};

/// Names of the LSTM plasticity kinds.
inline const config::EnumNames<LstmPlasticity>& enum_names(LstmPlasticity) {
  static const config::EnumNames<LstmPlasticity> names{
      {LstmPlasticity::none, "none", "a plain LSTM cell"},
      {LstmPlasticity::hebbian, "hebbian",
       "plastic cell-candidate path, Hebb <- clip(Hebb + M h_prev c_hat) (Backpropamine)"}};
  return names;
}

/// Options of PlasticLSTM; see the table in plastic_lstm.h.
/// Example: `PlasticLSTMOptions(3, 128).clip(2.0)` — Mei et al.'s path-integration cell.
struct PlasticLSTMOptions {
  /// \param input_size   N_in (> 0).
  /// \param hidden_size  N (> 0).
  PlasticLSTMOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  /// Input size N_in.
  TORCH_ARG(int64_t, input_size);
  /// Number of cells N.
  TORCH_ARG(int64_t, hidden_size);
  /// Plastic cell-candidate path or a plain LSTM cell.
  TORCH_ARG(LstmPlasticity, plasticity) = LstmPlasticity::hebbian;
  /// Shape of α.
  TORCH_ARG(AlphaMode, alpha) = AlphaMode::per_neuron;
  /// Bound C of Hebb (> 0; +inf for none).
  TORCH_ARG(double, clip) = 2.0;
  /// Half-width s of the initial w ~ U(−s, s) (>= 0).
  TORCH_ARG(double, w_init) = 0.01;
  /// Scale s of the initial α ~ s·U(0, 1) (>= 0); a scalar α starts at s.
  TORCH_ARG(double, alpha_init) = 1e-4;
  /// Initial value of a learned, non-modulated plasticity rate η added to M; unset: none.
  TORCH_ARG(std::optional<double>, non_modulated_rate) = std::nullopt;
  /// Initial bias of the forget gate.
  TORCH_ARG(double, forget_bias) = 1.0;
};

/// An LSTM cell with a (neuromodulated) plastic cell-candidate recurrent path.
class PlasticLSTMImpl : public torch::nn::Cloneable<PlasticLSTMImpl>, public ModulatedLayer {
 public:
  /// The layer with default options for (input_size, hidden_size).
  PlasticLSTMImpl(int64_t input_size, int64_t hidden_size)
      : PlasticLSTMImpl(PlasticLSTMOptions(input_size, hidden_size)) {}
  /// The layer for `options` (validated; throws c10::Error naming a bad field).
  explicit PlasticLSTMImpl(const PlasticLSTMOptions& options);

  /// Validates the options and (re)creates and initialises the parameters.
  void reset() override;

  /// `neuromod::PlasticLSTM(input_size=3, hidden_size=128, plasticity=hebbian, ...)`
  void pretty_print(std::ostream& stream) const override;

  /// One step: the pending trace update with `effects`, then the cell (see "Timing").
  /// \param input    x_t, (B, N_in).
  /// \param state    from `initial_state` or the previous step.
  /// \param effects  soma gain/bias/threshold on ĉ and synapse plasticity (`hebbian`), (B, N).
  /// \returns        h_t (B, N) and the new state.
  LayerStep step(const torch::Tensor& input, const LayerState& state,
                 const UnitEffects& effects) override;

  /// `step`, LibTorch style.
  LayerStep forward(const torch::Tensor& input, const LayerState& state,
                    const UnitEffects& effects = {}) {
    return step(input, state, effects);
  }

  /// Zeros: "h", "c" (B, N); for `hebbian` also "h_prev", "c_hat" (B, N), "hebb" (B, N, N).
  LayerState initial_state(int64_t batch) const override;

  /// {soma: gain, bias, threshold}; {synapse: plasticity} for `hebbian`.
  std::vector<EffectKey> exposed_effects() const override;

  /// N = hidden_size.
  int64_t size() const override { return options.hidden_size(); }

  /// This module (to register, save, load and list its parameters).
  torch::nn::Module& module() override { return *this; }

  /// The options the layer was built with.
  PlasticLSTMOptions options;
  /// Input weights of the gates i, f, o and of the candidate c, stacked in that order:
  /// (4N, N_in).
  torch::Tensor input_weight;
  /// Recurrent weights U of the gates i, f, o, stacked: (3N, N).
  torch::Tensor recurrent_weight;
  /// Biases of i, f, o, c, stacked: (4N).
  torch::Tensor bias;
  /// w, (N_pre, N_post), the fixed part of the candidate's recurrent path.
  torch::Tensor w;
  /// α: (N, N), (N) or (); undefined for `none`.
  torch::Tensor alpha;
  /// Learned non-modulated rate η, (); undefined unless `non_modulated_rate` is set.
  torch::Tensor eta;
};

/// Module holder of PlasticLSTMImpl.
TORCH_MODULE(PlasticLSTM);

}  // namespace neuromod
