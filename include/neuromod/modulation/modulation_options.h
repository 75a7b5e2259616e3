#pragma once
/// The config sections of the neuromodulatory system (DESIGN.md §1): `modulators`,
/// `projections`, `interactions`, `states` and `state_cycle`.
///
///   modulators:
///     - {name: DA, tau: 1, baseline: 0, range: [-1, 1],
///        source: {kind: learned, reads: [rnn], out: tanh}}
///   projections:
///     - {modulator: DA, target: rnn.all.synapse, effect: plasticity,
///        receptor: {kind: linear, fanout: learned}}
///   interactions:
///     - {modulator: 5HT, target: DA, on: release, kind: oppose, weight: 0.5}
///   states:
///     - {name: sleep, baselines: {ACh: 0.1, NE: 0.0}}
///   state_cycle: [{state: wake, steps: 800}, {state: sleep, steps: 200}]

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/functional/effects.h"
#include "neuromod/modulation/receptor_options.h"
#include "neuromod/modulation/source_options.h"
#include "neuromod/modulation/spatial_profile.h"

namespace neuromod {

/// Where a modulator's level lives.
enum class ModulatorSpace {
  global,  ///< one level per sample, (B, 1), broadcast to every target
  layer,   ///< one level per target layer, (B, L), in the order the projections name them
  unit,    ///< one level per unit of the layer `unit_layer`, (B, N): diffuses over the units
};

inline const config::EnumNames<ModulatorSpace>& enum_names(ModulatorSpace) {
  static const config::EnumNames<ModulatorSpace> names{
      {ModulatorSpace::global, "global", "one level per sample, shared by every target"},
      {ModulatorSpace::layer, "layer", "one level per target layer"},
      {ModulatorSpace::unit, "unit", "one level per unit of `unit_layer`"}};
  return names;
}

struct ModulatorOptions;

/// Sets tau, baseline and range from the modulator preset named like `options.name`
/// (modulator_presets.h: DA, 5HT, NE, ACh, HA); other names are left as they are.
void apply_modulator_preset(ModulatorOptions& options);

/// One modulator: level dynamics c(t+1) = clamp(c + dt/tau (b − c) + r(t), range).
struct ModulatorOptions {
  std::string name;       ///< DA, 5HT, NE, ACh, HA (presets) or any name
  double tau = 1.0;       ///< time constant in steps; 1 (= dt) is an instantaneous signal
  double baseline = 0.0;  ///< tonic baseline b (a brain state may override it)
  std::vector<double> range{-std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::infinity()};  ///< [lo, hi]
  ModulatorSpace space = ModulatorSpace::global;
  std::string unit_layer;  ///< the layer whose units carry the level when space = unit
  SourceOptions source;    ///< what makes it release

  /// Example: - {name: DA, tau: 1, range: [-1, 1], source: {kind: learned, reads: [rnn]}}
  template <class V>
  void visit(V& v) {
    const std::string before = name;
    v("name", name, "modulator name (DA, 5HT, NE, ACh, HA or your own)",
      config::check::non_empty());
    // Only a reader changes `name`: a preset's tau, baseline and range become the defaults,
    // which the keys below may override.
    if (name != before) apply_modulator_preset(*this);
    v("tau", tau, "time constant tau in steps (1: instantaneous)", config::check::at_least(1.0));
    v("baseline", baseline, "tonic baseline b");
    v("range", range, "[lo, hi] bounds of the level (.inf for none)");
    v("space", space, "where the level lives");
    v("unit_layer", unit_layer, "the layer whose units carry the level (space: unit)");
    v("source", source, "what makes the modulator release");
  }
};

/// One projection: modulator → layer.population.compartment, read by a receptor, turning
/// one effect.
struct ProjectionOptions {
  std::string modulator;  ///< a modulator's name
  std::string target;     ///< `layer.population.compartment`; `*` and `?` glob layer and population
  functional::EffectKind effect = functional::EffectKind::gain;
  ReceptorOptions receptor;
  SpatialProfileOptions profile;
  int64_t delay = 0;    ///< steps between release and arrival
  double weight = 1.0;  ///< scales the receptor's effect value

  /// Example: - {modulator: ACh, target: "hidden.*.soma", effect: gain, receptor: M1}
  template <class V>
  void visit(V& v) {
    v("modulator", modulator, "name of the projecting modulator", config::check::non_empty());
    v("target", target, "layer.population.compartment (globs * and ? allowed)",
      config::check::non_empty());
    v("effect", effect, "the knob the projection turns");
    v("receptor", receptor, "the receptor that reads the level (a preset name or a mapping)");
    v("profile", profile, "spatial profile of the level over the target's units");
    v("delay", delay, "steps between release and arrival", config::check::at_least(int64_t{0}));
    v("weight", weight, "scale of the effect value");
  }
};

/// How one modulator acts on another.
enum class InteractionSite {
  release,   ///< on the target modulator's release r(t)
  efficacy,  ///< on the level the target modulator delivers to its receptors
};
inline const config::EnumNames<InteractionSite>& enum_names(InteractionSite) {
  static const config::EnumNames<InteractionSite> names{
      {InteractionSite::release, "release", "acts on the target modulator's release r(t)"},
      {InteractionSite::efficacy, "efficacy",
       "acts on the level the target delivers to its receptors"}};
  return names;
}

enum class InteractionKind {
  scale,   ///< x ← x · (1 + w · c_A)
  oppose,  ///< x ← x − w · c_A
};
inline const config::EnumNames<InteractionKind>& enum_names(InteractionKind) {
  static const config::EnumNames<InteractionKind> names{
      {InteractionKind::scale, "scale", "x <- x * (1 + weight * c_A)"},
      {InteractionKind::oppose, "oppose", "x <- x - weight * c_A"}};
  return names;
}

/// Modulator A (`modulator`) scales or opposes modulator B's (`target`) release or efficacy,
/// e.g. ACh gating dopamine-driven plasticity, serotonin opposing dopamine.
struct InteractionOptions {
  std::string modulator;  ///< A
  std::string target;     ///< B
  InteractionSite on = InteractionSite::efficacy;
  InteractionKind kind = InteractionKind::scale;
  double weight = 1.0;

  /// Example: - {modulator: 5HT, target: DA, on: release, kind: oppose, weight: 0.5}
  template <class V>
  void visit(V& v) {
    v("modulator", modulator, "the acting modulator A", config::check::non_empty());
    v("target", target, "the modulator B acted on", config::check::non_empty());
    v("on", on, "what of B is changed");
    v("kind", kind, "how");
    v("weight", weight, "strength w");
  }
};

/// A named brain state: tonic baselines of some modulators.
struct BrainStateOptions {
  std::string name;
  std::map<std::string, double> baselines;  ///< modulator name → baseline b

  /// Example: - {name: sleep, baselines: {ACh: 0.1, NE: 0.0}}
  template <class V>
  void visit(V& v) {
    v("name", name, "state name", config::check::non_empty());
    v("baselines", baselines, "modulator name -> tonic baseline in this state");
  }
};

/// One segment of the repeating cycle of brain states.
struct StateSegmentOptions {
  std::string state;
  int64_t steps = 1;  ///< optimiser steps spent in the state

  /// Example: - {state: wake, steps: 800}
  template <class V>
  void visit(V& v) {
    v("state", state, "a state's name", config::check::non_empty());
    v("steps", steps, "optimiser steps in this state", config::check::at_least(int64_t{1}));
  }
};

/// Every modulation section of a config, as the network takes them.
struct ModulationOptions {
  std::vector<ModulatorOptions> modulators;
  std::vector<ProjectionOptions> projections;
  std::vector<InteractionOptions> interactions;
  std::vector<BrainStateOptions> states;
  std::vector<StateSegmentOptions> state_cycle;
};

}  // namespace neuromod
