#pragma once
/// \file
/// A whole episode of a plastic recurrent layer as one operation with its own backward: the
/// layer of Backpropamine's networks (Miconi et al. 2019), with the learned nucleus that sets
/// its plasticity inside the time loop. From h_{−1} = h_{−2} = 0 and P = E = 0, for t = 0 … T−1:
///
///     M_t      = g(v_M · h_{t−1} + c_M)  (t ≥ 1),  M_0 = 0       the nucleus (level = release)
///     m_t      = base + slope ⊙ M_t                              the receptor, one value per unit
///     P_t, E_t = update(P_{t−1}, E_{t−1}; u = h_{t−2}, v = h_{t−1}, m_t, r)
///     h_t      = f(drive_t + h_{t−1} (w + α ⊙ P_t))
///
/// with the updates of fused_plastic.h. Without a nucleus m = base throughout. This is what
/// PlasticRecurrent and a `learned` source reading it compute step by step (the modulator's
/// level at step t is the release of step t − 1, which read h_{t−1}; it starts at its baseline
/// 0); `plastic_episode_reference` composes exactly those steps from fused_plastic.h's reference
/// step and is what the tests compare against.
///
/// **Why a whole episode.** Once the episode has been played (the actions need each step's
/// output before the next step can run), its gradient no longer needs the batch in lockstep:
/// backward runs sample by sample and, within a sample, backwards in time, so that the sample's
/// trace gradients, α and its gradient stay in the core's L2 cache for the whole episode instead
/// of streaming every sample's (N, N) tensors through memory at every step, and no autograd
/// node exists per step. The forward pass does the same, sample by sample. Per sample it keeps
/// (P, E) every `stride` steps; backward recomputes a stride of steps from there into a buffer
/// sized to stay in L2. Backward's outputs for drive and w are formed from all steps at once
/// (dL/d drive_t = dL/dz_t; dL/dw = Σ_t h_{t−1}ᵀ dL/dz_t, one matrix product).
///
/// Shapes: drive (T, B, N); w (N, N); α (N, N), (N) or (); r, base, slope () or (N); v_M (N);
/// c_M (). Returns H, (T, B, N). Float32 and float64 on the CPU.

#include <cstdint>
#include <string>

#include <torch/arg.h>
#include <torch/types.h>

#include "neuromod/functional/activation.h"
#include "neuromod/functional/fused_plastic.h"

namespace neuromod::functional {

/// The tensors of an episode. Undefined where not read.
struct PlasticEpisodeInputs {
  torch::Tensor drive;             ///< W_in x_t + b for every step, (T, B, N)
  torch::Tensor w;                 ///< (N, N)
  torch::Tensor alpha;             ///< (N, N), (N) or ()
  torch::Tensor rate;              ///< r: `decaying_hebb`, `retroactive`, `eligibility_only`
  torch::Tensor modulation_base;   ///< m without the nucleus's part: `clipped_hebb`, `retroactive`
  torch::Tensor modulation_slope;  ///< how much of M_t each unit's m takes; with a nucleus
  torch::Tensor nucleus_weight;    ///< v_M, (N); undefined: no nucleus
  torch::Tensor nucleus_bias;      ///< c_M, (); with a nucleus
};

/// What an episode does besides its tensors.
/// Example: `PlasticEpisodeOptions(FusedUpdate::retroactive).nucleus_activation(Activation::tanh)`
struct PlasticEpisodeOptions {
  explicit PlasticEpisodeOptions(FusedUpdate update) : update_(update) {}
  /// The trace update.
  TORCH_ARG(FusedUpdate, update);
  /// f: identity, relu, tanh or sigmoid.
  TORCH_ARG(Activation, activation) = Activation::tanh;
  /// g, the nucleus's output: identity, relu, tanh or sigmoid.
  TORCH_ARG(Activation, nucleus_activation) = Activation::tanh;
  /// C > 0 of `clipped_hebb` and `retroactive`.
  TORCH_ARG(double, clip) = 1.0;
  /// Steps between the trace snapshots backward recomputes from (0: chosen for the cache).
  TORCH_ARG(int64_t, stride) = 0;
};

/// An episode already played step by step (by PlasticRecurrent's fused steps, while an agent
/// acted on each step's output), which `plastic_episode` then takes instead of playing it again:
/// its forward costs a copy, and backward reads the trajectory the steps produced.
struct PlayedEpisode {
  torch::Tensor hidden;       ///< h_t, (T, B, N)
  torch::Tensor levels;       ///< M_t, the level step t's plasticity read, (T, B)
  torch::Tensor plastic;      ///< P at the input of steps 0, S, 2S, …, (⌈T/S⌉, B, N, N)
  torch::Tensor eligibility;  ///< E likewise; each undefined where the update never writes it
  int64_t stride = 0;         ///< S
};

/// Collects a PlayedEpisode while the steps run (under torch::NoGradGuard or not: it copies).
/// Example: before step t `recorder.before_step(t, P, E, level)`, after it
/// `recorder.after_step(t, h)`, at the end `plastic_episode(inputs, options, recorder.finish())`.
class PlayedEpisodeRecorder {
 public:
  /// The stride is `plastic_episode_stride` of these sizes.
  PlayedEpisodeRecorder(FusedUpdate update, int64_t steps, int64_t batch, int64_t n,
                        torch::Dtype dtype);
  /// Before step t: the traces at its input (P, E (B, N, N); E undefined without one) and the
  /// level its plasticity reads ((B), (B, 1); undefined: no nucleus, 0).
  void before_step(int64_t t, const torch::Tensor& plastic, const torch::Tensor& eligibility,
                   const torch::Tensor& level);
  /// After step t: h_t, (B, N).
  void after_step(int64_t t, const torch::Tensor& h);
  /// The episode; throws c10::Error when a step is missing.
  PlayedEpisode finish();

 private:
  PlayedEpisode played_;
  int64_t steps_;
  int64_t seen_ = 0;
};

/// Steps between trace snapshots that `plastic_episode` uses (and a PlayedEpisode must have).
int64_t plastic_episode_stride(FusedUpdate update, int64_t steps, int64_t n, torch::Dtype dtype);

/// Why `plastic_episode` cannot take these inputs, or "" when it can.
std::string plastic_episode_unsupported(const PlasticEpisodeInputs& inputs,
                                        const PlasticEpisodeOptions& options);

/// The episode, differentiable in every input that requires grad. Throws c10::Error with the
/// reason of `plastic_episode_unsupported` for inputs it does not take.
torch::Tensor plastic_episode(const PlasticEpisodeInputs& inputs,
                              const PlasticEpisodeOptions& options);

/// The episode `played` step by step: outputs H (a copy of played.hidden); backward as above.
/// Throws c10::Error when `played` does not fit the inputs.
torch::Tensor plastic_episode(const PlasticEpisodeInputs& inputs,
                              const PlasticEpisodeOptions& options, const PlayedEpisode& played);

/// The same episode step by step from `plastic_step_reference` and generic tensor ops.
torch::Tensor plastic_episode_reference(const PlasticEpisodeInputs& inputs,
                                        const PlasticEpisodeOptions& options);

}  // namespace neuromod::functional
