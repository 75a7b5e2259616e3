#pragma once
/// The interface every neuromodulated layer implements, so that networks, the modulatory
/// system and the recorder treat all layer kinds alike.
///
/// A layer is a LibTorch module (`XxxImpl : torch::nn::Cloneable<XxxImpl>, ModulatedLayer`)
/// that computes one step from its input, its explicit per-episode state and the effects the
/// modulatory system derived for this step; it owns no hidden mutable state.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "neuromod/modulation/effect_target.h"

namespace neuromod {

/// Per-episode state of a layer by canonical name, e.g. "h" (B, N) hidden activity,
/// "hebb" (B, N_in, N) Hebbian trace, "eligibility" (B, N_in, N), "c" (B, N) LSTM cell.
/// Empty for stateless layers. Reset at each episode start by `initial_state`.
using LayerState = std::map<std::string, torch::Tensor>;

/// What one step of a layer returns.
struct LayerStep {
  torch::Tensor output;  ///< (B, N) the layer's output this step
  LayerState state;      ///< the state after this step (same keys as the input state)
};

/// A layer the modulatory system can act on.
class ModulatedLayer {
 public:
  virtual ~ModulatedLayer() = default;

  /// One step. input: (B, N_in); state: from `initial_state` or the previous step;
  /// effects: combined projection values for this step (absent keys: the layer's defaults).
  virtual LayerStep step(const torch::Tensor& input, const LayerState& state,
                         const UnitEffects& effects) = 0;

  /// State at the start of an episode for `batch` samples (zeros for traces).
  virtual LayerState initial_state(int64_t batch) const = 0;

  /// The (compartment, effect) knobs this layer reads; projecting onto any other is a
  /// config error naming both.
  virtual std::vector<EffectKey> exposed_effects() const = 0;

  /// Number of units N.
  virtual int64_t size() const = 0;

  /// The layer as a LibTorch module (to register, save, load and list parameters).
  virtual torch::nn::Module& module() = 0;
};

}  // namespace neuromod
