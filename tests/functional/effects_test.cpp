#include "neuromod/functional/effects.h"

#include <cmath>
#include <initializer_list>
#include <iterator>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/gradcheck.h"

namespace nf = neuromod::functional;
using neuromod::testing::gradcheck;

namespace {

torch::Tensor doubles(std::initializer_list<double> values) {
  return torch::tensor(std::vector<double>(values), torch::kDouble);
}

const nf::Activation kActivations[] = {nf::Activation::identity, nf::Activation::relu,
                                       nf::Activation::tanh,     nf::Activation::sigmoid,
                                       nf::Activation::softplus, nf::Activation::saturated_linear};

}  // namespace

TEST(Effects, ActivationsMatchTheirDefinitions) {
  const auto z = doubles({-2.0, -0.5, 0.0, 0.3, 1.7});
  EXPECT_TRUE(torch::equal(nf::activate(z, nf::Activation::identity), z));
  EXPECT_TRUE(torch::equal(nf::activate(z, nf::Activation::relu), doubles({0, 0, 0, 0.3, 1.7})));
  EXPECT_TRUE(torch::allclose(nf::activate(z, nf::Activation::tanh), torch::tanh(z)));
  EXPECT_TRUE(torch::allclose(nf::activate(z, nf::Activation::sigmoid), 1 / (1 + torch::exp(-z))));
  EXPECT_TRUE(
      torch::allclose(nf::activate(z, nf::Activation::softplus), torch::log1p(torch::exp(z))));
  EXPECT_TRUE(torch::equal(nf::activate(z, nf::Activation::saturated_linear),
                           doubles({-1.0, -0.5, 0.0, 0.3, 1.0})));
}

TEST(Effects, ActivationsStayInTheirRangeAlsoInFloat) {
  const auto z = torch::linspace(-60.0, 60.0, 2001, torch::kFloat32);
  for (const auto activation :
       {nf::Activation::identity, nf::Activation::relu, nf::Activation::tanh,
        nf::Activation::sigmoid, nf::Activation::softplus, nf::Activation::saturated_linear}) {
    const auto [lo, hi] = nf::activation_range(activation);
    const auto f = nf::activate(z, activation);
    EXPECT_GE(f.min().item<double>(), lo) << neuromod::config::enum_name(activation);
    EXPECT_LE(f.max().item<double>(), hi) << neuromod::config::enum_name(activation);
  }
  EXPECT_EQ(nf::activation_range(nf::Activation::tanh), std::make_pair(-1.0, 1.0));
  EXPECT_EQ(nf::activation_range(nf::Activation::sigmoid), std::make_pair(0.0, 1.0));
  EXPECT_TRUE(std::isinf(nf::activation_range(nf::Activation::relu).second));
}

TEST(Effects, NeutralGainAndBiasEqualPlainActivation) {
  const auto z = torch::randn({3, 7}, torch::kDouble) * 3;
  const auto gain = torch::ones({7}, torch::kDouble);
  const auto bias = torch::zeros({3, 7}, torch::kDouble);
  for (auto activation : kActivations) {
    EXPECT_TRUE(torch::equal(nf::modulated_activation(z, gain, bias, activation),
                             nf::activate(z, activation)))
        << neuromod::config::enum_name(activation);
  }
  EXPECT_TRUE(torch::equal(nf::gate_output(z, torch::ones({7}, torch::kDouble)), z));
}

TEST(Effects, GainAndBiasKnownValues) {
  // tanh(2 z + 0.5) per unit; relu with a negative bias is a raised threshold.
  const auto z = torch::tensor({{0.0, 1.0}, {-1.0, 0.25}}, torch::kDouble);
  const auto gain = doubles({2.0, 0.5});
  const auto bias = doubles({0.5, -1.0});
  const auto y = nf::modulated_activation(z, gain, bias, nf::Activation::tanh);
  const auto expected = torch::tanh(torch::tensor({{0.5, -0.5}, {-1.5, -0.875}}, torch::kDouble));
  EXPECT_TRUE(torch::allclose(y, expected, 1e-15, 1e-15)) << y;
  const auto r = nf::modulated_activation(z, gain, bias, nf::Activation::relu);
  EXPECT_TRUE(torch::equal(r, torch::tensor({{0.5, 0.0}, {0.0, 0.0}}, torch::kDouble)));
  // A gate of 0 silences a unit, 0.5 halves it.
  const auto gated = nf::gate_output(z, doubles({0.0, 0.5}));
  EXPECT_TRUE(torch::equal(gated, torch::tensor({{0.0, 0.5}, {0.0, 0.125}}, torch::kDouble)));
}

TEST(Effects, ShapesAndBackward) {
  const int64_t batch = 4, units = 5;
  auto z = torch::randn({batch, units}).set_requires_grad(true);
  auto gain = torch::full({units}, 1.3).set_requires_grad(true);
  auto bias = torch::full({batch, units}, 0.1).set_requires_grad(true);
  auto gate = torch::full({}, 0.7).set_requires_grad(true);
  for (auto activation : kActivations) {
    const auto y = nf::gate_output(nf::modulated_activation(z, gain, bias, activation), gate);
    EXPECT_EQ(y.sizes(), z.sizes());
    y.sum().backward();
  }
  for (const auto& p : {z, gain, bias, gate}) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(Effects, GradientsMatchFiniteDifferences) {
  const auto z =
      torch::tensor({{0.3, -0.8, 1.1}, {-0.2, 0.6, -1.4}}, torch::kDouble).set_requires_grad(true);
  const auto gain = doubles({1.5, 0.7, 2.0}).set_requires_grad(true);
  const auto bias = doubles({0.1, -0.3, 0.2}).set_requires_grad(true);
  const auto gate = doubles({0.9, 0.4, 1.2}).set_requires_grad(true);
  for (auto activation :
       {nf::Activation::tanh, nf::Activation::sigmoid, nf::Activation::softplus}) {
    EXPECT_TRUE(gradcheck(
        [activation](const std::vector<torch::Tensor>& x) {
          return nf::gate_output(nf::modulated_activation(x[0], x[1], x[2], activation), x[3]);
        },
        {z, gain, bias, gate}))
        << neuromod::config::enum_name(activation);
  }
  EXPECT_TRUE(gradcheck(
      [](const std::vector<torch::Tensor>& x) {
        return nf::combine(nf::CombineRule::multiplicative, {x[0], x[1], x[0]}) +
               nf::combine(nf::CombineRule::additive, {x[0], x[1]});
      },
      {gain, bias}));
}

TEST(CombineRule, CombinesSmallTensors) {
  const auto a = doubles({1.0, 2.0});
  const auto b = doubles({3.0, -4.0});
  const auto c = doubles({0.5, 0.25});
  EXPECT_TRUE(
      torch::equal(nf::combine(nf::CombineRule::multiplicative, {a, b, c}), doubles({1.5, -2.0})));
  EXPECT_TRUE(
      torch::equal(nf::combine(nf::CombineRule::additive, {a, b, c}), doubles({4.5, -1.75})));
  EXPECT_TRUE(torch::equal(nf::combine(nf::CombineRule::replace, {a, b, c}), c));
  EXPECT_TRUE(torch::equal(nf::combine(nf::CombineRule::replace, {c, b}), b));
  // One value is itself.
  EXPECT_TRUE(torch::equal(nf::combine(nf::CombineRule::multiplicative, {b}), b));
  // Values broadcast: a per-sample gain (2, 1) times a per-unit gain (3).
  const auto per_sample = torch::tensor({{2.0}, {3.0}}, torch::kDouble);
  const auto per_unit = doubles({1.0, 0.5, 0.0});
  EXPECT_TRUE(torch::equal(nf::combine(nf::CombineRule::multiplicative, {per_sample, per_unit}),
                           torch::tensor({{2.0, 1.0, 0.0}, {3.0, 1.5, 0.0}}, torch::kDouble)));
}

TEST(CombineRule, NeutralValues) {
  EXPECT_EQ(nf::neutral_value(nf::CombineRule::multiplicative), 1.0);
  EXPECT_EQ(nf::neutral_value(nf::CombineRule::additive), 0.0);
  EXPECT_FALSE(nf::neutral_value(nf::CombineRule::replace).has_value());
  EXPECT_EQ(nf::combine(nf::CombineRule::multiplicative, {}).item<double>(), 1.0);
  EXPECT_EQ(nf::combine(nf::CombineRule::additive, {}).item<double>(), 0.0);
  EXPECT_THROW(nf::combine(nf::CombineRule::replace, {}), c10::Error);
  // The neutral value leaves any other value unchanged.
  const auto v = doubles({0.3, -2.0});
  for (auto rule : {nf::CombineRule::multiplicative, nf::CombineRule::additive}) {
    const auto neutral = torch::full({2}, *nf::neutral_value(rule), torch::kDouble);
    EXPECT_TRUE(torch::equal(nf::combine(rule, {v, neutral}), v))
        << neuromod::config::enum_name(rule);
  }
}

TEST(EffectKind, TableOfRulesScopesAndNames) {
  using neuromod::config::enum_from_name;
  using neuromod::config::enum_name;
  using K = nf::EffectKind;
  using R = nf::CombineRule;
  using S = nf::EffectScope;
  struct Row {
    K kind;
    const char* name;
    R rule;
    S scope;
  };
  const Row table[] = {
      {K::gain, "gain", R::multiplicative, S::unit},
      {K::bias, "bias", R::additive, S::unit},
      {K::threshold, "threshold", R::additive, S::unit},
      {K::gate, "gate", R::multiplicative, S::unit},
      {K::plasticity, "plasticity", R::additive, S::unit},
      {K::trace_decay, "trace_decay", R::replace, S::unit},
      {K::coupling, "coupling", R::multiplicative, S::unit},
      {K::noise, "noise", R::additive, S::unit},
      {K::dropout, "dropout", R::replace, S::learner},
      {K::learning_rate, "learning_rate", R::multiplicative, S::learner},
      {K::inverse_temperature, "inverse_temperature", R::multiplicative, S::learner},
      {K::discount, "discount", R::replace, S::learner},
  };
  const auto& names = enum_names(K{});
  ASSERT_EQ(names.size(), std::size(table));
  for (size_t k = 0; k < std::size(table); ++k) {
    const auto& row = table[k];
    EXPECT_EQ(names[k].value, row.kind);
    EXPECT_FALSE(names[k].doc.empty());
    EXPECT_EQ(enum_name(row.kind), row.name);
    EXPECT_EQ(enum_from_name<K>(row.name), row.kind);
    EXPECT_EQ(nf::combine_rule(row.kind), row.rule) << row.name;
    EXPECT_EQ(nf::effect_scope(row.kind), row.scope) << row.name;
  }
  EXPECT_FALSE(enum_from_name<K>("Gain").has_value());
  EXPECT_FALSE(enum_from_name<K>("").has_value());
  EXPECT_EQ(enum_name(S::learner), "learner");
  EXPECT_EQ(enum_name(R::replace), "replace");
}
