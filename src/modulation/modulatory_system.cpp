#include "neuromod/modulation/modulatory_system.h"

#include <torch/torch.h>

#include <algorithm>
#include <set>

#include "neuromod/config/suggest.h"
#include "neuromod/config/writer.h"
#include "neuromod/functional/effects.h"
#include "neuromod/functional/modulator_dynamics.h"
#include "neuromod/modulation/receptor_presets.h"
#include "neuromod/modulation/sources/learned_source.h"
#include "neuromod/modulation/spatial_profile.h"

namespace neuromod {

namespace {

using functional::CombineRule;
using functional::EffectKind;
using functional::EffectScope;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == separator) {
      parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  parts.push_back(part);
  return parts;
}

std::string key(const char* section, std::size_t index, const char* field = nullptr) {
  std::string path = std::string(section) + "." + std::to_string(index);
  return field ? path + "." + field : path;
}

std::vector<std::string> modulator_names(const ModulationOptions& options) {
  std::vector<std::string> names;
  for (const auto& modulator : options.modulators) names.push_back(modulator.name);
  return names;
}

std::optional<std::size_t> find_modulator(const ModulationOptions& options,
                                          const std::string& name) {
  for (std::size_t i = 0; i < options.modulators.size(); ++i) {
    if (options.modulators[i].name == name) return i;
  }
  return std::nullopt;
}

std::size_t require_modulator(const ModulationOptions& options, const std::string& name,
                              const std::string& where) {
  auto found = find_modulator(options, name);
  if (!found) {
    throw ModulationError(where, "unknown modulator \"" + name + "\"" +
                                     config::did_you_mean(name, modulator_names(options)));
  }
  return *found;
}

// Sources reading nothing that the layers produce can release before the layers run.
ReleasePhase release_phase(const SourceOptions& source) {
  switch (source.kind) {
    case SourceKind::constant:
    case SourceKind::schedule:
    case SourceKind::loss_change:
      return ReleasePhase::before_layers;
    case SourceKind::learned:
      for (const auto& read : source.reads) {
        if (read != "context") return ReleasePhase::after_layers;
      }
      return ReleasePhase::before_layers;
    default:
      return ReleasePhase::after_layers;
  }
}

std::vector<std::string> population_names(const LayerSite& layer) {
  std::vector<std::string> names{"all"};
  for (const auto& population : layer.populations) {
    if (population.name != "all") names.push_back(population.name);
  }
  return names;
}

std::string effect_label(EffectKey key) {
  return config::enum_name(key.compartment) + "." + config::enum_name(key.effect);
}

bool exposes(const LayerSite& layer, EffectKey key) {
  return std::find(layer.exposed.begin(), layer.exposed.end(), key) != layer.exposed.end();
}

std::string exposed_list(const LayerSite& layer) {
  std::string list;
  for (const auto& key : layer.exposed) list += (list.empty() ? "" : ", ") + effect_label(key);
  return list.empty() ? "none" : list;
}

// Learner-level effects without a layer of their own.
bool learner_only(EffectKind effect) {
  return effect == EffectKind::inverse_temperature || effect == EffectKind::discount;
}

// Effects that may target the learner as a whole (`target: learner`).
bool learner_wide(EffectKind effect) {
  return learner_only(effect) || effect == EffectKind::learning_rate;
}

}  // namespace

bool glob_match(const std::string& pattern, const std::string& name) {
  // Iterative matcher with backtracking over the last '*'.
  std::size_t p = 0, n = 0, star = std::string::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

TargetPattern parse_target(const std::string& target) {
  if (target == "learner") return {"learner", "", Compartment::soma};
  const auto parts = split(target, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    throw std::invalid_argument(
        "expected layer.population.compartment (e.g. rnn.all.synapse) "
        "or learner, got '" +
        target + "'");
  }
  auto compartment = config::enum_from_name<Compartment>(parts[2]);
  if (!compartment) {
    std::vector<std::string> names;
    for (const auto& entry : enum_names(Compartment{})) names.push_back(entry.name);
    throw std::invalid_argument("unknown compartment '" + parts[2] + "'" +
                                config::did_you_mean(parts[2], names) + "; expected one of " +
                                config::enum_choices<Compartment>());
  }
  return {parts[0], parts[1], *compartment};
}

void validate_modulation(const ModulationOptions& options, const std::vector<LayerSite>& layers) {
  std::vector<std::string> layer_names;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layer_names.push_back(layers[i].name);
    try {
      population_masks(layers[i].populations, layers[i].size);
    } catch (const std::invalid_argument& error) {
      throw ModulationError(key("layers", i, "populations"), error.what());
    }
    try {
      layout_positions(layers[i].layout, layers[i].size);
    } catch (const std::invalid_argument& error) {
      throw ModulationError(key("layers", i, "layout"), error.what());
    }
  }

  std::set<std::string> seen;
  for (std::size_t i = 0; i < options.modulators.size(); ++i) {
    const auto& modulator = options.modulators[i];
    std::vector<std::string> readable = layer_names;
    readable.push_back("context");
    for (const auto& read : modulator.source.reads) {
      if (std::find(readable.begin(), readable.end(), read) == readable.end()) {
        throw ModulationError(key("modulators", i, "source.reads"),
                              "unknown signal \"" + read + "\"" +
                                  config::did_you_mean(read, readable) +
                                  "; a source reads layer names or context");
      }
    }
    if (!seen.insert(modulator.name).second) {
      throw ModulationError(key("modulators", i, "name"),
                            "modulator \"" + modulator.name + "\" is declared twice");
    }
    if (modulator.range.size() != 2 || modulator.range[0] > modulator.range[1]) {
      throw ModulationError(key("modulators", i, "range"), "expected [lo, hi] with lo <= hi");
    }
    if (modulator.space == ModulatorSpace::unit &&
        std::find(layer_names.begin(), layer_names.end(), modulator.unit_layer) ==
            layer_names.end()) {
      throw ModulationError(key("modulators", i, "unit_layer"),
                            "space: unit needs the name of a layer, got \"" + modulator.unit_layer +
                                "\"" + config::did_you_mean(modulator.unit_layer, layer_names));
    }
  }

  for (std::size_t i = 0; i < options.projections.size(); ++i) {
    const auto& projection = options.projections[i];
    const std::size_t m =
        require_modulator(options, projection.modulator, key("projections", i, "modulator"));
    TargetPattern target;
    try {
      target = parse_target(projection.target);
    } catch (const std::invalid_argument& error) {
      throw ModulationError(key("projections", i, "target"), error.what());
    }
    const EffectKey effect{target.compartment, projection.effect};
    const auto scope = functional::effect_scope(projection.effect);
    // A preset's offset is the neutral value of its own default effect; on another effect it
    // would shift the knob even when the modulator is silent.
    if (const auto* preset = find_receptor_preset(projection.receptor.preset)) {
      const auto neutral = functional::neutral_value(functional::combine_rule(projection.effect));
      if (preset->effect != projection.effect && projection.receptor.offset == preset->offset &&
          neutral && *neutral != preset->offset) {
        throw ModulationError(
            key("projections", i, "receptor"),
            "receptor " + preset->name + " defaults to " + config::enum_name(preset->effect) +
                " with offset " + config::format_number(preset->offset) + "; on effect " +
                config::enum_name(projection.effect) + " set receptor.offset to " +
                config::format_number(*neutral) + " (its neutral value)");
      }
    }
    if (target.layer == "learner") {
      if (!learner_wide(projection.effect)) {
        throw ModulationError(key("projections", i, "target"),
                              "effect " + config::enum_name(projection.effect) +
                                  " acts on a layer; target layer.population.compartment");
      }
      continue;
    }
    for (const auto& layer : layers) {
      if (!glob_match(target.layer, layer.name)) continue;
      try {
        check_spatial_profile(projection.profile,
                              layout_positions(layer.layout, layer.size).size(1));
      } catch (const std::invalid_argument& error) {
        throw ModulationError(key("projections", i, "profile"), error.what());
      }
    }
    if (learner_only(projection.effect)) {
      throw ModulationError(key("projections", i, "target"),
                            "effect " + config::enum_name(projection.effect) +
                                " belongs to the learner; use target: learner");
    }
    bool matched = false;
    for (const auto& layer : layers) {
      if (!glob_match(target.layer, layer.name)) continue;
      bool population_found = false;
      for (const auto& population : population_names(layer)) {
        population_found = population_found || glob_match(target.population, population);
      }
      if (!population_found) {
        throw ModulationError(key("projections", i, "target"),
                              "layer \"" + layer.name + "\" has no population matching \"" +
                                  target.population + "\"" +
                                  config::did_you_mean(target.population, population_names(layer)));
      }
      // Learner-level effects on a layer (learning_rate, dropout) need no layer knob.
      if (scope == EffectScope::unit && !exposes(layer, effect)) {
        throw ModulationError(key("projections", i, "effect"),
                              "layer \"" + layer.name + "\" does not expose " +
                                  effect_label(effect) + " (it exposes " + exposed_list(layer) +
                                  ")");
      }
      const auto& modulator = options.modulators[m];
      if (modulator.space == ModulatorSpace::unit && layer.name != modulator.unit_layer) {
        throw ModulationError(key("projections", i, "target"),
                              "modulator \"" + modulator.name + "\" lives on the units of \"" +
                                  modulator.unit_layer + "\" and cannot project to \"" +
                                  layer.name + "\"");
      }
      matched = true;
    }
    if (!matched) {
      throw ModulationError(key("projections", i, "target"),
                            "no layer matches \"" + target.layer + "\"" +
                                config::did_you_mean(target.layer, layer_names));
    }
  }

  for (std::size_t i = 0; i < options.interactions.size(); ++i) {
    const auto& interaction = options.interactions[i];
    require_modulator(options, interaction.modulator, key("interactions", i, "modulator"));
    require_modulator(options, interaction.target, key("interactions", i, "target"));
    if (interaction.modulator == interaction.target) {
      throw ModulationError(key("interactions", i, "target"),
                            "a modulator cannot interact with itself");
    }
  }

  std::vector<std::string> state_names;
  for (std::size_t i = 0; i < options.states.size(); ++i) {
    const auto& state = options.states[i];
    if (std::find(state_names.begin(), state_names.end(), state.name) != state_names.end()) {
      throw ModulationError(key("states", i, "name"),
                            "state \"" + state.name + "\" is declared twice");
    }
    state_names.push_back(state.name);
    for (const auto& [name, value] : state.baselines) {
      require_modulator(options, name, key("states", i, "baselines") + "." + name);
    }
  }
  for (std::size_t i = 0; i < options.state_cycle.size(); ++i) {
    const auto& name = options.state_cycle[i].state;
    if (std::find(state_names.begin(), state_names.end(), name) == state_names.end()) {
      throw ModulationError(
          key("state_cycle", i, "state"),
          "unknown state \"" + name + "\"" + config::did_you_mean(name, state_names));
    }
  }
}

ModulatorySystemImpl::ModulatorySystemImpl(ModulationOptions options, std::vector<LayerSite> layers,
                                           std::map<std::string, int64_t> signal_sizes)
    : options_(std::move(options)),
      layers_(std::move(layers)),
      signal_sizes_(std::move(signal_sizes)) {
  validate_modulation(options_, layers_);
  reset();
}

int64_t ModulatorySystemImpl::channels(std::size_t modulator) const {
  const auto& options = options_.modulators[modulator];
  switch (options.space) {
    case ModulatorSpace::global:
      return 1;
    case ModulatorSpace::unit:
      for (const auto& layer : layers_) {
        if (layer.name == options.unit_layer) return layer.size;
      }
      return 1;
    case ModulatorSpace::layer: {
      std::set<std::size_t> targeted;
      for (std::size_t p = 0; p < wiring_.size(); ++p) {
        for (const auto& wiring : wiring_[p]) {
          if (wiring.modulator == modulator && !wiring.learner) targeted.insert(wiring.layer);
        }
      }
      return std::max<int64_t>(1, static_cast<int64_t>(targeted.size()));
    }
  }
  return 1;
}

void ModulatorySystemImpl::reset() {
  sources_.clear();
  phases_.clear();
  wiring_.clear();
  receptors_.clear();
  max_delay_.assign(options_.modulators.size(), 0);

  for (const auto& modulator : options_.modulators) {
    std::shared_ptr<Source> source;
    try {
      source = make_source(modulator.source, signal_sizes_);
    } catch (const std::invalid_argument& error) {
      throw ModulationError("modulators." + modulator.name + ".source", error.what());
    }
    register_module("source_" + modulator.name,
                    std::dynamic_pointer_cast<torch::nn::Module>(source));
    sources_.push_back(source);
    phases_.push_back(release_phase(modulator.source));
  }

  // Wire each projection to every layer and population its target matches.
  std::vector<std::vector<std::size_t>> layer_order(options_.modulators.size());
  for (std::size_t p = 0; p < options_.projections.size(); ++p) {
    const auto& projection = options_.projections[p];
    const std::size_t m = *find_modulator(options_, projection.modulator);
    max_delay_[m] = std::max(max_delay_[m], projection.delay);
    const TargetPattern target = parse_target(projection.target);
    std::vector<Wiring> wirings;
    if (target.layer == "learner") {
      Wiring wiring;
      wiring.modulator = m;
      wiring.learner = true;
      wiring.key = {target.compartment, projection.effect};
      wirings.push_back(wiring);
    }
    for (std::size_t l = 0; l < layers_.size() && target.layer != "learner"; ++l) {
      const LayerSite& layer = layers_[l];
      if (!glob_match(target.layer, layer.name)) continue;
      auto& order = layer_order[m];
      if (std::find(order.begin(), order.end(), l) == order.end()) order.push_back(l);
      const auto masks = population_masks(layer.populations, layer.size);
      const auto positions = layout_positions(layer.layout, layer.size);
      const auto weights = spatial_weights(projection.profile, positions);
      for (const auto& [name, mask] : masks) {
        if (!glob_match(target.population, name)) continue;
        Wiring wiring;
        wiring.modulator = m;
        wiring.layer = l;
        wiring.population = name;
        wiring.key = {target.compartment, projection.effect};
        wiring.whole_layer = mask.all().item<bool>();
        wiring.uniform = projection.profile.profile == SpatialProfile::uniform;
        wiring.mask = mask;
        wiring.indices = mask.nonzero().squeeze(1);
        wiring.spatial = weights.index_select(0, wiring.indices).to(torch::kFloat32);
        wiring.channel =
            static_cast<int64_t>(std::find(order.begin(), order.end(), l) - order.begin());
        wirings.push_back(wiring);
      }
    }
    for (std::size_t w = 0; w < wirings.size(); ++w) {
      const int64_t units = wirings[w].learner ? 1 : wirings[w].indices.size(0);
      wirings[w].receptor = receptors_.size();
      receptors_.push_back(
          register_module("receptor_" + std::to_string(p) + "_" + std::to_string(w),
                          Receptor(projection.receptor, units)));
    }
    wiring_.push_back(std::move(wirings));
  }

  for (std::size_t m = 0; m < options_.modulators.size(); ++m) {
    const int64_t width = options_.modulators[m].source.channels;
    if (width != 1 && width != channels(m)) {
      throw ModulationError("modulators." + std::to_string(m) + ".source.channels",
                            "expected 1 or " + std::to_string(channels(m)) +
                                " (the modulator's levels), got " + std::to_string(width));
    }
  }
}

std::string ModulatorySystemImpl::brain_state(int64_t training_step) const {
  if (options_.state_cycle.empty()) return "";
  int64_t period = 0;
  for (const auto& segment : options_.state_cycle) period += segment.steps;
  int64_t position = training_step % period;
  for (const auto& segment : options_.state_cycle) {
    if (position < segment.steps) return segment.state;
    position -= segment.steps;
  }
  return options_.state_cycle.back().state;
}

double ModulatorySystemImpl::baseline(const std::string& modulator, int64_t training_step) const {
  const std::string state = brain_state(training_step);
  for (const auto& options : options_.states) {
    if (options.name != state) continue;
    const auto found = options.baselines.find(modulator);
    if (found != options.baselines.end()) return found->second;
  }
  return options_.modulators[*find_modulator(options_, modulator)].baseline;
}

std::string ModulatorySystemImpl::self_plasticity_drive(const std::string& layer,
                                                        SelfPlasticityDrive& drive) {
  if (!options_.interactions.empty()) return "the modulators interact";
  if (!options_.states.empty() || !options_.state_cycle.empty()) return "there are brain states";
  if (options_.modulators.size() > 1) return "more than one modulator";
  if (options_.modulators.empty()) {
    drive = SelfPlasticityDrive();
    return "";
  }
  const auto& modulator = options_.modulators.front();
  const auto& source = modulator.source;
  const std::string name = "modulator " + modulator.name + ": ";
  if (modulator.space != ModulatorSpace::global) return name + "not a global modulator";
  const auto dynamics =
      functional::LevelDynamicsOptions(modulator.tau).lo(modulator.range[0]).hi(modulator.range[1]);
  if (dynamics.tau() != dynamics.dt() || modulator.baseline != 0.0) {
    return name + "its level is not the instantaneous release (tau = dt, baseline 0)";
  }
  const auto* learned = dynamic_cast<LearnedSourceImpl*>(sources_.front().get());
  if (source.kind != SourceKind::learned || learned == nullptr ||
      source.reads != std::vector<std::string>{layer} || source.hidden != 0 ||
      source.channels != 1) {
    return name + "its source is not a learned readout of layer " + layer + " alone";
  }
  const auto bounds = learned->release_bounds();
  if (!bounds || bounds->first < dynamics.lo() || bounds->second > dynamics.hi()) {
    return name + "its release may leave its range";
  }
  if (wiring_.size() != 1 || wiring_.front().size() != 1) return "not exactly one projection";
  const auto& projection = options_.projections.front();
  const Wiring& wiring = wiring_.front().front();
  if (wiring.learner || layers_[wiring.layer].name != layer ||
      !(wiring.key == EffectKey{Compartment::synapse, functional::EffectKind::plasticity}) ||
      !wiring.whole_layer || !wiring.uniform || projection.delay != 0) {
    return "the projection does not reach every synapse of layer " + layer +
           " with its plasticity, uniformly and at once";
  }
  if (receptors_[wiring.receptor]->options().kind != functional::DoseResponseKind::linear) {
    return "the projection's receptor is not linear";
  }
  // The effect is affine in the level (a linear receptor): its values at levels 0 and 1, formed
  // by the same code as every step's, give base and slope.
  const auto& weight = learned->readout()->weight;
  ModulatoryState probe;
  probe.levels[modulator.name] = torch::tensor({0.0, 1.0}, weight.options()).view({2, 1});
  const auto value = projection_value(probe, 0, wiring);
  drive.nucleus_weight = weight.view({-1});
  drive.nucleus_bias = learned->readout()->bias.squeeze(0);  // (1) → ()
  drive.out = source.out;
  drive.base = value[0];
  drive.slope = value[1] - value[0];
  return "";
}

bool ModulatorySystemImpl::has_phase(ReleasePhase phase) const {
  return std::find(phases_.begin(), phases_.end(), phase) != phases_.end();
}

ModulatoryState ModulatorySystemImpl::initial_state(int64_t batch, int64_t training_step) const {
  ModulatoryState state;
  for (std::size_t m = 0; m < options_.modulators.size(); ++m) {
    const auto& modulator = options_.modulators[m];
    const double value =
        std::clamp(baseline(modulator.name, training_step), modulator.range[0], modulator.range[1]);
    state.levels[modulator.name] = torch::full({batch, channels(m)}, value);
    if (max_delay_[m] > 0) {
      // history[d] is the level d steps ago (history[0] the current one).
      state.history[modulator.name] = torch::full({max_delay_[m] + 1, batch, channels(m)}, value);
    }
  }
  return state;
}

namespace {
// A's level as one value per sample, (B, 1), for interactions.
torch::Tensor sample_level(const torch::Tensor& level) {
  return level.mean(1, true);
}

torch::Tensor interact(const torch::Tensor& value, const InteractionOptions& interaction,
                       const torch::Tensor& acting) {
  switch (interaction.kind) {
    case InteractionKind::scale:
      return value * (1.0 + interaction.weight * acting);
    case InteractionKind::oppose:
      return value - interaction.weight * acting;
  }
  return value;
}
}  // namespace

ModulatoryState ModulatorySystemImpl::update(const ModulatoryState& state,
                                             const SourceSignals& signals, ReleasePhase phase) {
  ModulatoryState next = state;
  for (std::size_t m = 0; m < options_.modulators.size(); ++m) {
    if (phases_[m] != phase) continue;
    const auto& modulator = options_.modulators[m];
    const torch::Tensor& level = next.levels.at(modulator.name);
    torch::Tensor release = sources_[m]->release(signals).to(level.dtype());
    // Only a release of the level's own shape can become the level as it is: an expanded one
    // would be a view whose elements share memory.
    const bool level_shaped = release.sizes() == level.sizes();
    release = release.expand_as(level);
    bool interacted = false;
    for (const auto& interaction : options_.interactions) {
      if (interaction.target != modulator.name || interaction.on != InteractionSite::release) {
        continue;
      }
      release = interact(release, interaction, sample_level(next.levels.at(interaction.modulator)));
      interacted = true;
    }
    const auto dynamics = functional::LevelDynamicsOptions(modulator.tau)
                              .lo(modulator.range[0])
                              .hi(modulator.range[1]);
    const double baseline_value = baseline(modulator.name, signals.training_step);
    const auto bounds = sources_[m]->release_bounds();
    if (dynamics.tau() == dynamics.dt() && baseline_value == 0.0 && !interacted && bounds &&
        bounds->first >= dynamics.lo() && bounds->second <= dynamics.hi() && level_shaped) {
      // The instantaneous level 0 + r of a release that cannot leave the range is the release
      // itself (the sum and the clamp, and their autograd nodes, would change nothing).
      next.levels[modulator.name] = release;
      continue;
    }
    const auto baseline_level = torch::full({}, baseline_value, level.options());
    next.levels[modulator.name] =
        functional::update_level(level, baseline_level, release, dynamics);
  }
  if (phase == ReleasePhase::after_layers) {
    for (auto& [name, history] : next.history) {
      history = torch::cat(
          {next.levels.at(name).unsqueeze(0), history.narrow(0, 0, history.size(0) - 1)});
    }
  }
  return next;
}

torch::Tensor ModulatorySystemImpl::delivered_level(const ModulatoryState& state,
                                                    std::size_t modulator, int64_t delay) const {
  const std::string& name = options_.modulators[modulator].name;
  torch::Tensor level = delay == 0 ? state.levels.at(name) : state.history.at(name)[delay];
  for (const auto& interaction : options_.interactions) {
    if (interaction.target == name && interaction.on == InteractionSite::efficacy) {
      level = interact(level, interaction, sample_level(state.levels.at(interaction.modulator)));
    }
  }
  return level;
}

torch::Tensor ModulatorySystemImpl::projection_value(const ModulatoryState& state,
                                                     std::size_t projection, const Wiring& wiring) {
  const auto& options = options_.projections[projection];
  torch::Tensor level = delivered_level(state, wiring.modulator, options.delay);
  const auto space = options_.modulators[wiring.modulator].space;
  if (wiring.learner) {
    level = sample_level(level);
  } else if (space == ModulatorSpace::layer) {
    level = level.narrow(1, wiring.channel, 1);
  } else if (space == ModulatorSpace::unit) {
    level = level.index_select(1, wiring.indices);
  }
  if (!wiring.learner && !wiring.uniform) {
    level = level * wiring.spatial.to(level.dtype());  // (B, 1|K) * (K) -> (B, K)
  }
  // The weight scales the modulation, not the neutral offset: a silent modulator at any
  // weight leaves the knob at the receptor's offset.
  auto& receptor = receptors_[wiring.receptor];
  const double offset = receptor->options().offset;
  if (offset == 0.0) {
    // The same value without the identity ops (+0, −0, ×1) and their autograd nodes, a few per
    // projection and step. Like the general formula's, the result is a tensor of its own, dense
    // (B, N): copied where the deviation is a view of the level or an expanded response.
    torch::Tensor value = receptor->deviation(level);
    if (options.weight != 1.0) return options.weight * value;
    const bool own = !value.is_alias_of(level) && value.is_contiguous();
    return own ? value : value.clone(torch::MemoryFormat::Contiguous);
  }
  return offset + options.weight * (receptor->forward(level) - offset);
}

std::map<std::string, UnitEffects> ModulatorySystemImpl::unit_effects(
    const ModulatoryState& state) {
  // Per layer and knob, the full (B, N) values of every projection in config order.
  std::map<std::string, std::map<EffectKey, std::vector<torch::Tensor>>> collected;
  for (std::size_t p = 0; p < options_.projections.size(); ++p) {
    const auto& options = options_.projections[p];
    for (const auto& wiring : wiring_[p]) {
      if (wiring.learner) continue;
      const LayerSite& layer = layers_[wiring.layer];
      if (!exposes(layer, wiring.key)) continue;  // learner-level effect without the knob
      torch::Tensor value = projection_value(state, p, wiring);
      if (!wiring.whole_layer) {
        const auto neutral = functional::neutral_value(functional::combine_rule(options.effect));
        // Units outside the population keep the neutral value; for `replace` they are NaN,
        // which the layer reads as "keep your own value".
        value = torch::full({value.size(0), layer.size}, neutral ? *neutral : NAN, value.options())
                    .index_copy(1, wiring.indices, value);
      }
      collected[layer.name][wiring.key].push_back(value.expand({value.size(0), layer.size}));
    }
  }
  std::map<std::string, UnitEffects> effects;
  for (auto& [layer, knobs] : collected) {
    for (auto& [key, values] : knobs) {
      const auto rule = functional::combine_rule(key.effect);
      if (values.size() == 1) {
        effects[layer][key] = values.front();
        continue;
      }
      if (rule != CombineRule::replace) {
        effects[layer][key] = functional::combine(rule, values);
        continue;
      }
      torch::Tensor combined = values.front();
      for (std::size_t i = 1; i < values.size(); ++i) {
        combined = torch::where(torch::isnan(values[i]), combined, values[i]);
      }
      effects[layer][key] = combined;
    }
  }
  return effects;
}

LearnerEffects ModulatorySystemImpl::learner_effects(const ModulatoryState& state) {
  torch::NoGradGuard no_grad;
  LearnerEffects effects;
  for (std::size_t p = 0; p < options_.projections.size(); ++p) {
    const auto& options = options_.projections[p];
    if (functional::effect_scope(options.effect) != EffectScope::learner) continue;
    for (const auto& wiring : wiring_[p]) {
      const double value = projection_value(state, p, wiring).mean().item<double>();
      const std::string layer = wiring.learner ? "" : layers_[wiring.layer].name;
      switch (options.effect) {
        case EffectKind::learning_rate: {
          auto found = effects.learning_rate.find(layer);
          effects.learning_rate[layer] =
              (found == effects.learning_rate.end() ? 1.0 : found->second) * value;
          break;
        }
        case EffectKind::dropout:
          effects.dropout[layer] = value;
          break;
        case EffectKind::inverse_temperature:
          effects.inverse_temperature = effects.inverse_temperature.value_or(1.0) * value;
          break;
        case EffectKind::discount:
          effects.discount = value;
          break;
        default:
          break;
      }
    }
  }
  return effects;
}

void ModulatorySystemImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::ModulatorySystem(modulators=" << options_.modulators.size()
         << ", projections=" << options_.projections.size()
         << ", interactions=" << options_.interactions.size()
         << ", states=" << options_.states.size() << ")";
}

}  // namespace neuromod
