#include "neuromod/layers/dendritic_layer.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "layers/layer_test_support.h"
#include "support/gradcheck.h"

namespace nm = neuromod;
namespace nf = neuromod::functional;
using neuromod::Compartment;
using neuromod::UnitEffects;
using nf::EffectKind;

namespace {

const nm::EffectKey kBasalGain{Compartment::basal, EffectKind::gain};
const nm::EffectKey kApicalGain{Compartment::apical, EffectKind::gain};
const nm::EffectKey kCoupling{Compartment::apical, EffectKind::coupling};
const nm::EffectKey kSomaGain{Compartment::soma, EffectKind::gain};
const nm::EffectKey kSomaBias{Compartment::soma, EffectKind::bias};
const nm::EffectKey kGate{Compartment::output, EffectKind::gate};

torch::Tensor rows(std::vector<std::vector<double>> values) {
  std::vector<torch::Tensor> stacked;
  for (const auto& row : values) stacked.push_back(torch::tensor(row, torch::kDouble));
  return torch::stack(stacked);
}

std::set<std::string> keys(const nm::LayerState& state) {
  std::set<std::string> names;
  for (const auto& entry : state) names.insert(entry.first);
  return names;
}

/// 2 units, 2 basal inputs, 1 apical input; W = diag(1, 1), b = 0, Y = [1, 0]ᵀ, f = identity.
nm::DendriticLayer hand_layer() {
  nm::DendriticLayer layer(nm::DendriticLayerOptions(2, 2, 1).activation(nf::Activation::identity));
  layer->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  layer->weight.copy_(rows({{1, 0}, {0, 1}}));
  layer->bias.zero_();
  layer->apical_weight.copy_(rows({{1}, {0}}));
  return layer;
}

}  // namespace

TEST(DendriticLayer, ShapesStateAndBackward) {
  torch::manual_seed(0);
  nm::DendriticLayer layer(nm::DendriticLayerOptions(5, 4, 3).learn_apical_weights(true));
  auto state = layer->initial_state(2);
  const std::set<std::string> expected{"apical_input", "basal_potential", "apical_potential",
                                       "somatic_potential"};
  EXPECT_EQ(keys(state), expected);
  EXPECT_EQ(state.at("apical_input").sizes(), (std::vector<int64_t>{2, 3}));
  state["apical_input"] = torch::randn({2, 3});
  UnitEffects effects;
  for (const auto& key : {kBasalGain, kApicalGain, kCoupling, kSomaGain, kSomaBias, kGate}) {
    effects[key] = torch::rand({2, 4}).add_(0.5).requires_grad_();
  }
  const auto x = torch::randn({2, 5}, torch::requires_grad());
  const auto step = layer->step(x, state, effects);
  EXPECT_EQ(step.output.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(keys(step.state), expected);
  EXPECT_TRUE(torch::equal(step.state.at("apical_input"), state.at("apical_input")));
  EXPECT_EQ(step.state.at("somatic_potential").sizes(), (std::vector<int64_t>{2, 4}));
  step.output.sum().backward();
  EXPECT_GT(x.grad().abs().sum().item<double>(), 0.0);
  for (const auto& named : layer->named_parameters()) {
    EXPECT_GT(named.value().grad().abs().sum().item<double>(), 0.0) << named.key();
  }
  for (const auto& [key, value] : effects) {
    EXPECT_GT(value.grad().abs().sum().item<double>(), 0.0)
        << nm::config::enum_name(key.compartment) << "." << nm::config::enum_name(key.effect);
  }
  // Without "apical_input" in the state the top-down input is 0.
  const auto bare = layer->step(x, {}, {});
  EXPECT_TRUE(torch::equal(bare.state.at("apical_input"), torch::zeros({2, 3})));
  EXPECT_TRUE(torch::equal(bare.state.at("apical_potential"), torch::zeros({2, 4})));
}

TEST(DendriticLayer, HandWorkedSomaticPotential) {
  auto layer = hand_layer();
  nm::LayerState state{{"apical_input", rows({{2}})}};
  const auto x = rows({{1, 2}});  // B = [1, 2]; A = Y a = [2, 0]
  // Default g_A = 0.05: C = (0.6 B + 0.05 A) / (0.1 + 0.6 + 0.05) = [0.7, 1.2] / 0.75.
  auto step = layer->step(x, state, {});
  EXPECT_TRUE(torch::allclose(step.output, rows({{0.7 / 0.75, 1.2 / 0.75}})));
  EXPECT_TRUE(torch::allclose(step.state.at("basal_potential"), rows({{1, 2}})));
  EXPECT_TRUE(torch::allclose(step.state.at("apical_potential"), rows({{2, 0}})));
  // coupling 2 doubles g_A to 0.1: C = [0.6 + 0.2, 1.2] / 0.8 = [1, 1.5]; then soma gain, bias,
  // gate: y = gate ⊙ (gain C + bias).
  step = layer->step(x, state,
                     {{kCoupling, rows({{2, 2}})},
                      {kSomaGain, rows({{2, 1}})},
                      {kSomaBias, rows({{0, -1}})},
                      {kGate, rows({{1, 3}})}});
  EXPECT_TRUE(torch::allclose(step.state.at("somatic_potential"), rows({{1, 1.5}})));
  EXPECT_TRUE(torch::allclose(step.output, rows({{2, 1.5}})));
  // Basal and apical gains scale their potentials before the soma sums them:
  // B = [0.5, 1], A = [6, 0]: C = ([0.3, 0.6] + 0.05 [6, 0]) / 0.75 = [0.8, 0.8].
  step = layer->step(x, state, {{kBasalGain, rows({{0.5, 0.5}})}, {kApicalGain, rows({{3, 3}})}});
  EXPECT_TRUE(torch::allclose(step.output, rows({{0.8, 0.8}})));
}

TEST(DendriticLayer, SegregatedUnitIsScaledBasalDrive) {
  torch::manual_seed(1);
  // g_A = 0: the reference's default, C = k_B (W x + b), k_B = 0.6 / 0.7; the apical input and
  // the coupling effect change nothing.
  nm::DendriticLayer layer(nm::DendriticLayerOptions(3, 4, 2).g_apical(0.0));
  const auto x = torch::randn({5, 3});
  nm::LayerState state{{"apical_input", torch::randn({5, 2})}};
  const auto expected = torch::sigmoid(torch::linear(x, layer->weight, layer->bias) * (0.6 / 0.7));
  EXPECT_TRUE(torch::allclose(layer->step(x, state, {}).output, expected));
  EXPECT_TRUE(torch::allclose(layer->step(x, state, {{kCoupling, torch::full({5, 4}, 3.0)}}).output,
                              expected));
  // With g_A > 0, coupling 0 disconnects the apical dendrite in the same way.
  nm::DendriticLayer coupled(nm::DendriticLayerOptions(3, 4, 2));
  const auto silenced = coupled->step(x, state, {{kCoupling, torch::zeros({5, 4})}}).output;
  EXPECT_TRUE(torch::allclose(
      silenced, torch::sigmoid(torch::linear(x, coupled->weight, coupled->bias) * (0.6 / 0.7))));
  EXPECT_FALSE(torch::allclose(coupled->step(x, state, {}).output, silenced));
}

TEST(DendriticLayer, ApicalWeightsFixedOrLearnedAndSparse) {
  torch::manual_seed(2);
  nm::DendriticLayer fixed(nm::DendriticLayerOptions(3, 40, 50));
  EXPECT_FALSE(fixed->named_parameters().contains("apical_weight"));
  EXPECT_TRUE(fixed->named_buffers().contains("apical_weight"));
  EXPECT_LE(fixed->apical_weight.abs().max().item<double>(), 0.5);
  nm::DendriticLayer learned(nm::DendriticLayerOptions(3, 4, 2).learn_apical_weights(true));
  EXPECT_TRUE(learned->named_parameters().contains("apical_weight"));
  nm::DendriticLayer sparse(nm::DendriticLayerOptions(3, 40, 50).apical_sparsity(0.8));
  const double zeros = (sparse->apical_weight == 0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(zeros, 0.8, 0.05);
  EXPECT_GT(sparse->apical_weight.abs().max().item<double>(), 0.5);  // survivors scaled by 5
  EXPECT_LE(sparse->apical_weight.abs().max().item<double>(), 2.5);
  nm::DendriticLayer none(nm::DendriticLayerOptions(3, 4, 0));
  EXPECT_FALSE(none->apical_weight.defined());
  EXPECT_EQ(keys(none->initial_state(2)).count("apical_input"), 0u);
}

TEST(DendriticLayer, GradcheckThroughAllEffects) {
  torch::manual_seed(3);
  nm::DendriticLayer layer(nm::DendriticLayerOptions(3, 4, 2).learn_apical_weights(true));
  layer->to(torch::kDouble);
  const auto opts = torch::TensorOptions().dtype(torch::kDouble).requires_grad(true);
  std::vector<torch::Tensor> inputs{torch::randn({2, 3}, opts), torch::randn({2, 2}, opts)};
  for (int k = 0; k < 6; ++k) inputs.push_back(torch::rand({2, 4}, opts) + 0.5);
  const auto run = [&](const std::vector<torch::Tensor>& in) {
    return layer
        ->step(in[0], {{"apical_input", in[1]}},
               {{kBasalGain, in[2]},
                {kApicalGain, in[3]},
                {kCoupling, in[4]},
                {kSomaGain, in[5]},
                {kSomaBias, in[6]},
                {kGate, in[7]}})
        .output;
  };
  EXPECT_TRUE(neuromod::testing::gradcheck(run, inputs));
  std::vector<torch::Tensor> fixed;
  for (const auto& input : inputs) fixed.push_back(input.detach());
  EXPECT_TRUE(neuromod::testing::check_parameter_gradients(*layer, [&] { return run(fixed); }));
}

TEST(DendriticLayer, SaveLoadRoundTripKeepsFixedFeedback) {
  torch::manual_seed(4);
  nm::DendriticLayer saved(nm::DendriticLayerOptions(3, 4, 2).apical_sparsity(0.5));
  torch::manual_seed(5);
  nm::DendriticLayer loaded(nm::DendriticLayerOptions(3, 4, 2).apical_sparsity(0.5));
  ASSERT_FALSE(torch::equal(saved->apical_weight, loaded->apical_weight));
  neuromod::testing::round_trip_module(saved, loaded);
  EXPECT_TRUE(torch::equal(saved->apical_weight, loaded->apical_weight));
  const auto x = torch::randn({2, 3});
  nm::LayerState state{{"apical_input", torch::randn({2, 2})}};
  const auto restored = neuromod::testing::load_state(neuromod::testing::save_state(state));
  const auto a = saved->step(x, state, {{kCoupling, torch::full({2, 4}, 2.0)}});
  const auto b = loaded->step(x, restored, {{kCoupling, torch::full({2, 4}, 2.0)}});
  EXPECT_TRUE(torch::equal(a.output, b.output));
  EXPECT_TRUE(neuromod::testing::states_equal(a.state, b.state));

  std::ostringstream printed;
  printed << *saved;
  EXPECT_EQ(printed.str(),
            "neuromod::DendriticLayer(input_size=3, size=4, apical_size=2, activation=sigmoid, "
            "g_leak=0.1, g_basal=0.6, g_apical=0.05, learn_apical_weights=false)");
}

TEST(DendriticLayer, RejectsBadOptionsInputsAndEffects) {
  EXPECT_THROW(nm::DendriticLayer(nm::DendriticLayerOptions(3, 4, 2).g_leak(0.0)), c10::Error);
  EXPECT_THROW(nm::DendriticLayer(nm::DendriticLayerOptions(3, 4, 2).g_apical(-1.0)), c10::Error);
  EXPECT_THROW(nm::DendriticLayer(nm::DendriticLayerOptions(3, 4, 2).apical_sparsity(1.0)),
               c10::Error);
  nm::DendriticLayer layer(nm::DendriticLayerOptions(3, 4, 2));
  EXPECT_THROW(
      (void)layer->step(torch::randn({2, 3}), {{"apical_input", torch::randn({2, 5})}}, {}),
      c10::Error);
  EXPECT_THROW(
      (void)layer->step(torch::randn({2, 3}), {},
                        {{{Compartment::soma, EffectKind::threshold}, torch::ones({2, 4})}}),
      c10::Error);
}
