#pragma once
/// One entry of the `layers:` list of a run's config.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/functional/activation.h"
#include "neuromod/layers/plastic_recurrent.h"
#include "neuromod/modulation/population.h"

namespace neuromod {

/// The layer kinds neuromod builds.
enum class LayerKind {
  linear,             ///< ModulatedLinear: y = gate · f(g (W x + b) + bias − θ)
  plastic_recurrent,  ///< PlasticRecurrent: h = f(W_in x + h_prev (W + α ⊙ P))
  plastic_lstm,       ///< PlasticLSTM: LSTM with a plastic cell-candidate path
  dendritic,          ///< DendriticLayer: two-compartment units (basal + apical)
  dropout,            ///< ModulatedDropout: dropout whose probability a modulator can set
};

inline const config::EnumNames<LayerKind>& enum_names(LayerKind) {
  static const config::EnumNames<LayerKind> names{
      {LayerKind::linear, "linear",
       "fully connected units, y = gate * f(gain * (W x + b) + bias - threshold)"},
      {LayerKind::plastic_recurrent, "plastic_recurrent",
       "recurrent units with Hebbian plastic weights, h = f(W_in x + h_prev (W + alpha * P)) "
       "(Miconi et al. 2018, 2019)"},
      {LayerKind::plastic_lstm, "plastic_lstm",
       "LSTM whose cell-candidate path is plastic (Backpropamine; Mei et al. 2023)"},
      {LayerKind::dendritic, "dendritic",
       "two-compartment units with basal and apical dendrites (Guerguiev et al. 2017)"},
      {LayerKind::dropout, "dropout", "dropout whose probability a modulator can set"}};
  return names;
}

/// The activation a layer of `kind` gets when the config does not name one.
functional::Activation default_activation(LayerKind kind);

/// Options of one layer.
struct LayerOptions {
  std::string name;  ///< unique; projections target layers by name
  LayerKind kind = LayerKind::linear;
  int64_t size = 0;  ///< units; 0 on the last layer = task outputs
  std::string from;  ///< input layer ("" = the previous one; "input" = the task's)
  /// f; unset means the kind's default: relu (linear), tanh (plastic_recurrent),
  /// sigmoid (dendritic); load_run_config fills it in.
  std::optional<functional::Activation> activation;
  bool bias = true;
  std::vector<PopulationOptions> populations;  ///< cell types (the population `all` is implicit)
  std::vector<int64_t> layout;                 ///< unit layout for diffusion: [N] or [rows, cols]
  // Plastic layers (plastic_recurrent, plastic_lstm).
  PlasticityRule plasticity = PlasticityRule::none;
  AlphaMode alpha = AlphaMode::per_connection;
  double clip = 1.0;  ///< bound of the plastic component
  double eta = 0.1;   ///< rate of the eligibility trace / decaying or clipped Hebb
  bool learn_eta = true;
  bool input_weights = true;  ///< false: the input is added directly (Miconi et al. 2018)
  WeightInit init = WeightInit::uniform;   ///< distribution of the initial W and alpha
  FusedMode fused = FusedMode::automatic;  ///< plastic_recurrent: fused step kernel or generic ops
  bool in_place_traces = true;  ///< plastic_recurrent: fused steps update the traces in place
  // Dendritic layers.
  std::string apical_from;  ///< layer whose previous-step output drives the apical dendrites
  // Dropout layers.
  double p = 0.5;  ///< dropout probability unless a modulator sets it

  /// Example: - {name: rnn, kind: plastic_recurrent, size: 100, plasticity: retroactive}
  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("name", name, "unique layer name (projections target layers by name)");
    v("kind", kind, "layer kind");
    v("size", size, "number of units (0 on the last layer: the task's output count)",
      at_least(int64_t{0}));
    v("from", from, "input: a layer's name, 'input' for the task input, '' for the previous layer");
    v("activation", activation,
      "activation function f (default: relu; tanh for plastic_recurrent; sigmoid for dendritic)");
    v("bias", bias, "whether the layer has a bias b");
    v("populations", populations, "named cell types: index ranges, random fractions, unit lists");
    v("layout", layout, "unit layout for diffusion: [N] or [rows, cols]");
    v("plasticity", plasticity, "Hebbian plasticity rule of plastic layers");
    v("alpha", alpha, "shape of the plasticity coefficients alpha");
    v("clip", clip, "bound of the plastic component", positive());
    v("eta", eta, "rate of the eligibility trace or of non-modulated plasticity", positive());
    v("learn_eta", learn_eta, "whether eta is learned");
    v("init", init, "plastic_recurrent: distribution of the initial W and alpha");
    v("input_weights", input_weights,
      "plastic_recurrent: learned input weights (false: the input, as wide as the layer, is "
      "added directly, as in Miconi et al. 2018)");
    v("fused", fused,
      "plastic_recurrent: run each step as one fused kernel with a memory-saving backward, and an "
      "agent's whole episode as one operation where the network allows it (auto: where it "
      "applies; step: fused steps only; off: generic tensor ops, the reference)");
    v("in_place_traces", in_place_traces,
      "plastic_recurrent: fused steps update the Hebbian and eligibility traces in their own "
      "storage (half the memory traffic; neuromod's loops never keep an earlier step's traces)");
    v("apical_from", apical_from, "layer whose previous output drives the apical dendrites");
    v("p", p, "dropout probability (dropout layers)", in_range(0.0, 0.99));
  }
};

}  // namespace neuromod
