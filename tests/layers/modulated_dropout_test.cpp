#include "neuromod/layers/modulated_dropout.h"

#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "layers/layer_test_support.h"
#include "support/gradcheck.h"

namespace nm = neuromod;
using neuromod::Compartment;
using neuromod::UnitEffects;
using neuromod::functional::EffectKind;

namespace {
const nm::EffectKey kDropout{Compartment::output, EffectKind::dropout};
}  // namespace

TEST(ModulatedDropout, ShapesAndBackward) {
  nm::ModulatedDropout layer(nm::ModulatedDropoutOptions(6).p(0.25));
  const auto x = torch::randn({50, 6}, torch::requires_grad());
  torch::manual_seed(0);
  const auto y = layer(x);
  EXPECT_EQ(y.sizes(), x.sizes());
  y.sum().backward();
  // The gradient is the mask scaled by 1 / (1 − p): 0 or 4/3.
  const auto grad = x.grad();
  EXPECT_TRUE(torch::all((grad == 0) | ((grad - 4.0 / 3.0).abs() < 1e-6)).item<bool>());
  EXPECT_TRUE(layer->initial_state(3).empty());
  EXPECT_EQ(layer->size(), 6);
  EXPECT_EQ(layer->exposed_effects().size(), 1u);
  EXPECT_TRUE(layer->step(x, {}, {}).state.empty());
}

TEST(ModulatedDropout, ConfiguredPIsTorchDropout) {
  nm::ModulatedDropout layer(nm::ModulatedDropoutOptions(8).p(0.3));
  const auto x = torch::randn({20, 8});
  torch::manual_seed(1);
  const auto expected = torch::dropout(x, 0.3, true);
  torch::manual_seed(1);
  EXPECT_TRUE(torch::equal(layer(x), expected));
}

TEST(ModulatedDropout, EffectReplacesP) {
  nm::ModulatedDropout layer(nm::ModulatedDropoutOptions(8).p(0.7));
  const auto x = torch::randn({20, 8});
  torch::manual_seed(2);
  const auto expected = torch::dropout(x, 0.2, true);
  torch::manual_seed(2);
  EXPECT_TRUE(torch::equal(layer->forward(x, {{kDropout, torch::tensor(0.2)}}), expected));
  // p = 0 keeps everything, p = 1 drops everything.
  EXPECT_TRUE(torch::equal(layer->forward(x, {{kDropout, torch::tensor(0.0)}}), x));
  EXPECT_TRUE(
      torch::equal(layer->forward(x, {{kDropout, torch::tensor(1.0)}}), torch::zeros_like(x)));
  // One probability per element: column 0 never dropped, column 1 always, the rest p = 0.5.
  auto p = torch::full({20, 8}, 0.5);
  p.select(1, 0).fill_(0.0);
  p.select(1, 1).fill_(1.0);
  const auto y = layer->forward(x, {{kDropout, p}});
  EXPECT_TRUE(torch::equal(y.select(1, 0), x.select(1, 0)));
  EXPECT_TRUE(torch::equal(y.select(1, 1), torch::zeros({20})));
  const auto rest = y.narrow(1, 2, 6), kept = x.narrow(1, 2, 6) * 2.0;
  EXPECT_TRUE(torch::all((rest == 0) | ((rest - kept).abs() < 1e-6)).item<bool>());
  const double dropped = (rest == 0).to(torch::kDouble).mean().item<double>();
  EXPECT_GT(dropped, 0.25);
  EXPECT_LT(dropped, 0.75);
}

TEST(ModulatedDropout, EvalModeIsIdentity) {
  nm::ModulatedDropout layer(nm::ModulatedDropoutOptions(4).p(0.9));
  layer->eval();
  const auto x = torch::randn({3, 4});
  EXPECT_TRUE(torch::equal(layer(x), x));
  EXPECT_TRUE(torch::equal(layer->forward(x, {{kDropout, torch::tensor(0.5)}}), x));
}

TEST(ModulatedDropout, GradcheckWithAFixedMask) {
  nm::ModulatedDropout layer(nm::ModulatedDropoutOptions(5));
  const auto run = [&](const std::vector<torch::Tensor>& in) {
    torch::manual_seed(3);  // the same mask at every evaluation
    return layer->forward(in[0], {{kDropout, torch::tensor(0.4)}});
  };
  EXPECT_TRUE(neuromod::testing::gradcheck(
      run,
      {torch::randn({4, 5}, torch::TensorOptions().dtype(torch::kDouble).requires_grad(true))}));
}

TEST(ModulatedDropout, SaveLoadRoundTrip) {
  nm::ModulatedDropout saved(nm::ModulatedDropoutOptions(5).p(0.4));
  nm::ModulatedDropout loaded(nm::ModulatedDropoutOptions(5).p(0.4));
  neuromod::testing::round_trip_module(saved, loaded);
  const auto x = torch::randn({3, 5});
  torch::manual_seed(4);
  const auto a = saved(x);
  torch::manual_seed(4);
  EXPECT_TRUE(torch::equal(a, loaded(x)));
  std::ostringstream printed;
  printed << *saved;
  EXPECT_EQ(printed.str(), "neuromod::ModulatedDropout(size=5, p=0.4)");
}

TEST(ModulatedDropout, RejectsBadProbabilities) {
  EXPECT_THROW(nm::ModulatedDropout(nm::ModulatedDropoutOptions(4).p(1.5)), c10::Error);
  nm::ModulatedDropout layer(4);
  const auto x = torch::randn({2, 4});
  EXPECT_THROW((void)layer->forward(x, {{kDropout, torch::tensor(-0.1)}}), c10::Error);
  EXPECT_THROW((void)layer->forward(x, {{kDropout, torch::full({2, 4}, 2.0)}}), c10::Error);
  EXPECT_THROW(
      (void)layer->forward(x, {{{Compartment::soma, EffectKind::gain}, torch::ones({2, 4})}}),
      c10::Error);
  EXPECT_THROW((void)layer(torch::randn({2, 3})), c10::Error);
}
