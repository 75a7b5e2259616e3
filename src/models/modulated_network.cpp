#include "neuromod/models/modulated_network.h"

#include <torch/torch.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/layers/layer_factory.h"
#include "neuromod/record/names.h"

namespace neuromod {

namespace {

std::size_t index_of(const std::vector<LayerOptions>& layers, const std::string& name) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == name) return i;
  }
  return layers.size();
}

// Index of the layer feeding layer `i`, or layers.size() for the task input.
std::size_t source_of(const std::vector<LayerOptions>& layers, std::size_t i) {
  const std::string& from = layers[i].from;
  if (from == "input" || (from.empty() && i == 0)) return layers.size();
  if (from.empty()) return i - 1;
  return index_of(layers, from);
}

}  // namespace

std::vector<LayerOptions> resolve_layers(std::vector<LayerOptions> layers,
                                         const NetworkShape& shape) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LayerOptions& layer = layers[i];
    const std::size_t source = source_of(layers, i);
    if (!layer.from.empty() && layer.from != "input" && source >= i) {
      throw std::invalid_argument("layer \"" + layer.name + "\": from \"" + layer.from +
                                  "\" must name an earlier layer or 'input'");
    }
    const int64_t input = source == layers.size() ? shape.inputs : layers[source].size;
    if (layer.kind == LayerKind::dropout && layer.size == 0) layer.size = input;
    if (layer.size == 0 && i + 1 == layers.size()) layer.size = shape.outputs;
    if (layer.size <= 0) {
      throw std::invalid_argument("layer \"" + layer.name + "\": size must be >= 1");
    }
    if (!layer.apical_from.empty() && index_of(layers, layer.apical_from) == layers.size()) {
      throw std::invalid_argument("layer \"" + layer.name + "\": apical_from \"" +
                                  layer.apical_from + "\" is not a layer");
    }
  }
  return layers;
}

std::vector<LayerSite> layer_sites(const std::vector<LayerOptions>& layers,
                                   const NetworkShape& shape) {
  std::vector<LayerSite> sites;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::size_t source = source_of(layers, i);
    const int64_t input = source == layers.size() ? shape.inputs : layers[source].size;
    const std::size_t apical = index_of(layers, layers[i].apical_from);
    const int64_t apical_size = apical < layers.size() ? layers[apical].size : 0;
    // The layer itself says which knobs it exposes; a throwaway instance asks it.
    const auto layer = make_layer(layers[i], input, apical_size);
    sites.push_back({layers[i].name, layers[i].size, layer->exposed_effects(),
                     layers[i].populations, layers[i].layout});
  }
  return sites;
}

ModulatedNetworkImpl::ModulatedNetworkImpl(std::vector<LayerOptions> layers,
                                           ModulationOptions modulation, NetworkShape shape)
    : layers_(resolve_layers(std::move(layers), shape)),
      modulation_(std::move(modulation)),
      shape_(shape) {
  reset();
}

std::size_t ModulatedNetworkImpl::source_index(std::size_t i) const {
  return source_of(layers_, i);
}

int64_t ModulatedNetworkImpl::input_size_of(std::size_t layer) const {
  const std::size_t source = source_of(layers_, layer);
  return source == layers_.size() ? shape_.inputs : layers_[source].size;
}

void ModulatedNetworkImpl::reset() {
  modules_.clear();
  std::map<std::string, int64_t> signal_sizes;
  if (shape_.context > 0) signal_sizes["context"] = shape_.context;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const std::size_t apical = index_of(layers_, layers_[i].apical_from);
    const int64_t apical_size = apical < layers_.size() ? layers_[apical].size : 0;
    auto layer = make_layer(layers_[i], input_size_of(i), apical_size);
    register_module("layer_" + layers_[i].name,
                    std::dynamic_pointer_cast<torch::nn::Module>(layer));
    modules_.push_back(layer);
    signal_sizes[layers_[i].name] = layers_[i].size;
  }
  std::vector<LayerSite> sites;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    sites.push_back({layers_[i].name, layers_[i].size, modules_[i]->exposed_effects(),
                     layers_[i].populations, layers_[i].layout});
  }
  system_ = register_module("modulation", ModulatorySystem(modulation_, sites, signal_sizes));
}

NetworkState ModulatedNetworkImpl::initial_state(int64_t batch, int64_t training_step) const {
  NetworkState state;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    state.layers[layers_[i].name] = modules_[i]->initial_state(batch);
    state.outputs[layers_[i].name] = torch::zeros({batch, layers_[i].size});
  }
  state.modulation = system_->initial_state(batch, training_step);
  return state;
}

NetworkStep ModulatedNetworkImpl::step(const torch::Tensor& input, const NetworkState& state,
                                       SourceSignals signals, const AfterLayersHook& after_layers) {
  signals.batch = input.size(0);
  NetworkState next;
  next.modulation = system_->update(state.modulation, signals, ReleasePhase::before_layers);
  const auto effects = system_->unit_effects(next.modulation);
  static const UnitEffects kNone;

  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const LayerOptions& options = layers_[i];
    const std::size_t source = source_of(layers_, i);
    const torch::Tensor& x =
        source == layers_.size() ? input : next.outputs.at(layers_[source].name);
    LayerState layer_state = state.layers.at(options.name);
    if (!options.apical_from.empty()) {
      layer_state["apical_input"] = state.outputs.at(options.apical_from);
    }
    const auto found = effects.find(options.name);
    LayerStep result =
        modules_[i]->step(x, layer_state, found == effects.end() ? kNone : found->second);
    next.outputs[options.name] = result.output;
    next.layers[options.name] = std::move(result.state);
    signals.activity[options.name] = result.output;
  }

  if (after_layers) after_layers(signals, next.outputs);
  next.modulation = system_->update(next.modulation, signals, ReleasePhase::after_layers);
  return {next.outputs.at(layers_.back().name), std::move(next)};
}

torch::Tensor ModulatedNetworkImpl::forward(const torch::Tensor& input,
                                            const torch::Tensor& context, int64_t training_step) {
  SourceSignals signals;
  signals.context = context;
  signals.training_step = training_step;
  return step(input, initial_state(input.size(0), training_step), signals).output;
}

LearnerEffects ModulatedNetworkImpl::learner_effects(const NetworkState& state) {
  return system_->learner_effects(state.modulation);
}

std::map<std::string, torch::Tensor> ModulatedNetworkImpl::recordables(const NetworkState& state) {
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> values;
  for (const auto& [layer, output] : state.outputs) {
    values[names::layer_output(layer)] = output.detach();
  }
  for (const auto& [layer, layer_state] : state.layers) {
    for (const auto& [key, tensor] : layer_state) {
      values[names::layer_state(layer, key)] = tensor.detach();
    }
  }
  for (const auto& [modulator, level] : state.modulation.levels) {
    values[names::modulator_level(modulator)] = level.detach();
  }
  for (const auto& [layer, effects] : system_->unit_effects(state.modulation)) {
    for (const auto& [key, value] : effects) values[names::effect(layer, key)] = value.detach();
  }
  return values;
}

std::vector<torch::Tensor> ModulatedNetworkImpl::layer_parameters(const std::string& layer) {
  const std::size_t i = index_of(layers_, layer);
  TORCH_CHECK(i < layers_.size(), "no layer named ", layer);
  return modules_[i]->module().parameters();
}

void ModulatedNetworkImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::ModulatedNetwork(" << shape_.inputs;
  for (const auto& layer : layers_) {
    stream << " -> " << layer.name << ":" << config::enum_name(layer.kind) << ":" << layer.size;
  }
  stream << ", modulators=" << modulation_.modulators.size()
         << ", projections=" << modulation_.projections.size() << ")";
}

}  // namespace neuromod
