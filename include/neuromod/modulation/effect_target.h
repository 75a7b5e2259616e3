#pragma once
/// Where on a unit an effect acts: the compartment, and the (compartment, effect) key under
/// which a layer receives the combined value of all projections onto it.

#include <torch/types.h>

#include <map>
#include <tuple>

#include "neuromod/config/enum_names.h"
#include "neuromod/functional/effects.h"

namespace neuromod {

/// Compartments of a unit that a projection can target (DESIGN.md §1 "Projections").
enum class Compartment {
  soma,     ///< the unit's activation: gain, bias, threshold, noise
  apical,   ///< apical dendrite of two-compartment units (feedback / context input)
  basal,    ///< basal dendrite of two-compartment units (feed-forward input)
  synapse,  ///< the plastic synapses onto the unit: plasticity, trace_decay
  output,   ///< the unit's output: gate
};

inline const config::EnumNames<Compartment>& enum_names(Compartment) {
  static const config::EnumNames<Compartment> names{
      {Compartment::soma, "soma", "the unit's activation f(g z + b): gain, bias, threshold, noise"},
      {Compartment::apical, "apical", "apical dendrite of two-compartment units"},
      {Compartment::basal, "basal", "basal dendrite of two-compartment units"},
      {Compartment::synapse, "synapse", "plastic synapses onto the unit: plasticity, trace_decay"},
      {Compartment::output, "output", "the unit's output: gate"}};
  return names;
}

/// One knob of a layer: an effect on a compartment, e.g. {soma, gain} or {synapse, plasticity}.
struct EffectKey {
  Compartment compartment = Compartment::soma;
  functional::EffectKind effect = functional::EffectKind::gain;

  bool operator<(const EffectKey& other) const {
    return std::tie(compartment, effect) < std::tie(other.compartment, other.effect);
  }
  bool operator==(const EffectKey& other) const {
    return compartment == other.compartment && effect == other.effect;
  }
};

/// The combined value of every projection onto each knob of one layer, for one step.
/// Each tensor is (B, N) — one value per sample and unit, N the layer's size — with the
/// neutral value of the effect's combination rule on units outside the projections'
/// populations. A knob that no projection targets is absent: the layer uses its own default.
using UnitEffects = std::map<EffectKey, torch::Tensor>;

/// The value of `key` in `effects`, or an undefined tensor when absent.
inline torch::Tensor find_effect(const UnitEffects& effects, EffectKey key) {
  const auto found = effects.find(key);
  return found == effects.end() ? torch::Tensor() : found->second;
}

}  // namespace neuromod
