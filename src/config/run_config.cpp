#include "neuromod/config/run_config.h"

#include <fnmatch.h>

#include <set>

#include "neuromod/config/reader.h"
#include "neuromod/config/writer.h"
#include "neuromod/models/modulated_network.h"
#include "neuromod/tasks/task_shape.h"

namespace neuromod {

namespace {

using config::ConfigError;

void validate_layers(const RunConfig& config, const config::Document& document) {
  if (config.layers.empty()) {
    throw ConfigError("layers", "expected at least one layer, got none",
                      document.origin_at("layers"));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < config.layers.size(); ++i) {
    const LayerOptions& layer = config.layers[i];
    const std::string path = "layers." + std::to_string(i);
    if (layer.name.empty()) {
      throw ConfigError(path + ".name", "expected a non-empty layer name",
                        document.origin_at(path));
    }
    if (!names.insert(layer.name).second) {
      throw ConfigError(path + ".name", "layer name \"" + layer.name + "\" is used twice",
                        document.origin_at(path + ".name"));
    }
    const bool last = i + 1 == config.layers.size();
    if (!last && layer.size == 0 && layer.kind != LayerKind::dropout) {
      throw ConfigError(path + ".size",
                        "expected a size >= 1 (only the last layer may omit it), got 0",
                        document.origin_at(path));
    }
  }
}

void validate_schedule(const RunConfig& config, const config::Document& document) {
  const int64_t every = config.log.every;
  if (config.log.eval_every % every != 0) {
    throw ConfigError("log.eval_every",
                      "expected a multiple of log.every (" + std::to_string(every) + "), got " +
                          std::to_string(config.log.eval_every),
                      document.origin_at("log.eval_every"));
  }
  if (config.checkpoint.every % every != 0) {
    throw ConfigError("checkpoint.every",
                      "expected a multiple of log.every (" + std::to_string(every) + "), got " +
                          std::to_string(config.checkpoint.every),
                      document.origin_at("checkpoint.every"));
  }
}

// The network's structure and its modulation, checked against each other before any data is
// loaded, so that every error still points at its line.
void validate_network(const RunConfig& config, const config::Document& document) {
  const NetworkShape shape = task_shape(config.task);
  std::vector<LayerOptions> layers;
  try {
    layers = resolve_layers(config.layers, shape);
  } catch (const std::invalid_argument& error) {
    throw ConfigError("layers", error.what(), document.origin_at("layers"));
  }
  try {
    validate_modulation(modulation_options(config), layer_sites(layers, shape));
  } catch (const ModulationError& error) {
    throw ConfigError(error.key(), error.problem(), document.origin_at(error.key()));
  } catch (const std::invalid_argument& error) {
    throw ConfigError("layers", error.what(), document.origin_at("layers"));
  }
}

// Reinforcement-learning tasks are learned by a2c, the others by supervised learning.
void validate_algorithm(const RunConfig& config, const config::Document& document) {
  const bool reinforcement =
      config.task.kind == TaskKind::cue_reward || config.task.kind == TaskKind::grid_maze;
  const Algorithm expected = reinforcement ? Algorithm::a2c : Algorithm::supervised;
  if (config.learning.algorithm != expected) {
    throw ConfigError("learning.algorithm",
                      "task " + config::enum_name(config.task.kind) + " is learned by " +
                          config::enum_name(expected) + ", got " +
                          config::enum_name(config.learning.algorithm),
                      document.origin_at("learning.algorithm"));
  }
}

// A recorded name is <kind>/<owner>/...: a pattern whose kind or owner matches no layer or
// modulator of the config is a typo, reported here with its line rather than at the first
// recorded step.
void validate_record(const RunConfig& config, const config::Document& document) {
  const auto any_match = [](const std::string& pattern, const std::vector<std::string>& names) {
    for (const auto& name : names) {
      if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
    }
    return false;
  };
  std::vector<std::string> layers, modulators;
  for (const auto& layer : config.layers) layers.push_back(layer.name);
  for (const auto& modulator : config.modulators) modulators.push_back(modulator.name);
  const std::vector<std::string> kinds{"layers", "modulators", "effects", "task"};
  for (std::size_t i = 0; i < config.record.signals.size(); ++i) {
    const std::string key = "record.signals." + std::to_string(i) + ".name";
    const std::string& pattern = config.record.signals[i].name;
    const auto slash = pattern.find('/');
    const std::string kind = pattern.substr(0, slash);
    if (!any_match(kind, kinds)) {
      throw ConfigError(key,
                        "'" + pattern +
                            "' does not name a recording; expected layers/<layer>/output, "
                            "layers/<layer>/state/<key>, modulators/<modulator>/level, "
                            "effects/<layer>/<compartment>.<effect> or task/<signal>",
                        document.origin_at(key));
    }
    if (slash == std::string::npos) continue;
    const std::string owner = pattern.substr(slash + 1, pattern.find('/', slash + 1) - slash - 1);
    const bool by_layer = kind == "layers" || kind == "effects";
    if ((by_layer && !any_match(owner, layers)) ||
        (kind == "modulators" && !any_match(owner, modulators))) {
      std::string known;
      for (const auto& name : by_layer ? layers : modulators)
        known += (known.empty() ? "" : ", ") + name;
      throw ConfigError(key,
                        "'" + pattern + "': no " + (by_layer ? "layer" : "modulator") +
                            " matches '" + owner +
                            "'; the config has: " + (known.empty() ? "none" : known),
                        document.origin_at(key));
    }
  }
}

}  // namespace

ModulationOptions modulation_options(const RunConfig& config) {
  return {config.modulators, config.projections, config.interactions, config.states,
          config.state_cycle};
}

RunConfig load_run_config(const config::Document& document) {
  RunConfig config = config::read_options<RunConfig>(document);
  // Kind-dependent defaults are made explicit, so the resolved config.yaml shows them.
  for (auto& layer : config.layers) {
    if (!layer.activation) layer.activation = default_activation(layer.kind);
  }
  validate_layers(config, document);
  validate_schedule(config, document);
  validate_algorithm(config, document);
  validate_network(config, document);
  validate_record(config, document);
  return config;
}

std::string run_config_yaml(const RunConfig& config) {
  return config::to_yaml(config);
}

}  // namespace neuromod
