#include "neuromod/layers/modulated_linear.h"

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

const nm::EffectKey kGain{Compartment::soma, EffectKind::gain};
const nm::EffectKey kBias{Compartment::soma, EffectKind::bias};
const nm::EffectKey kThreshold{Compartment::soma, EffectKind::threshold};
const nm::EffectKey kNoise{Compartment::soma, EffectKind::noise};
const nm::EffectKey kGate{Compartment::output, EffectKind::gate};

torch::Tensor rows(std::vector<std::vector<double>> values) {
  std::vector<torch::Tensor> stacked;
  for (const auto& row : values) stacked.push_back(torch::tensor(row, torch::kDouble));
  return torch::stack(stacked);
}

}  // namespace

TEST(ModulatedLinear, ShapesAndBackward) {
  torch::manual_seed(0);
  nm::ModulatedLinear layer(nm::ModulatedLinearOptions(4, 5).activation(nf::Activation::tanh));
  const auto x = torch::randn({3, 4}, torch::requires_grad());
  UnitEffects effects;
  for (const auto& key : {kGain, kBias, kThreshold, kNoise, kGate}) {
    effects[key] = torch::rand({3, 5}).requires_grad_();
  }
  const auto y = layer(x, effects);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, 5}));
  y.sum().backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_TRUE(layer->weight.grad().defined());
  EXPECT_TRUE(layer->bias.grad().defined());
  for (const auto& [key, value] : effects) {
    ASSERT_TRUE(value.grad().defined()) << nm::config::enum_name(key.effect);
    EXPECT_GT(value.grad().abs().sum().item<double>(), 0.0) << nm::config::enum_name(key.effect);
  }
  EXPECT_EQ(layer->size(), 5);
  EXPECT_TRUE(layer->initial_state(3).empty());
  EXPECT_EQ(layer->exposed_effects().size(), 5u);

  const auto step = layer->step(x, {}, effects);
  EXPECT_EQ(step.output.sizes(), (std::vector<int64_t>{3, 5}));
  EXPECT_TRUE(step.state.empty());
}

TEST(ModulatedLinear, NoEffectsEqualsTorchLinearExactly) {
  for (const bool with_bias : {true, false}) {
    for (const auto activation : {nf::Activation::identity, nf::Activation::relu,
                                  nf::Activation::tanh, nf::Activation::sigmoid}) {
      torch::manual_seed(11);
      torch::nn::Linear plain(torch::nn::LinearOptions(6, 3).bias(with_bias));
      torch::manual_seed(11);
      nm::ModulatedLinear layer(
          nm::ModulatedLinearOptions(6, 3).activation(activation).bias(with_bias));
      ASSERT_TRUE(torch::equal(plain->weight, layer->weight));
      if (with_bias) {
        ASSERT_TRUE(torch::equal(plain->bias, layer->bias));
      } else {
        EXPECT_FALSE(layer->bias.defined());
        EXPECT_EQ(layer->parameters().size(), 1u);
      }
      const auto x = torch::randn({4, 6});
      EXPECT_TRUE(torch::equal(layer(x), nf::activate(plain(x), activation)));
      // Effects set to their neutral values change nothing either.
      const UnitEffects neutral{{kGain, torch::ones({4, 3})},
                                {kBias, torch::zeros({4, 3})},
                                {kGate, torch::ones({4, 3})}};
      EXPECT_TRUE(torch::allclose(layer(x, neutral), layer(x)));
    }
  }
}

TEST(ModulatedLinear, HandWorkedEffects) {
  nm::ModulatedLinear layer(nm::ModulatedLinearOptions(2, 2).activation(nf::Activation::relu));
  layer->to(torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    layer->weight.copy_(rows({{1, 0}, {0, 2}}));
    layer->bias.copy_(torch::tensor({0.5, -1.0}, torch::kDouble));
  }
  const auto x = rows({{2, 3}});  // z = W x + b = [2.5, 5]
  const UnitEffects effects{{kGain, rows({{2, 0.5}})},
                            {kBias, rows({{1, 1}})},
                            {kThreshold, rows({{0.5, 8}})},
                            {kGate, rows({{0.5, 2}})}};
  // relu([2·2.5 + 1 − 0.5, 0.5·5 + 1 − 8]) = relu([5.5, −4.5]) = [5.5, 0]; gated: [2.75, 0].
  EXPECT_TRUE(torch::allclose(layer(x, effects), rows({{2.75, 0.0}})));
  // One effect alone, broadcast from (N) and from ().
  EXPECT_TRUE(torch::allclose(
      layer->forward(x, {{kGain, torch::tensor({2.0, 1.0}, torch::kDouble)}}), rows({{5.0, 5.0}})));
  EXPECT_TRUE(torch::allclose(layer->forward(x, {{kThreshold, torch::tensor(3.0, torch::kDouble)}}),
                              rows({{0.0, 2.0}})));
}

TEST(ModulatedLinear, NoiseOnlyInTrainingAndOnlyWithTheEffect) {
  torch::manual_seed(3);
  nm::ModulatedLinear layer(4, 2);
  const auto x = torch::randn({5, 4});
  const auto clean = layer(x);
  const UnitEffects noisy{{kNoise, torch::full({5, 2}, 0.3)}};

  torch::manual_seed(42);
  const auto trained = layer(x, noisy);
  torch::manual_seed(42);
  const auto epsilon = torch::randn({5, 2});
  EXPECT_TRUE(torch::allclose(trained, clean + 0.3 * epsilon));

  layer->eval();
  EXPECT_TRUE(torch::equal(layer(x, noisy), clean));
  layer->train();

  // Without the effect the layer draws nothing from the global generator.
  torch::manual_seed(5);
  const auto expected = torch::rand({3});
  torch::manual_seed(5);
  (void)layer(x);
  EXPECT_TRUE(torch::equal(torch::rand({3}), expected));
}

TEST(ModulatedLinear, RejectsEffectsItDoesNotReadAndBadShapes) {
  nm::ModulatedLinear layer(3, 2);
  const auto x = torch::randn({4, 3});
  try {
    (void)layer->forward(x,
                         {{{Compartment::synapse, EffectKind::plasticity}, torch::ones({4, 2})}});
    FAIL() << "expected an error";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("synapse.plasticity"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("soma.gain"), std::string::npos);
  }
  EXPECT_THROW((void)layer->forward(x, {{kGain, torch::ones({4, 3})}}), c10::Error);
  EXPECT_THROW((void)layer->forward(x, {{kGain, torch::ones({2, 2})}}), c10::Error);
  EXPECT_THROW((void)layer(torch::randn({4, 5})), c10::Error);
  EXPECT_THROW(nm::ModulatedLinear(0, 2), c10::Error);
}

TEST(ModulatedLinear, GradcheckThroughAllEffects) {
  torch::manual_seed(1);
  nm::ModulatedLinear layer(nm::ModulatedLinearOptions(3, 4).activation(nf::Activation::tanh));
  layer->to(torch::kDouble);
  const auto opts = torch::TensorOptions().dtype(torch::kDouble).requires_grad(true);
  const std::vector<torch::Tensor> inputs{
      torch::randn({2, 3}, opts),       torch::rand({2, 4}, opts) + 0.5,
      torch::randn({2, 4}, opts) * 0.3, torch::randn({2, 4}, opts) * 0.3,
      torch::rand({2, 4}, opts) * 0.2,  torch::rand({2, 4}, opts) + 0.5};
  // The noise draw is reseeded on every evaluation so that ε is the same fixed sample each time.
  const auto run = [&](const std::vector<torch::Tensor>& in) {
    torch::manual_seed(99);
    return layer->forward(
        in[0],
        {{kGain, in[1]}, {kBias, in[2]}, {kThreshold, in[3]}, {kNoise, in[4]}, {kGate, in[5]}});
  };
  EXPECT_TRUE(neuromod::testing::gradcheck(run, inputs));
  EXPECT_TRUE(neuromod::testing::check_parameter_gradients(*layer, [&] {
    return run({inputs[0].detach(), inputs[1].detach(), inputs[2].detach(), inputs[3].detach(),
                inputs[4].detach(), inputs[5].detach()});
  }));
}

TEST(ModulatedLinear, SaveLoadRoundTrip) {
  torch::manual_seed(2);
  nm::ModulatedLinear saved(nm::ModulatedLinearOptions(3, 2).activation(nf::Activation::sigmoid));
  torch::manual_seed(3);
  nm::ModulatedLinear loaded(nm::ModulatedLinearOptions(3, 2).activation(nf::Activation::sigmoid));
  const auto x = torch::randn({4, 3});
  ASSERT_FALSE(torch::equal(saved(x), loaded(x)));
  neuromod::testing::round_trip_module(saved, loaded);
  const UnitEffects effects{{kGain, torch::rand({4, 2})}};
  EXPECT_TRUE(torch::equal(saved(x, effects), loaded(x, effects)));

  std::ostringstream printed;
  printed << *saved;
  EXPECT_EQ(printed.str(),
            "neuromod::ModulatedLinear(in_features=3, out_features=2, activation=sigmoid, "
            "bias=true)");

  const auto copy = std::dynamic_pointer_cast<nm::ModulatedLinearImpl>(saved->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(torch::equal(copy->weight, saved->weight));
  EXPECT_NE(copy->weight.data_ptr(), saved->weight.data_ptr());
}
