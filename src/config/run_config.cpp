#include "neuromod/config/run_config.h"

#include <set>

#include "neuromod/config/reader.h"
#include "neuromod/config/writer.h"

namespace neuromod {

namespace {

using config::ConfigError;

// Origin of `key` inside the mapping at `section_path` (e.g. "layers.1", "name").
config::Origin origin_at(const config::Document& document, const std::string& key_path) {
  YAML::Node node;
  node.reset(document.root());
  for (const auto& segment : config::split_key_path(key_path)) {
    YAML::Node child;
    const YAML::Node& parent = node;
    if (parent.IsSequence() && !segment.empty() &&
        segment.find_first_not_of("0123456789") == std::string::npos) {
      child = parent[std::stoul(segment)];
    } else if (parent.IsMap()) {
      child = parent[segment];
    }
    if (!child) break;
    node.reset(child);
  }
  return document.origin_of(key_path, node);
}

void validate_layers(const RunConfig& config, const config::Document& document) {
  if (config.layers.empty()) {
    throw ConfigError("layers", "expected at least one layer, got none",
                      origin_at(document, "layers"));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < config.layers.size(); ++i) {
    const LayerOptions& layer = config.layers[i];
    const std::string path = "layers." + std::to_string(i);
    if (layer.name.empty()) {
      throw ConfigError(path + ".name", "expected a non-empty layer name",
                        origin_at(document, path));
    }
    if (!names.insert(layer.name).second) {
      throw ConfigError(path + ".name", "layer name \"" + layer.name + "\" is used twice",
                        origin_at(document, path + ".name"));
    }
    const bool last = i + 1 == config.layers.size();
    if (!last && layer.size == 0) {
      throw ConfigError(path + ".size",
                        "expected a size >= 1 (only the last layer may omit it), got 0",
                        origin_at(document, path));
    }
  }
}

void validate_schedule(const RunConfig& config, const config::Document& document) {
  const int64_t every = config.log.every;
  if (config.log.eval_every % every != 0) {
    throw ConfigError("log.eval_every",
                      "expected a multiple of log.every (" + std::to_string(every) + "), got " +
                          std::to_string(config.log.eval_every),
                      origin_at(document, "log.eval_every"));
  }
  if (config.checkpoint.every % every != 0) {
    throw ConfigError("checkpoint.every",
                      "expected a multiple of log.every (" + std::to_string(every) + "), got " +
                          std::to_string(config.checkpoint.every),
                      origin_at(document, "checkpoint.every"));
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
