#pragma once
/// The neuromodulatory system (DESIGN.md §1): modulators with level dynamics and sources,
/// projections onto layer.population.compartment read by receptors, interactions between
/// modulators and brain states, stepped in the order
///
///   1. layers compute activity with the effects of the current levels;
///   2. sources read this step's signals;
///   3. levels update: c(t+1) = clamp(c + dt/tau (b − c) + r(t), range);
///      plasticity uses this step's level (as Backpropamine does);
///   4. effects for the next step are derived from the new levels.
///
/// Sources that read only what the task provides before the layers run (its context, the
/// training clock, a constant) release in phase `before_layers`, so that a context
/// modulator (NMN, ANML) acts within the same step; the others (layer activity, reward, TD
/// error, predictions) release in phase `after_layers`.
///
/// The modulator is shared, the receptor is local: levels are computed once per step and
/// broadcast; each projection owns its receptor, population mask and spatial weights.

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "neuromod/modulation/effect_target.h"
#include "neuromod/modulation/modulation_options.h"
#include "neuromod/modulation/plasticity_drive.h"
#include "neuromod/modulation/population.h"
#include "neuromod/modulation/receptor.h"
#include "neuromod/modulation/source.h"
#include "neuromod/modulation/source_signals.h"

namespace neuromod {

/// A modulation config that does not fit the network: names the config key and the problem.
class ModulationError : public std::invalid_argument {
 public:
  ModulationError(std::string key, const std::string& problem)
      : std::invalid_argument(key + ": " + problem), key_(std::move(key)), problem_(problem) {}
  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string key_;
  std::string problem_;
};

/// What the system needs to know of each layer of the network.
struct LayerSite {
  std::string name;
  int64_t size = 0;                            ///< N units
  std::vector<EffectKey> exposed;              ///< knobs the layer reads
  std::vector<PopulationOptions> populations;  ///< declared cell types (plus the implicit `all`)
  std::vector<int64_t> layout;                 ///< {N}, {rows, cols}, or {} for a line of N
};

/// A projection target `layer.population.compartment`, or the learner.
struct TargetPattern {
  std::string layer;       ///< glob over layer names; "learner" for learner-level effects
  std::string population;  ///< glob over the layer's populations
  Compartment compartment = Compartment::soma;
};

/// Parses `layer.population.compartment` ("learner" alone for learner-level effects).
/// Throws std::invalid_argument describing the expected form.
TargetPattern parse_target(const std::string& target);

/// Shell-style match of `name` against `pattern` with `*` and `?`.
bool glob_match(const std::string& pattern, const std::string& name);

/// Checks the modulation sections against the network's layers; throws ModulationError
/// naming the key (`projections.2.target`) for an unknown modulator, a target that matches no
/// layer or population, an effect the target does not expose, a bad range, an unknown state.
void validate_modulation(const ModulationOptions& options, const std::vector<LayerSite>& layers);

/// When a source releases within a step.
enum class ReleasePhase { before_layers, after_layers };

/// Per-episode state of the system.
struct ModulatoryState {
  std::map<std::string, torch::Tensor> levels;  ///< modulator → (B, C) current level
  std::map<std::string, torch::Tensor>
      history;  ///< modulator → (D+1, B, C): [d] = level d steps ago
};

/// Learner-level effects of one step (batch means), read by the trainer or agent.
struct LearnerEffects {
  std::map<std::string, double> learning_rate;  ///< layer → multiplier of its step size
  std::map<std::string, double> dropout;        ///< layer → dropout probability
  std::optional<double> inverse_temperature;    ///< softmax beta multiplier of the policy
  std::optional<double> discount;               ///< gamma of the return
};

/// Modulators, sources, projections with their receptors, interactions and brain states.
class ModulatorySystemImpl : public torch::nn::Cloneable<ModulatorySystemImpl> {
 public:
  /// `signal_sizes`: width of every signal a learned source may read (layer names, "context").
  /// Throws ModulationError (see validate_modulation).
  ModulatorySystemImpl(ModulationOptions options, std::vector<LayerSite> layers,
                       std::map<std::string, int64_t> signal_sizes);

  void reset() override;

  /// Levels at their baselines (of the brain state active at `training_step`).
  ModulatoryState initial_state(int64_t batch, int64_t training_step) const;

  /// Steps 2–3 for the modulators of `phase`: release, interactions on release, level update.
  /// After the `after_layers` phase the history used by delayed projections advances.
  ModulatoryState update(const ModulatoryState& state, const SourceSignals& signals,
                         ReleasePhase phase);

  /// Step 4: the combined unit-level effects of every projection, per layer name (layers
  /// no projection targets are absent).
  std::map<std::string, UnitEffects> unit_effects(const ModulatoryState& state);

  /// Learner-level effects (learning_rate, dropout, inverse_temperature, discount).
  LearnerEffects learner_effects(const ModulatoryState& state);

  /// The brain state active at `training_step` ("" when no state cycle is configured).
  std::string brain_state(int64_t training_step) const;

  /// The tonic baseline of `modulator` at `training_step` (its brain state's, else its own).
  double baseline(const std::string& modulator, int64_t training_step) const;

  const ModulationOptions& options() const { return options_; }

  /// The plasticity drive of `layer` when the system is no more than that (see
  /// SelfPlasticityDrive), else "" untouched and the reason returned: one modulator (or none) of
  /// global space, instantaneous (tau = dt, baseline 0, no brain states), a `learned` source
  /// reading only `layer` without hidden units, its release inside the range, no interactions,
  /// and one projection to every synapse of `layer` (plasticity, uniform, no delay) through a
  /// linear receptor. `drive` is differentiable in the source's and the receptor's parameters.
  std::string self_plasticity_drive(const std::string& layer, SelfPlasticityDrive& drive);

  /// Whether any modulator releases in `phase`.
  bool has_phase(ReleasePhase phase) const;

  void pretty_print(std::ostream& stream) const override;

 private:
  // Derived once from the options and layers (NEST's "Variables_").
  struct Wiring {
    std::size_t modulator = 0;  // index into options_.modulators
    std::size_t layer = 0;      // index into layers_; ignored for learner targets
    bool learner = false;
    std::string population;
    torch::Tensor indices;     // (K) units of the population
    torch::Tensor mask;        // (N) bool
    torch::Tensor spatial;     // (K) spatial weights
    int64_t channel = 0;       // column of the level for space: layer
    std::size_t receptor = 0;  // index into receptors_
    EffectKey key;             // the knob it turns
    bool whole_layer = false;  // the population is every unit: no scatter needed
    bool uniform = true;       // uniform spatial profile: no spatial weighting
  };

  torch::Tensor delivered_level(const ModulatoryState& state, std::size_t modulator,
                                int64_t delay) const;
  torch::Tensor projection_value(const ModulatoryState& state, std::size_t projection,
                                 const Wiring& wiring);
  int64_t channels(std::size_t modulator) const;

  ModulationOptions options_;
  std::vector<LayerSite> layers_;
  std::map<std::string, int64_t> signal_sizes_;
  std::vector<std::shared_ptr<Source>> sources_;
  std::vector<ReleasePhase> phases_;
  std::vector<std::vector<Wiring>> wiring_;  // per projection: one per matched layer/population
  std::vector<Receptor> receptors_;          // flattened over wiring, in order
  std::vector<int64_t> max_delay_;           // per modulator
};

TORCH_MODULE(ModulatorySystem);

}  // namespace neuromod
