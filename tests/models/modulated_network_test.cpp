#include "neuromod/models/modulated_network.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "support/network_from_yaml.h"

namespace neuromod {
namespace {

using testing::network_from_yaml;

const char* kBackpropamine =
    "layers:\n"
    "  - {name: rnn, kind: plastic_recurrent, size: 6, plasticity: retroactive}\n"
    "  - {name: policy, kind: linear, from: rnn, size: 2, activation: identity}\n"
    "modulators: [{name: DA, tau: 1, range: [-1, 1], source: {kind: learned, reads: rnn, out: "
    "tanh}}]\n"
    "projections:\n"
    "  - {modulator: DA, target: rnn.all.synapse, effect: plasticity,\n"
    "     receptor: {kind: linear, fanout: learned}}\n";

TEST(ModulatedNetwork, StepsAnEpisodeWithPlasticTracesAndModulation) {
  torch::manual_seed(1);
  auto network = network_from_yaml(kBackpropamine, {5, 2, 0});
  auto state = network->initial_state(3);
  torch::Tensor loss = torch::zeros({});
  for (int t = 0; t < 6; ++t) {
    SourceSignals signals;
    signals.time_step = t;
    const auto result = network->step(torch::randn({3, 5}), state, signals);
    EXPECT_EQ(result.output.sizes(), (std::vector<int64_t>{3, 2}));
    loss = loss + result.output.pow(2).sum();
    state = result.state;
  }
  // The modulator has driven plastic change, and gradients reach the nucleus.
  EXPECT_GT(state.layers.at("rnn").at("hebb").abs().sum().item<double>(), 0.0);
  EXPECT_EQ(state.modulation.levels.at("DA").sizes(), (std::vector<int64_t>{3, 1}));
  loss.backward();
  for (const auto& parameter : network->modulation()->parameters()) {
    EXPECT_GT(parameter.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(ModulatedNetwork, RecordablesUseCanonicalNames) {
  torch::manual_seed(1);
  auto network = network_from_yaml(kBackpropamine, {5, 2, 0});
  const auto step = network->step(torch::randn({3, 5}), network->initial_state(3), {});
  const auto values = network->recordables(step.state);
  for (const char* name :
       {"layers/rnn/output", "layers/policy/output", "layers/rnn/state/hebb",
        "layers/rnn/state/eligibility", "modulators/DA/level", "effects/rnn/synapse.plasticity"}) {
    ASSERT_EQ(values.count(name), 1u) << name;
    EXPECT_FALSE(values.at(name).requires_grad()) << name;
  }
  EXPECT_TRUE(
      torch::equal(values.at("modulators/DA/level"), step.state.modulation.levels.at("DA")));
  EXPECT_EQ(values.at("effects/rnn/synapse.plasticity").sizes(), (std::vector<int64_t>{3, 6}));
}

TEST(ModulatedNetwork, WithoutTheProjectionARetroactiveLayerDoesNotChange) {
  torch::manual_seed(1);
  auto network = network_from_yaml(
      "layers:\n"
      "  - {name: rnn, kind: plastic_recurrent, size: 6, plasticity: retroactive}\n"
      "  - {name: policy, kind: linear, size: 2}\n",
      {5, 2, 0});
  auto state = network->initial_state(2);
  for (int t = 0; t < 4; ++t) state = network->step(torch::randn({2, 5}), state, {}).state;
  EXPECT_EQ(state.layers.at("rnn").at("hebb").abs().sum().item<double>(), 0.0);
}

TEST(ModulatedNetwork, SaveLoadRoundTripGivesIdenticalOutputs) {
  torch::manual_seed(1);
  auto network = network_from_yaml(kBackpropamine, {5, 2, 0});
  torch::manual_seed(2);
  auto other = network_from_yaml(kBackpropamine, {5, 2, 0});
  std::stringstream buffer;
  torch::save(network, buffer);
  torch::load(other, buffer);
  const auto input = torch::randn({2, 5});
  auto state = network->initial_state(2);
  auto other_state = other->initial_state(2);
  for (int t = 0; t < 3; ++t) {
    auto a = network->step(input, state, {});
    auto b = other->step(input, other_state, {});
    EXPECT_TRUE(torch::equal(a.output, b.output)) << t;
    state = a.state;
    other_state = b.state;
  }
}

TEST(ModulatedNetwork, ResolvesSizesAndRejectsBadWiring) {
  const auto layers = resolve_layers(
      testing::config_from_yaml("layers: [{name: h, size: 3}, {name: d, kind: dropout},\n"
                                "         {name: out}]\n")
          .layers,
      {7, 4, 0});
  EXPECT_EQ(layers[1].size, 3);
  EXPECT_EQ(layers[2].size, 4);
  EXPECT_THROW(resolve_layers(testing::config_from_yaml(
                                  "layers: [{name: a, size: 2, from: b}, {name: b, size: 2}]\n")
                                  .layers,
                              {7, 4, 0}),
               std::invalid_argument);
}

}  // namespace
}  // namespace neuromod
