#include "neuromod/modulation/modulatory_system.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "neuromod/functional/effects.h"
#include "neuromod/modulation/sources/learned_source.h"
#include "support/network_from_yaml.h"

namespace neuromod {
namespace {

using functional::EffectKind;
using testing::network_from_yaml;

const NetworkShape kShape{3, 4, 2};

// A system stepped `steps` times with no layer activity (sources here read none).
ModulatoryState run_levels(ModulatedNetwork& network, int64_t steps, int64_t batch = 2) {
  auto state = network->modulation()->initial_state(batch, 0);
  SourceSignals signals;
  signals.batch = batch;
  for (int64_t t = 0; t < steps; ++t) {
    signals.time_step = t;
    state = network->modulation()->update(state, signals, ReleasePhase::before_layers);
    state = network->modulation()->update(state, signals, ReleasePhase::after_layers);
  }
  return state;
}

// The levels after one step's release before the layers, for sources that read the context.
ModulatoryState levels_from_context(ModulatedNetwork& network, const torch::Tensor& context) {
  const int64_t batch = context.size(0);
  auto state = network->modulation()->initial_state(batch, 0);
  SourceSignals signals;
  signals.batch = batch;
  signals.context = context;
  return network->modulation()->update(state, signals, ReleasePhase::before_layers);
}

TEST(ModulatorySystem, ConstantReleaseConvergesToTheAnalyticSteadyState) {
  auto network = network_from_yaml(
      "layers: [{name: out, size: 4}]\n"
      "modulators: [{name: X, tau: 10, baseline: 0.2, source: {kind: constant, value: 0.05}}]\n",
      kShape);
  const auto state = run_levels(network, 400);
  // c* = b + r tau / dt = 0.2 + 0.05 * 10
  EXPECT_NEAR(state.levels.at("X")[0][0].item<double>(), 0.7, 1e-6);  // float32 levels
}

TEST(ModulatorySystem, TauOfOneStepIsTheInstantaneousSignal) {
  auto network = network_from_yaml(
      "layers: [{name: out, size: 4}]\n"
      "modulators: [{name: X, tau: 1, baseline: 0.25, range: [0, 1],\n"
      "              source: {kind: constant, value: 0.5}}]\n",
      kShape);
  EXPECT_DOUBLE_EQ(run_levels(network, 1).levels.at("X")[1][0].item<double>(), 0.75);
  EXPECT_DOUBLE_EQ(run_levels(network, 7).levels.at("X")[1][0].item<double>(), 0.75);
}

// A learned source whose output cannot leave the range skips the level update (baseline 0,
// tau = dt): the level must still be exactly the clamped sum, and clamp where the range is
// narrower.
TEST(ModulatorySystem, InstantaneousLevelOfABoundedReleaseIsTheClampedRelease) {
  for (const std::string range : {"[-1, 1]", "[-0.05, 0.05]"}) {
    torch::manual_seed(2);
    auto network = network_from_yaml(
        "layers: [{name: out, size: 4}]\n"
        "modulators: [{name: X, tau: 1, range: " +
            range +
            ",\n"
            "              source: {kind: learned, reads: context, out: tanh}}]\n",
        kShape);
    const auto context = 4.0 * torch::randn({3, 2});
    const auto state = levels_from_context(network, context);
    const auto children = network->modulation()->named_children();
    const auto* source = children.find("source_X");
    ASSERT_NE(source, nullptr) << "the learned source's module name changed";
    const auto release = (*source)->as<LearnedSourceImpl>()->forward(context);
    const double hi = range == "[-1, 1]" ? 1.0 : 0.05;
    EXPECT_TRUE(torch::equal(state.levels.at("X"), torch::clamp(release, -hi, hi))) << range;
    EXPECT_TRUE(state.levels.at("X").requires_grad());
  }
}

TEST(ModulatorySystem, PresetsGiveDefaultsThatKeysOverride) {
  const auto config =
      testing::config_from_yaml("modulators: [{name: DA}, {name: HA, tau: 3}, {name: mine}]\n");
  EXPECT_EQ(config.modulators[0].range, (std::vector<double>{-1, 1}));
  EXPECT_EQ(config.modulators[1].tau, 3);
  EXPECT_EQ(config.modulators[2].tau, 1);
}

TEST(ModulatorySystem, ZeroModulationEqualsThePlainNetworkExactly) {
  const std::string layers =
      "layers:\n"
      "  - {name: hidden, size: 5, activation: tanh}\n"
      "  - {name: out, activation: identity}\n";
  torch::manual_seed(7);
  auto plain = network_from_yaml(layers, kShape);
  torch::manual_seed(7);
  auto modulated = network_from_yaml(
      layers +
          "modulators: [{name: X, tau: 1, source: {kind: constant, value: 0}}]\n"
          "projections:\n"
          "  - {modulator: X, target: hidden.all.soma, effect: gain,\n"
          "     receptor: {kind: linear, offset: 1}}\n"
          "  - {modulator: X, target: '*.all.soma', effect: bias, receptor: {kind: linear}}\n",
      kShape);
  const auto input = torch::randn({6, 3});
  EXPECT_TRUE(torch::equal(plain->forward(input), modulated->forward(input)));
}

TEST(ModulatorySystem, ProjectionsCombineByTheirEffectsRule) {
  auto network = network_from_yaml(
      "layers:\n"
      "  - name: out\n"
      "    size: 4\n"
      "    populations: [{name: a, range: '0:2'}, {name: b, range: '1:4'}]\n"
      "modulators: [{name: X, tau: 1, source: {kind: constant, value: 1}}]\n"
      "projections:\n"
      "  - {modulator: X, target: out.a.soma, effect: gain, receptor: {kind: linear, offset: 1}}\n"
      "  - {modulator: X, target: out.b.soma, effect: gain,\n"
      "     receptor: {kind: linear, e_max: 2, offset: 1}}\n"
      "  - {modulator: X, target: out.a.soma, effect: bias, receptor: {kind: linear}}\n"
      "  - {modulator: X, target: out.b.soma, effect: bias, receptor: {kind: linear, e_max: 3}}\n",
      kShape);
  const auto effects = network->modulation()->unit_effects(run_levels(network, 1, 1)).at("out");
  const auto gain = effects.at({Compartment::soma, EffectKind::gain});
  const auto bias = effects.at({Compartment::soma, EffectKind::bias});
  // gain multiplies: 2 on a, 3 on b, 6 where they overlap; bias adds: 1 on a, 3 on b.
  EXPECT_TRUE(torch::allclose(gain, torch::tensor({{2.0f, 6.0f, 3.0f, 3.0f}})));
  EXPECT_TRUE(torch::allclose(bias, torch::tensor({{1.0f, 4.0f, 3.0f, 3.0f}})));
}

TEST(ModulatorySystem, DiffusionProfileFollowsTheFormula) {
  auto network = network_from_yaml(
      "layers: [{name: out, size: 5, layout: [5]}]\n"
      "modulators: [{name: X, tau: 1, source: {kind: constant, value: 2}}]\n"
      "projections:\n"
      "  - {modulator: X, target: out.all.soma, effect: bias, receptor: {kind: linear},\n"
      "     profile: {profile: diffusion, site: [0], lambda: 0.5}}\n",
      kShape);
  const auto bias = network->modulation()
                        ->unit_effects(run_levels(network, 1, 1))
                        .at("out")
                        .at({Compartment::soma, EffectKind::bias});
  // Five units on [0, 1]: positions 0, .25, .5, .75, 1; c_i = 2 exp(-d_i / 0.5).
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(bias[0][i].item<double>(), 2.0 * std::exp(-0.25 * i / 0.5), 1e-6) << i;
  }
}

TEST(ModulatorySystem, InteractionsScaleOrOpposeReleaseAndEfficacy) {
  const std::string base =
      "layers: [{name: out, size: 4}]\n"
      "modulators:\n"
      "  - {name: A, tau: 1, source: {kind: constant, value: 0.5}}\n"
      "  - {name: B, tau: 1, source: {kind: constant, value: 1.0}}\n"
      "projections: [{modulator: B, target: out.all.soma, effect: bias, receptor: {kind: "
      "linear}}]\n";
  auto level_of_b = [&](const std::string& interaction) {
    auto network = network_from_yaml(base + "interactions: [" + interaction + "]\n", kShape);
    const auto state = run_levels(network, 2, 1);
    const auto bias = network->modulation()->unit_effects(state).at("out").at(
        {Compartment::soma, EffectKind::bias});
    return std::make_pair(state.levels.at("B")[0][0].item<double>(), bias[0][0].item<double>());
  };
  // oppose on release: r_B = 1 - 2 * 0.5 = 0
  EXPECT_DOUBLE_EQ(
      level_of_b("{modulator: A, target: B, on: release, kind: oppose, weight: 2}").first, 0.0);
  // scale on release: r_B = 1 * (1 + 2 * 0.5) = 2
  EXPECT_DOUBLE_EQ(
      level_of_b("{modulator: A, target: B, on: release, kind: scale, weight: 2}").first, 2.0);
  // efficacy: B's own level stays 1; what its receptors see is 1 - 0.5 = 0.5.
  const auto efficacy = level_of_b("{modulator: A, target: B, on: efficacy, kind: oppose}");
  EXPECT_DOUBLE_EQ(efficacy.first, 1.0);
  EXPECT_DOUBLE_EQ(efficacy.second, 0.5);
}

TEST(ModulatorySystem, DelayedProjectionsSeeOlderLevels) {
  auto network = network_from_yaml(
      "layers: [{name: out, size: 2}]\n"
      "modulators: [{name: X, tau: 4, source: {kind: constant, value: 1}}]\n"
      "projections:\n"
      "  - {modulator: X, target: out.all.soma, effect: bias, receptor: {kind: linear}}\n"
      "  - {modulator: X, target: out.all.soma, effect: threshold, receptor: {kind: linear},\n"
      "     delay: 2}\n",
      kShape);
  auto state = network->modulation()->initial_state(1, 0);
  std::vector<double> levels;
  SourceSignals signals;
  for (int t = 0; t < 5; ++t) {
    state = network->modulation()->update(state, signals, ReleasePhase::before_layers);
    state = network->modulation()->update(state, signals, ReleasePhase::after_layers);
    levels.push_back(state.levels.at("X")[0][0].item<double>());
  }
  const auto effects = network->modulation()->unit_effects(state).at("out");
  EXPECT_DOUBLE_EQ(effects.at({Compartment::soma, EffectKind::bias})[0][0].item<double>(),
                   levels[4]);
  EXPECT_DOUBLE_EQ(effects.at({Compartment::soma, EffectKind::threshold})[0][0].item<double>(),
                   levels[2]);
}

TEST(ModulatorySystem, BrainStatesSetBaselinesOnTheirCycle) {
  auto network = network_from_yaml(
      "layers: [{name: out, size: 2}]\n"
      "modulators: [{name: ACh, baseline: 0.5, source: constant}]\n"
      "states: [{name: wake, baselines: {ACh: 0.9}}, {name: sleep, baselines: {ACh: 0.1}}]\n"
      "state_cycle: [{state: wake, steps: 3}, {state: sleep, steps: 2}]\n",
      kShape);
  const auto& system = network->modulation();
  EXPECT_EQ(system->brain_state(0), "wake");
  EXPECT_EQ(system->brain_state(3), "sleep");
  EXPECT_EQ(system->brain_state(5), "wake");
  EXPECT_DOUBLE_EQ(system->baseline("ACh", 4), 0.1);
  EXPECT_FLOAT_EQ(system->initial_state(1, 2).levels.at("ACh")[0][0].item<float>(), 0.9f);
}

TEST(ModulatorySystem, LevelsLiveGloballyPerLayerOrPerUnit) {
  torch::manual_seed(5);
  auto network = network_from_yaml(
      "layers: [{name: a, size: 4}, {name: b, size: 3}]\n"
      "modulators:\n"
      "  - {name: U, tau: 1, space: unit, unit_layer: a,\n"
      "     source: {kind: learned, reads: context, channels: 4}}\n"
      "  - {name: L, tau: 1, space: layer, source: {kind: learned, reads: context, channels: 2}}\n"
      "projections:\n"
      "  - {modulator: U, target: a.all.soma, effect: bias, receptor: {kind: linear}}\n"
      "  - {modulator: L, target: a.all.soma, effect: threshold, receptor: {kind: linear}}\n"
      "  - {modulator: L, target: b.all.soma, effect: threshold, receptor: {kind: linear}}\n",
      kShape);
  const auto state = levels_from_context(network, torch::rand({2, 2}));
  const auto unit = state.levels.at("U");
  const auto per_layer = state.levels.at("L");
  EXPECT_EQ(unit.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(per_layer.sizes(), (std::vector<int64_t>{2, 2}));
  const auto effects = network->modulation()->unit_effects(state);
  // Per unit: each unit of `a` gets its own level; per layer: `a` reads column 0, `b` column 1.
  EXPECT_TRUE(torch::allclose(effects.at("a").at({Compartment::soma, EffectKind::bias}), unit));
  EXPECT_TRUE(torch::allclose(effects.at("a").at({Compartment::soma, EffectKind::threshold}),
                              per_layer.narrow(1, 0, 1).expand({2, 4})));
  EXPECT_TRUE(torch::allclose(effects.at("b").at({Compartment::soma, EffectKind::threshold}),
                              per_layer.narrow(1, 1, 1).expand({2, 3})));
}

TEST(ModulatorySystem, LearnerEffectsAreBatchMeans) {
  auto network = network_from_yaml(
      "layers: [{name: out, size: 2}]\n"
      "modulators: [{name: X, tau: 1, source: {kind: constant, value: 0.5}}]\n"
      "projections:\n"
      "  - {modulator: X, target: out.all.soma, effect: learning_rate,\n"
      "     receptor: {kind: linear, offset: 1}}\n"
      "  - {modulator: X, target: learner, effect: discount, receptor: {kind: linear, e_max: "
      "1.8}}\n",
      kShape);
  const auto effects = network->modulation()->learner_effects(run_levels(network, 1));
  EXPECT_DOUBLE_EQ(effects.learning_rate.at("out"), 1.5);
  EXPECT_NEAR(*effects.discount, 0.9, 1e-6);
}

TEST(ModulatorySystem, GradientsFlowThroughLearnedSourceAndReceptorIntoTheOutput) {
  torch::manual_seed(3);
  auto network = network_from_yaml(
      "layers: [{name: hidden, size: 4, activation: tanh}, {name: out, activation: identity}]\n"
      "modulators: [{name: X, tau: 1, source: {kind: learned, reads: context, hidden: 3}}]\n"
      "projections:\n"
      "  - {modulator: X, target: hidden.all.soma, effect: gain,\n"
      "     receptor: {kind: hill, offset: 1, learn: true, fanout: learned}}\n",
      kShape);
  network->to(torch::kFloat64);
  const auto input = torch::randn({2, 3}, torch::kFloat64);
  const auto context = torch::rand({2, 2}, torch::kFloat64);
  std::vector<torch::Tensor> parameters = network->modulation()->parameters();
  ASSERT_FALSE(parameters.empty());
  // Autograd against central differences, parameter by parameter.
  for (auto& parameter : parameters) {
    const auto base = parameter.detach().clone();
    network->zero_grad();
    const auto projection =
        torch::linspace(0.3, 1.7, network->forward(input, context).numel(), torch::kFloat64)
            .reshape({2, 4});
    (network->forward(input, context) * projection).sum().backward();
    const auto analytic = parameter.grad().clone();
    const double eps = 1e-6;
    for (int64_t k = 0; k < base.numel(); ++k) {
      torch::NoGradGuard no_grad;
      auto flat = parameter.view({-1});
      flat[k] = base.view({-1})[k].item<double>() + eps;
      const double up = (network->forward(input, context) * projection).sum().item<double>();
      flat[k] = base.view({-1})[k].item<double>() - eps;
      const double down = (network->forward(input, context) * projection).sum().item<double>();
      flat[k] = base.view({-1})[k].item<double>();
      const double numeric = (up - down) / (2 * eps);
      EXPECT_NEAR(analytic.view({-1})[k].item<double>(), numeric, 1e-6 + 1e-5 * std::abs(numeric));
    }
  }
}

}  // namespace
}  // namespace neuromod
