#include "neuromod/config/run_config.h"

#include <set>

#include "neuromod/config/reader.h"
#include "neuromod/config/writer.h"

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
    if (!last && layer.size == 0) {
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

}  // namespace

RunConfig load_run_config(const config::Document& document) {
  RunConfig config = config::read_options<RunConfig>(document);
  validate_layers(config, document);
  validate_schedule(config, document);
  return config;
}

std::string run_config_yaml(const RunConfig& config) {
  return config::to_yaml(config);
}

}  // namespace neuromod
