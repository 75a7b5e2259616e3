#include "neuromod/analysis/continual_learning.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace na = neuromod::analysis;

TEST(AnalysisContinualLearning, KnownForgettingAndTransfer) {
  const std::vector<std::vector<double>> a = {
      {0.9, 0.2, 0.1},   // after task 0
      {0.7, 0.8, 0.3},   // after task 1
      {0.5, 0.75, 0.95}  // after task 2
  };
  const auto m = na::continual_metrics(a);
  EXPECT_NEAR(m.average_accuracy, 2.2 / 3.0, 1e-15);
  ASSERT_EQ(m.accuracy_per_stage.size(), 3u);
  EXPECT_NEAR(m.accuracy_per_stage[0], 0.9, 1e-15);
  EXPECT_NEAR(m.accuracy_per_stage[1], 0.75, 1e-15);
  EXPECT_NEAR(m.accuracy_per_stage[2], 2.2 / 3.0, 1e-15);
  ASSERT_EQ(m.forgetting.size(), 2u);
  EXPECT_NEAR(m.forgetting[0], 0.4, 1e-15);   // 0.9 − 0.5
  EXPECT_NEAR(m.forgetting[1], 0.05, 1e-15);  // 0.8 − 0.75
  EXPECT_NEAR(m.average_forgetting, 0.225, 1e-15);
  EXPECT_NEAR(m.backward_transfer, -0.225, 1e-15);
  const auto tensor =
      torch::tensor({0.9, 0.2, 0.1, 0.7, 0.8, 0.3, 0.5, 0.75, 0.95}).reshape({3, 3});
  EXPECT_NEAR(na::forward_transfer(tensor, {0.1, 0.1, 0.1}), 0.15, 1e-6);
}

TEST(AnalysisContinualLearning, ForgettingUsesTheBestEarlierAccuracy) {
  // Task 0 improved after task 1 (0.6 → 0.8) before falling to 0.5: forgetting counts from the
  // best, 0.3, while backward transfer compares with the diagonal only.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto m = na::continual_metrics({{0.6, nan, nan}, {0.8, 0.7, nan}, {0.5, 0.6, 0.9}});
  EXPECT_NEAR(m.forgetting[0], 0.3, 1e-15);
  EXPECT_NEAR(m.forgetting[1], 0.1, 1e-15);
  EXPECT_NEAR(m.backward_transfer, -0.1, 1e-15);
  const auto single = na::continual_metrics({{0.7}});
  EXPECT_DOUBLE_EQ(single.average_accuracy, 0.7);
  EXPECT_TRUE(single.forgetting.empty());
  EXPECT_TRUE(std::isnan(single.average_forgetting));
  EXPECT_TRUE(std::isnan(single.backward_transfer));
}

TEST(AnalysisContinualLearning, RejectsBadInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(na::continual_metrics({{0.5, 0.5}, {0.5}}), std::invalid_argument);
  EXPECT_THROW(na::continual_metrics(torch::zeros({2, 3})), std::invalid_argument);
  EXPECT_THROW(na::continual_metrics({{0.5, 0.5}, {0.5, nan}}), std::invalid_argument);
  EXPECT_THROW(na::forward_transfer(torch::zeros({3, 3}), {0.1}), std::invalid_argument);
  EXPECT_THROW(na::forward_transfer(torch::zeros({1, 1}), {0.1}), std::invalid_argument);
}
