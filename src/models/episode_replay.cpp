#include "neuromod/models/episode_replay.h"

#include <stdexcept>

#include <torch/torch.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/layers/plastic_recurrent.h"

namespace neuromod {

namespace {

PlasticRecurrentImpl* plastic_layer(ModulatedNetworkImpl& model) {
  if (model.layers().empty()) return nullptr;
  return dynamic_cast<PlasticRecurrentImpl*>(&model.layer_module(0));
}

// The layer's plasticity drive, or the reason there is none.
std::string drive_of(ModulatedNetworkImpl& model, SelfPlasticityDrive& drive) {
  const std::string& name = model.layers().front().name;
  const std::string why = model.modulation()->self_plasticity_drive(name, drive);
  return why.empty() ? ""
                     : "the modulation is not a plasticity drive of layer " + name + ": " + why;
}

}  // namespace

std::string EpisodeReplay::unsupported(ModulatedNetworkImpl& model) {
  const auto& layers = model.layers();
  PlasticRecurrentImpl* layer = plastic_layer(model);
  if (layer == nullptr) return "the first layer is not plastic_recurrent";
  const std::string& name = layers.front().name;
  if (model.source_index(0) != layers.size()) return "layer " + name + " does not read the input";
  for (std::size_t i = 1; i < layers.size(); ++i) {
    if (layers[i].kind != LayerKind::linear || model.source_index(i) != 0 ||
        !layers[i].apical_from.empty()) {
      return "layer " + layers[i].name + " is not a linear head reading layer " + name;
    }
  }
  const auto dtype = layer->w.scalar_type();
  if (dtype != torch::kFloat && dtype != torch::kDouble) return "parameters not float or double";
  if (!layer->w.device().is_cpu()) return "parameters not on the CPU";
  SelfPlasticityDrive drive;
  {
    torch::NoGradGuard no_grad;
    const std::string why = drive_of(model, drive);
    if (!why.empty()) return why;
  }
  const std::string why = layer->episode_unsupported(drive.nucleus_weight.defined());
  return why.empty() ? "" : "layer " + name + ": " + why;
}

namespace {

functional::PlayedEpisodeRecorder make_recorder(ModulatedNetworkImpl& model, int64_t steps,
                                                int64_t batch) {
  const std::string why = EpisodeReplay::unsupported(model);
  if (!why.empty()) throw std::invalid_argument("EpisodeReplay: " + why);
  // A supported network is modulated exactly when it has its one modulator.
  const bool modulated = !model.modulation()->options().modulators.empty();
  PlasticRecurrentImpl* layer = plastic_layer(model);
  return functional::PlayedEpisodeRecorder(layer->episode_update(modulated), steps, batch,
                                           layer->options.hidden_size(), layer->w.scalar_type());
}

}  // namespace

EpisodeReplay::EpisodeReplay(ModulatedNetworkImpl& model, int64_t steps, int64_t batch)
    : model_(model), recorder_(make_recorder(model, steps, batch)) {
  layer_ = plastic_layer(model);
  layer_name_ = model.layers().front().name;
  const auto& modulators = model.modulation()->options().modulators;
  if (!modulators.empty()) modulator_ = modulators.front().name;
}

void EpisodeReplay::before_step(int64_t t, const torch::Tensor& input, const NetworkState& state) {
  inputs_.push_back(input.detach());
  const LayerState& layer = state.layers.at(layer_name_);
  const auto trace = [&](const char* key) {
    const auto found = layer.find(key);
    return found == layer.end() ? torch::Tensor() : found->second;
  };
  const torch::Tensor level =
      modulator_.empty() ? torch::Tensor() : state.modulation.levels.at(modulator_);
  recorder_.before_step(t, trace("hebb"), trace("eligibility"), level);
}

void EpisodeReplay::after_step(int64_t t, const NetworkState& state) {
  recorder_.after_step(t, state.outputs.at(layer_name_));
}

std::map<std::string, torch::Tensor> EpisodeReplay::outputs() {
  TORCH_CHECK(!inputs_.empty(), "EpisodeReplay::outputs: no step was played");
  SelfPlasticityDrive drive;
  drive_of(model_, drive);
  const torch::Tensor hidden = layer_->episode(torch::stack(inputs_), drive, recorder_.finish());
  inputs_.clear();
  const int64_t steps = hidden.size(0);
  const int64_t batch = hidden.size(1);
  const torch::Tensor flat = hidden.reshape({steps * batch, hidden.size(2)});
  std::map<std::string, torch::Tensor> outputs{{layer_name_, hidden}};
  static const UnitEffects kNone;
  const auto& layers = model_.layers();
  for (std::size_t i = 1; i < layers.size(); ++i) {
    ModulatedLayer& head = model_.layer_module(i);
    const LayerStep result = head.step(flat, head.initial_state(steps * batch), kNone);
    outputs[layers[i].name] = result.output.view({steps, batch, -1});
  }
  return outputs;
}

}  // namespace neuromod
