#include "neuromod/functional/dendrites.h"

#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "support/gradcheck.h"

namespace nf = neuromod::functional;
using neuromod::testing::gradcheck;

namespace {

torch::Tensor doubles(std::initializer_list<double> values) {
  return torch::tensor(std::vector<double>(values), torch::kDouble);
}

}  // namespace

TEST(Dendrites, ApicalDisconnectedFollowsBasalOnly) {
  // g_A = 0: C = k_B * B with k_B = 0.6 / (0.1 + 0.6), whatever the apical potential.
  const auto basal = doubles({-1.0, 0.0, 0.7, 3.5});
  const auto apical = doubles({5.0, -2.0, 1.0, 0.0});
  const auto c = nf::somatic_potential(basal, apical, 0.0);
  EXPECT_TRUE(torch::allclose(c, basal * (0.6 / 0.7), 1e-15, 1e-15)) << c;
  const auto c_tensor = nf::somatic_potential(basal, apical, torch::zeros({}, torch::kDouble));
  EXPECT_TRUE(torch::allclose(c_tensor, c, 1e-15, 1e-15));
}

TEST(Dendrites, KnownValues) {
  // g_L = 0.1, g_B = 0.6, g_A = 0.3: C = (0.6 * 1 + 0.3 * 2) / 1.0 = 1.2.
  EXPECT_NEAR(nf::somatic_potential(doubles({1.0}), doubles({2.0}), 0.3).item<double>(), 1.2,
              1e-15);
  EXPECT_NEAR(nf::somatic_potential(doubles({1.0}), doubles({2.0}), doubles({0.3})).item<double>(),
              1.2, 1e-15);
  // Custom conductances: g_L = 0.5, g_B = 1, g_A = 0.5: (1 * 2 + 0.5 * 4) / 2 = 2.
  const auto options = nf::TwoCompartmentOptions().g_leak(0.5).g_basal(1.0);
  EXPECT_NEAR(nf::somatic_potential(doubles({2.0}), doubles({4.0}), 0.5, options).item<double>(),
              2.0, 1e-15);
  // A dominant apical conductance pulls the soma to the apical potential.
  EXPECT_NEAR(nf::somatic_potential(doubles({1.0}), doubles({-3.0}), 1e9).item<double>(), -3.0,
              1e-8);
}

TEST(Dendrites, IsTheSteadyStateOfTheMembraneEquation) {
  // Euler-integrate dC/dt = -g_L C + g_B (B - C) + g_A (A - C) for 2 s in 0.1 ms steps.
  const auto basal = doubles({0.5, -1.0, 2.0});
  const auto apical = doubles({1.5, 0.3, -2.0});
  const auto g_apical = doubles({0.0, 0.2, 1.0});
  auto c = torch::zeros({3}, torch::kDouble);
  const double dt = 0.1;  // ms
  for (int step = 0; step < 20000; ++step) {
    c = c + dt * (-0.1 * c + 0.6 * (basal - c) + g_apical * (apical - c));
  }
  EXPECT_TRUE(torch::allclose(c, nf::somatic_potential(basal, apical, g_apical), 1e-12, 1e-12))
      << c;
}

TEST(Dendrites, ShapesAndBackward) {
  const int64_t batch = 4, units = 3;
  auto basal = torch::randn({batch, units}).set_requires_grad(true);
  auto apical = torch::randn({batch, units}).set_requires_grad(true);
  // Coupling modulated per sample and unit: g_A = 0.2 * coupling.
  auto coupling = torch::rand({batch, units}).set_requires_grad(true);
  const auto c = nf::somatic_potential(basal, apical, 0.2 * coupling);
  EXPECT_EQ(c.sizes(), basal.sizes());
  c.sum().backward();
  for (const auto& p : {basal, apical, coupling}) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(Dendrites, GradientsMatchFiniteDifferences) {
  const auto basal =
      torch::tensor({{0.4, -1.3}, {2.1, 0.0}}, torch::kDouble).set_requires_grad(true);
  const auto apical =
      torch::tensor({{1.0, 0.5}, {-0.7, 1.9}}, torch::kDouble).set_requires_grad(true);
  const auto g_apical = doubles({0.25, 0.8}).set_requires_grad(true);
  EXPECT_TRUE(gradcheck(
      [](const std::vector<torch::Tensor>& x) {
        return nf::somatic_potential(x[0], x[1], x[2],
                                     nf::TwoCompartmentOptions().g_leak(0.2).g_basal(0.5));
      },
      {basal, apical, g_apical}));
}

TEST(Dendrites, RejectsBadConductances) {
  const auto x = doubles({1.0});
  EXPECT_THROW(nf::somatic_potential(x, x, -0.1), c10::Error);
  EXPECT_THROW(nf::somatic_potential(x, x, 0.1, nf::TwoCompartmentOptions().g_leak(0.0)),
               c10::Error);
  EXPECT_THROW(nf::somatic_potential(x, x, x, nf::TwoCompartmentOptions().g_basal(-1.0)),
               c10::Error);
}
