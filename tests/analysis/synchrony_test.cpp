#include "neuromod/analysis/synchrony.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace na = neuromod::analysis;

TEST(AnalysisSynchrony, IdenticalUnitsAreFullySynchronous) {
  const auto signal = torch::sin(torch::arange(500, torch::kDouble) * 0.1);
  const auto activity = signal.unsqueeze(1).repeat({1, 8});
  EXPECT_NEAR(na::golomb_chi(activity), 1.0, 1e-12);
  EXPECT_NEAR(na::mean_pairwise_correlation(activity), 1.0, 1e-12);
}

TEST(AnalysisSynchrony, IndependentNoiseGivesOneOverSqrtN) {
  torch::manual_seed(7);
  const int64_t units = 100;
  const auto activity = torch::randn({20000, units}, torch::kDouble);
  EXPECT_NEAR(na::golomb_chi(activity), 1.0 / std::sqrt(static_cast<double>(units)), 0.015);
  EXPECT_NEAR(na::mean_pairwise_correlation(activity), 0.0, 0.002);
}

TEST(AnalysisSynchrony, HandComputedValues) {
  // Opposite units cancel in the mean: χ = 0, correlation −1.
  const auto opposite = torch::tensor({1., 0., 0., 1., 1., 0., 0., 1.}).reshape({4, 2});
  EXPECT_NEAR(na::golomb_chi(opposite), 0.0, 1e-15);
  EXPECT_NEAR(na::mean_pairwise_correlation(opposite), -1.0, 1e-14);
  // x1 = t, x2 = 2t + 1, x3 = 5: V = t + 2, χ² = 1.25 / ((1.25 + 5 + 0) / 3) = 0.6. The constant
  // unit is left out of the correlation, leaving the perfectly correlated pair.
  const auto t = torch::arange(1, 5, torch::kDouble);
  const auto mixed = torch::stack({t, 2 * t + 1, torch::full_like(t, 5.0)}, 1);
  EXPECT_NEAR(na::golomb_chi(mixed), std::sqrt(0.6), 1e-14);
  EXPECT_NEAR(na::mean_pairwise_correlation(mixed), 1.0, 1e-14);
  // Three units with known pairwise correlations: x3 = x1 + x2 with x1 ⟂ x2, equal variance:
  // corr(1,2) = 0, corr(1,3) = corr(2,3) = 1/√2.
  const auto a = torch::tensor({1., -1., 1., -1.}), b = torch::tensor({1., 1., -1., -1.});
  EXPECT_NEAR(na::mean_pairwise_correlation(torch::stack({a, b, a + b}, 1)),
              (0.0 + 2.0 / std::sqrt(2.0)) / 3.0, 1e-14);
}

TEST(AnalysisSynchrony, PerState) {
  // Wake (0): independent units; sleep (1): a shared slow wave plus a little noise. States
  // alternate in blocks of 100 steps.
  torch::manual_seed(3);
  const int64_t steps = 4000, units = 50;
  const auto t = torch::arange(steps, torch::kLong);
  const auto state = t.div(100, "floor").remainder(2);
  const auto wave = torch::sin(t.to(torch::kDouble) * 0.2).unsqueeze(1);
  const auto noise = torch::randn({steps, units}, torch::kDouble);
  const auto sleeping = state.unsqueeze(1).to(torch::kDouble);
  const auto activity = sleeping * (wave + 0.1 * noise) + (1 - sleeping) * noise;

  const auto by_label = na::synchrony_by_state(activity, state);
  ASSERT_EQ(by_label.size(), 2u);
  EXPECT_EQ(by_label[0].state, "0");
  EXPECT_EQ(by_label[0].steps, 2000);
  EXPECT_LT(by_label[0].chi, 0.25);
  EXPECT_NEAR(by_label[0].correlation, 0.0, 0.01);
  EXPECT_GT(by_label[1].chi, 0.95);
  EXPECT_GT(by_label[1].correlation, 0.9);

  std::vector<std::string> names;
  for (int64_t i = 0; i < steps; ++i) {
    names.push_back(state[i].item<int64_t>() == 0 ? "wake" : "sleep");
  }
  const auto by_name = na::synchrony_by_state(activity, names);
  ASSERT_EQ(by_name.size(), 2u);
  EXPECT_EQ(by_name[0].state, "wake");
  EXPECT_DOUBLE_EQ(by_name[0].chi, by_label[0].chi);
  EXPECT_EQ(by_name[1].state, "sleep");
  EXPECT_DOUBLE_EQ(by_name[1].correlation, by_label[1].correlation);
}

TEST(AnalysisSynchrony, RejectsBadInput) {
  EXPECT_THROW(na::golomb_chi(torch::ones({1, 4})), std::invalid_argument);
  EXPECT_THROW(na::golomb_chi(torch::ones({4})), std::invalid_argument);
  EXPECT_TRUE(std::isnan(na::golomb_chi(torch::ones({4, 3}))));
  EXPECT_TRUE(std::isnan(na::mean_pairwise_correlation(torch::ones({4, 3}))));
  EXPECT_THROW(na::synchrony_by_state(torch::ones({4, 3}), torch::zeros({3}, torch::kLong)),
               std::invalid_argument);
  EXPECT_THROW(na::synchrony_by_state(torch::ones({4, 3}), std::vector<std::string>{"a"}),
               std::invalid_argument);
}
