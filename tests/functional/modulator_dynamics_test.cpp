#include "neuromod/functional/modulator_dynamics.h"

#include <cmath>
#include <initializer_list>
#include <limits>
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

TEST(ModulatorDynamics, OneStepKnownAnswer) {
  // c = 1, b = 0, r = 0.5, dt/tau = 1/4: 1 + 0.25 * (0 - 1) + 0.5 = 1.25; clamped at hi = 1.2.
  const auto c = doubles({1.0});
  const auto b = doubles({0.0});
  const auto r = doubles({0.5});
  EXPECT_DOUBLE_EQ(nf::update_level(c, b, r, nf::LevelDynamicsOptions(4.0)).item<double>(), 1.25);
  EXPECT_DOUBLE_EQ(nf::update_level(c, b, r, nf::LevelDynamicsOptions(4.0).hi(1.2)).item<double>(),
                   1.2);
  // dt = 2, tau = 8 is the same rate as dt = 1, tau = 4.
  EXPECT_DOUBLE_EQ(nf::update_level(c, b, r, nf::LevelDynamicsOptions(8.0).dt(2.0)).item<double>(),
                   1.25);
  // A concentration cannot go negative.
  EXPECT_DOUBLE_EQ(
      nf::update_level(c, b, doubles({-3.0}), nf::LevelDynamicsOptions(4.0).lo(0.0)).item<double>(),
      0.0);
}

TEST(ModulatorDynamics, ConstantReleaseConvergesToSteadyState) {
  const auto options = nf::LevelDynamicsOptions(10.0).lo(0.0);
  // Per-unit levels (B, N) with a per-unit baseline and a per-sample release.
  const auto baseline = doubles({0.2, 0.0, 1.0}).unsqueeze(0);  // (1, 3)
  const auto release = doubles({0.05, 0.01}).unsqueeze(1);      // (2, 1)
  auto level = torch::zeros({2, 3}, torch::kDouble);
  for (int step = 0; step < 600; ++step)
    level = nf::update_level(level, baseline, release, options);
  const auto expected = nf::steady_state_level(baseline, release, options);
  // b + r * tau / dt by hand.
  const auto by_hand = torch::tensor({{0.7, 0.5, 1.5}, {0.3, 0.1, 1.1}}, torch::kDouble);
  EXPECT_TRUE(torch::allclose(expected, by_hand, 1e-14, 1e-14)) << expected;
  EXPECT_TRUE(torch::allclose(level, expected, 1e-12, 1e-12)) << level << expected;

  // With an upper bound below c*, the clamped map settles at the bound.
  const auto bounded = nf::LevelDynamicsOptions(10.0).lo(0.0).hi(0.6);
  auto capped = torch::zeros({2, 3}, torch::kDouble);
  for (int step = 0; step < 600; ++step)
    capped = nf::update_level(capped, baseline, release, bounded);
  const auto capped_expected = torch::tensor({{0.6, 0.5, 0.6}, {0.3, 0.1, 0.6}}, torch::kDouble);
  EXPECT_TRUE(torch::allclose(nf::steady_state_level(baseline, release, bounded), capped_expected));
  EXPECT_TRUE(torch::allclose(capped, capped_expected, 1e-12, 1e-12)) << capped;
}

TEST(ModulatorDynamics, TauEqualToDtIsInstantaneous) {
  const auto level = torch::randn({4, 5}, torch::kDouble);
  const auto baseline = torch::tensor(0.1, torch::kDouble);
  const auto release = torch::randn({4, 1}, torch::kDouble);
  const auto next = nf::update_level(level, baseline, release, nf::LevelDynamicsOptions(1.0));
  EXPECT_EQ(next.sizes(), level.sizes());
  EXPECT_TRUE(torch::equal(next, (baseline + release).expand({4, 5})));
  // Same with dt = tau = 0.5 and a signed range [-1, 1].
  const auto signed_next = nf::update_level(level, baseline, release * 10,
                                            nf::LevelDynamicsOptions(0.5).dt(0.5).lo(-1).hi(1));
  EXPECT_TRUE(
      torch::equal(signed_next, torch::clamp(baseline + release * 10, -1, 1).expand({4, 5})));
}

TEST(ModulatorDynamics, ShapesAndBackward) {
  const auto options = nf::LevelDynamicsOptions(5.0).lo(-1.0).hi(1.0);
  for (const auto& shape :
       {std::vector<int64_t>{6}, std::vector<int64_t>{6, 3}, std::vector<int64_t>{6, 10}}) {
    auto level = torch::zeros(shape).set_requires_grad(true);
    auto baseline = torch::full({}, 0.1).set_requires_grad(true);
    auto release = (torch::rand(shape) * 0.1).set_requires_grad(true);
    const auto next = nf::update_level(level, baseline, release, options);
    EXPECT_EQ(next.sizes(), c10::IntArrayRef(shape));
    next.sum().backward();
    for (const auto& p : {level, baseline, release}) {
      ASSERT_TRUE(p.grad().defined());
      EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
    }
  }
}

TEST(ModulatorDynamics, GradientsMatchFiniteDifferences) {
  const auto level = doubles({0.1, -0.4, 0.8}).set_requires_grad(true);
  const auto baseline = doubles({0.2, 0.0, -0.1}).set_requires_grad(true);
  const auto release = doubles({0.05, 0.3, -0.2}).set_requires_grad(true);
  // Unrolled over a few steps; the range [-5, 5] never binds here.
  EXPECT_TRUE(gradcheck(
      [](const std::vector<torch::Tensor>& x) {
        auto c = x[0];
        for (int step = 0; step < 4; ++step) {
          c = nf::update_level(c, x[1], x[2] * (step + 1),
                               nf::LevelDynamicsOptions(3.0).lo(-5).hi(5));
        }
        return c;
      },
      {level, baseline, release}));
}

TEST(ModulatorDynamics, RejectsBadOptions) {
  const auto x = doubles({0.0});
  EXPECT_THROW(nf::update_level(x, x, x, nf::LevelDynamicsOptions(0.5)), c10::Error);  // tau < dt
  EXPECT_THROW(nf::update_level(x, x, x, nf::LevelDynamicsOptions(-1.0)), c10::Error);
  EXPECT_THROW(nf::update_level(x, x, x, nf::LevelDynamicsOptions(2.0).dt(0.0)), c10::Error);
  EXPECT_THROW(nf::update_level(x, x, x, nf::LevelDynamicsOptions(2.0).lo(1).hi(0)), c10::Error);
  EXPECT_NO_THROW(nf::check_level_dynamics(nf::LevelDynamicsOptions(1.0).lo(0.0)));
}

TEST(Diffusion, LineProfileEqualsFormula) {
  const auto positions = nf::line_layout(5, 1.0, torch::kDouble);
  ASSERT_EQ(positions.sizes(), (std::vector<int64_t>{5, 1}));
  // Site at x = 1, lambda = 2: distances 1, 0, 1, 2, 3.
  const auto w = nf::diffusion_weights(positions, doubles({1.0}), 2.0);
  const auto expected =
      doubles({std::exp(-0.5), 1.0, std::exp(-0.5), std::exp(-1.0), std::exp(-1.5)});
  EXPECT_TRUE(torch::allclose(w, expected, 1e-15, 1e-15)) << w;
  // Spacing scales the distances.
  const auto spaced =
      nf::diffusion_weights(nf::line_layout(3, 0.5, torch::kDouble), doubles({0.0}), 1.0);
  EXPECT_TRUE(torch::allclose(spaced, doubles({1.0, std::exp(-0.5), std::exp(-1.0)})));
}

TEST(Diffusion, GridProfileEqualsFormula) {
  const auto positions = nf::grid_layout(6, 3, 1.0, torch::kDouble);
  const auto expected_positions = torch::tensor(
      {{0.0, 0.0}, {1.0, 0.0}, {2.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}, {2.0, 1.0}}, torch::kDouble);
  ASSERT_TRUE(torch::equal(positions, expected_positions)) << positions;
  // Site at the origin, lambda = 1: distances 0, 1, 2, 1, sqrt 2, sqrt 5.
  const auto w = nf::diffusion_weights(positions, doubles({0.0, 0.0}), 1.0);
  const auto expected = doubles({1.0, std::exp(-1.0), std::exp(-2.0), std::exp(-1.0),
                                 std::exp(-std::sqrt(2.0)), std::exp(-std::sqrt(5.0))});
  EXPECT_TRUE(torch::allclose(w, expected, 1e-15, 1e-15)) << w;
  // A site between units, (1, 0.5), lambda = 0.5: unit 4 at (1, 1) is 0.5 away.
  const auto off_grid = nf::diffusion_weights(positions, doubles({1.0, 0.5}), 0.5);
  EXPECT_NEAR(off_grid[4].item<double>(), std::exp(-1.0), 1e-15);
  EXPECT_NEAR(off_grid[0].item<double>(), std::exp(-std::sqrt(1.25) / 0.5), 1e-15);
}

TEST(Diffusion, DiffuseSpreadsEachLevel) {
  const auto weights = doubles({1.0, 0.5, 0.25});
  const auto level = doubles({2.0, -1.0}).set_requires_grad(true);  // (B) global levels
  const auto spread = nf::diffuse(level, weights);
  ASSERT_EQ(spread.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(torch::equal(spread.detach(),
                           torch::tensor({{2.0, 1.0, 0.5}, {-1.0, -0.5, -0.25}}, torch::kDouble)));
  spread.sum().backward();
  EXPECT_TRUE(torch::allclose(level.grad(), doubles({1.75, 1.75})));
}

TEST(Diffusion, RejectsBadArguments) {
  const auto positions = torch::zeros({4, 3});
  EXPECT_THROW(nf::diffusion_weights(positions, torch::zeros({3}), 1.0), c10::Error);
  EXPECT_THROW(nf::diffusion_weights(torch::zeros({4, 2}), torch::zeros({1}), 1.0), c10::Error);
  EXPECT_THROW(nf::diffusion_weights(torch::zeros({4, 2}), torch::zeros({2}), 0.0), c10::Error);
  EXPECT_THROW(nf::grid_layout(4, 0), c10::Error);
}
