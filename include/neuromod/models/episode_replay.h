#pragma once
/// Training an agent whose network is Backpropamine's shape without a graph per step
/// (issue 4, "Speed"): a plastic recurrent layer reading the task input, linear heads reading
/// it, and at most one modulator, a learned nucleus reading the layer and setting its
/// plasticity (ModulatorySystemImpl::self_plasticity_drive).
///
/// The episode is first played step by step through ModulatedNetwork::step without gradients
/// (the agent needs each step's output before the next can run), while this records what the
/// layer's whole-episode operation needs: the inputs, the layer's outputs, the level its
/// plasticity read and its traces every few steps (functional::PlayedEpisodeRecorder). Then
/// `outputs` forms every layer's outputs over the episode at once, with the graph: the plastic
/// layer as one functional::plastic_episode operation, the heads as one product each on the
/// stacked outputs. The values are the steps' own; the gradients are those of the step-by-step
/// graph, up to floating-point rounding (the tests compare both in double).
///
/// Example (ActorCriticExperiment::train_step):
///     EpisodeReplay replay(*model, T, B);
///     { NoGradGuard g; for t: replay.before_step(t, x, state); state = step(...).state;
///                              replay.after_step(t, state); }
///     auto outputs = replay.outputs();  // layer name → (T, B, N)

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/types.h>

#include "neuromod/functional/plastic_episode.h"
#include "neuromod/models/modulated_network.h"

namespace neuromod {

class PlasticRecurrentImpl;

/// One training episode's replay; see the file comment.
class EpisodeReplay {
 public:
  /// Why `model` is not a network the replay takes (naming the layer, modulator or option), or
  /// "" when it is.
  static std::string unsupported(ModulatedNetworkImpl& model);

  /// For an episode of `steps` steps of `batch` samples. Throws std::invalid_argument with the
  /// reason of `unsupported`.
  EpisodeReplay(ModulatedNetworkImpl& model, int64_t steps, int64_t batch);

  /// Before step t: its input (B, inputs) and the state the step starts from.
  void before_step(int64_t t, const torch::Tensor& input, const NetworkState& state);
  /// After step t: the state it reached.
  void after_step(int64_t t, const NetworkState& state);

  /// Every layer's outputs over the episode by name, (T, B, N), differentiable in the
  /// parameters. Once, after the last step.
  std::map<std::string, torch::Tensor> outputs();

 private:
  ModulatedNetworkImpl& model_;
  PlasticRecurrentImpl* layer_ = nullptr;
  std::string layer_name_;
  std::string modulator_;  // "" without one
  std::vector<torch::Tensor> inputs_;
  functional::PlayedEpisodeRecorder recorder_;
};

}  // namespace neuromod
