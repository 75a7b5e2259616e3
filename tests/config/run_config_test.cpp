#include "neuromod/config/run_config.h"

#include <gtest/gtest.h>

namespace neuromod {
namespace {

const char* kMinimal =
    "layers:\n"
    "  - {name: hidden, size: 8}\n"
    "  - {name: output, activation: identity}\n";

std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    auto document = config::Document::parse(yaml, "run.yaml");
    for (const auto& assignment : overrides) document.apply_override(assignment);
    load_run_config(document);
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  return "no error";
}

TEST(RunConfig, QuickstartExampleIsValid) {
  const auto document =
      config::Document::load_file(std::string(NEUROMOD_EXAMPLES_DIR) + "/quickstart.yaml");
  const RunConfig config = load_run_config(document);
  EXPECT_EQ(config.name, "quickstart");
  EXPECT_EQ(config.layers.size(), 2u);
  EXPECT_EQ(config.layers.back().size, 0);
}

TEST(RunConfig, ResolvedYamlReadsBackIdentically) {
  const RunConfig config = load_run_config(config::Document::parse(kMinimal, "run.yaml"));
  const std::string yaml = run_config_yaml(config);
  const RunConfig again = load_run_config(config::Document::parse(yaml, "config.yaml"));
  EXPECT_EQ(run_config_yaml(again), yaml);
  EXPECT_NE(yaml.find("batch_size: 64"), std::string::npos) << yaml;
}

TEST(RunConfig, NeedsAtLeastOneLayer) {
  EXPECT_EQ(error_of("name: x\n"), "run.yaml:1: layers: expected at least one layer, got none");
}

TEST(RunConfig, LayerNamesAreUniqueAndPresent) {
  EXPECT_EQ(error_of("layers:\n  - {name: a, size: 3}\n  - {name: a}\n"),
            "run.yaml:3: layers.1.name: layer name \"a\" is used twice");
  EXPECT_EQ(error_of("layers:\n  - {size: 3}\n  - {name: b}\n"),
            "run.yaml:2: layers.0.name: expected a non-empty layer name");
}

TEST(RunConfig, OnlyTheLastLayerMayOmitItsSize) {
  EXPECT_EQ(error_of("layers:\n  - {name: a}\n  - {name: b}\n"),
            "run.yaml:2: layers.0.size: expected a size >= 1 (only the last layer may omit it), "
            "got 0");
}

TEST(RunConfig, SchedulesAreMultiplesOfTheLogInterval) {
  EXPECT_EQ(error_of(kMinimal, {"log.every=30", "log.eval_every=45"}),
            "override 'log.eval_every=45': log.eval_every: expected a multiple of log.every (30), "
            "got 45");
  EXPECT_EQ(error_of(std::string(kMinimal) + "log: {every: 10, eval_every: 20}\n"
                                             "checkpoint: {every: 25}\n"),
            "run.yaml:5: checkpoint.every: expected a multiple of log.every (10), got 25");
}

TEST(RunConfig, TypedOverrides) {
  auto document = config::Document::parse(kMinimal, "run.yaml");
  document.apply_override("learning.lr=0.01");
  document.apply_override("learning.optimizer=sgd");
  document.apply_override("layers.0.size=32");
  const RunConfig config = load_run_config(document);
  EXPECT_DOUBLE_EQ(config.learning.lr, 0.01);
  EXPECT_EQ(config.learning.optimizer, Optimizer::sgd);
  EXPECT_EQ(config.layers[0].size, 32);
  EXPECT_EQ(error_of(kMinimal, {"learning.steps=many"}),
            "override 'learning.steps=many': learning.steps: expected an integer, got 'many'");
  EXPECT_EQ(error_of(kMinimal, {"learning.optimiser=sgd"}),
            "override 'learning.optimiser=sgd': learning.optimiser: unknown key in 'learning' "
            "(did you mean \"optimizer\"?)");
}

const std::string kModulated = std::string(kMinimal) +
                               "modulators:\n"
                               "  - {name: NE, tau: 1, source: {kind: learned, reads: hidden}}\n"
                               "projections:\n"
                               "  - {modulator: NE, target: hidden.all.soma, effect: gain}\n";

TEST(RunConfig, ModulationSectionsAreValidated) {
  EXPECT_EQ(error_of(kModulated), "no error");
  EXPECT_EQ(error_of(kModulated, {"projections.0.modulator=DA"}),
            "override 'projections.0.modulator=DA': projections.0.modulator: unknown modulator "
            "\"DA\"");
  EXPECT_EQ(error_of(kModulated, {"projections.0.modulator=Ne"}),
            "override 'projections.0.modulator=Ne': projections.0.modulator: unknown modulator "
            "\"Ne\" (did you mean \"NE\"?)");
  EXPECT_EQ(error_of(kModulated, {"projections.0.target=hiden.all.soma"}),
            "override 'projections.0.target=hiden.all.soma': projections.0.target: no layer "
            "matches \"hiden\" (did you mean \"hidden\"?)");
  EXPECT_EQ(error_of(kModulated, {"projections.0.effect=plasticity"}),
            "override 'projections.0.effect=plasticity': projections.0.effect: layer \"hidden\" "
            "does not expose soma.plasticity (it exposes soma.gain, soma.bias, soma.threshold, "
            "soma.noise, output.gate)");
  EXPECT_EQ(error_of(kModulated, {"projections.0.target=hidden.fast.soma"}),
            "override 'projections.0.target=hidden.fast.soma': projections.0.target: layer "
            "\"hidden\" has no population matching \"fast\"");
  EXPECT_EQ(error_of(kModulated, {"projections.0.target=hidden.soma"}),
            "override 'projections.0.target=hidden.soma': projections.0.target: expected "
            "layer.population.compartment (e.g. rnn.all.synapse) or learner, got 'hidden.soma'");
  EXPECT_EQ(error_of(kModulated, {"modulators.0.tau=-3"}),
            "override 'modulators.0.tau=-3': modulators.0.tau: expected a number >= 1, got '-3'");
  EXPECT_EQ(error_of(kModulated, {"modulators.0.source.reads=[hiden]"}),
            "override 'modulators.0.source.reads=[hiden]': modulators.0.source.reads: unknown "
            "signal \"hiden\" (did you mean \"hidden\"?); a source reads layer names or context");
  EXPECT_EQ(error_of(kModulated, {"layers.0.populations=[{name: fast, range: '0:300'}]"}),
            "override 'layers.0.populations=[{name: fast, range: '0:300'}]': "
            "layers.0.populations: population \"fast\": range 0:300 exceeds the layer's 8 units");
  EXPECT_EQ(error_of(kModulated, {"state_cycle=[{state: nap}]"}),
            "override 'state_cycle=[{state: nap}]': state_cycle.0.state: unknown state \"nap\"");
}

TEST(RunConfig, ModulationErrorsPointAtTheirLine) {
  const std::string yaml = std::string(kMinimal) +
                           "modulators:\n"
                           "  - {name: NE, source: constant}\n"
                           "projections:\n"
                           "  - modulator: NE\n"
                           "    target: output.all.synapse\n"
                           "    effect: plasticity\n";
  EXPECT_EQ(error_of(yaml),
            "run.yaml:9: projections.0.effect: layer \"output\" does not expose "
            "synapse.plasticity (it exposes soma.gain, soma.bias, soma.threshold, soma.noise, "
            "output.gate)");
}

}  // namespace
}  // namespace neuromod
