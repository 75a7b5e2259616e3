#pragma once
// Builds a ModulatedNetwork from the `layers` and modulation sections of a YAML snippet, with
// a given task shape, for tests of the modulatory system.

#include <string>

#include "neuromod/config/document.h"
#include "neuromod/config/reader.h"
#include "neuromod/config/run_config.h"
#include "neuromod/models/modulated_network.h"

namespace neuromod::testing {

inline RunConfig config_from_yaml(const std::string& yaml) {
  RunConfig config = config::read_options<RunConfig>(config::Document::parse(yaml, "test.yaml"));
  for (auto& layer : config.layers) {
    if (!layer.activation) layer.activation = default_activation(layer.kind);
  }
  return config;
}

inline ModulatedNetwork network_from_yaml(const std::string& yaml, NetworkShape shape) {
  const RunConfig config = config_from_yaml(yaml);
  return ModulatedNetwork(config.layers, modulation_options(config), shape);
}

}  // namespace neuromod::testing
