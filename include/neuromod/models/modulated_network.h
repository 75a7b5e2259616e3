#pragma once
/// A network of modulated layers with the neuromodulatory system acting on it: the model
/// every config builds. Layers run in config order, each reading the task input or another
/// layer's output of the same step (`from`); a dendritic layer's apical input is another
/// layer's output of the previous step (`apical_from`).
///
/// One step follows DESIGN.md §1: modulators whose sources read only the task's context
/// release; effects are derived; layers compute activity; the other sources read this
/// step's activity and signals; levels update. A feed-forward classifier is one step from
/// the initial state; a recurrent agent steps through an episode, carrying the state.

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "neuromod/layers/layer_options.h"
#include "neuromod/layers/modulated_layer.h"
#include "neuromod/modulation/modulatory_system.h"

namespace neuromod {

/// Sizes the task gives the network.
struct NetworkShape {
  int64_t inputs = 0;   ///< width of the task's input
  int64_t outputs = 0;  ///< size of a last layer declared with size 0
  int64_t context = 0;  ///< width of the task's context signal (0: none)
};

/// Fills signals that depend on this step's layer outputs (e.g. an agent's TD error from its
/// value layer, or its action probabilities) before the after-layers sources read them.
/// Called with the signals and every layer's output by name.
using AfterLayersHook = std::function<void(SourceSignals& signals,
                                           const std::map<std::string, torch::Tensor>& outputs)>;

/// Everything that changes within an episode.
struct NetworkState {
  std::map<std::string, LayerState> layers;      ///< per layer name
  std::map<std::string, torch::Tensor> outputs;  ///< per layer name: its last output (B, N)
  ModulatoryState modulation;
};

/// One step's result.
struct NetworkStep {
  torch::Tensor output;  ///< (B, N_last) the last layer's output
  NetworkState state;
};

/// The resolved layer list of a config: sizes filled in (0 → the task's outputs for the last
/// layer, the input size for dropout layers). Throws std::invalid_argument naming the layer.
std::vector<LayerOptions> resolve_layers(std::vector<LayerOptions> layers,
                                         const NetworkShape& shape);

/// LayerSites (size, exposed effects, populations, layout) of resolved layers, for
/// validation and for the modulatory system.
std::vector<LayerSite> layer_sites(const std::vector<LayerOptions>& layers,
                                   const NetworkShape& shape);

/// Layers plus modulatory system.
class ModulatedNetworkImpl : public torch::nn::Cloneable<ModulatedNetworkImpl> {
 public:
  /// Throws std::invalid_argument / ModulationError naming the bad layer or key.
  ModulatedNetworkImpl(std::vector<LayerOptions> layers, ModulationOptions modulation,
                       NetworkShape shape);

  void reset() override;

  /// State at an episode's start (levels at the baselines of `training_step`'s brain state).
  NetworkState initial_state(int64_t batch, int64_t training_step = 0) const;

  /// One step. `input`: (B, inputs); `signals` carries what the task provides (context,
  /// reward, TD error, loss, clocks); the network adds the layers' activity.
  NetworkStep step(const torch::Tensor& input, const NetworkState& state, SourceSignals signals,
                   const AfterLayersHook& after_layers = {});

  /// A feed-forward pass: one step from the initial state. Returns (B, outputs).
  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& context = {},
                        int64_t training_step = 0);

  /// Learner-level effects at the state (learning-rate multipliers, dropout, beta, gamma).
  LearnerEffects learner_effects(const NetworkState& state);

  /// Everything recordable at `state`, by canonical name (record/names.h): layer outputs and
  /// states, modulator levels and the effects they produce. Detached copies.
  std::map<std::string, torch::Tensor> recordables(const NetworkState& state);

  /// Parameters of one layer (for per-layer learning rates).
  std::vector<torch::Tensor> layer_parameters(const std::string& layer);

  const std::vector<LayerOptions>& layers() const { return layers_; }
  /// The module of layer `i` (in config order).
  ModulatedLayer& layer_module(std::size_t i) { return *modules_.at(i); }
  /// Index of the layer that layer `i` reads, or layers().size() for the task input.
  std::size_t source_index(std::size_t i) const;
  ModulatorySystem& modulation() { return system_; }

  void pretty_print(std::ostream& stream) const override;

 private:
  int64_t input_size_of(std::size_t layer) const;

  std::vector<LayerOptions> layers_;
  ModulationOptions modulation_;
  NetworkShape shape_;
  std::vector<std::shared_ptr<ModulatedLayer>> modules_;
  ModulatorySystem system_{nullptr};
};

TORCH_MODULE(ModulatedNetwork);

}  // namespace neuromod
