#include "neuromod/analysis/sparseness.h"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace na = neuromod::analysis;

TEST(AnalysisSparseness, OneHotIsOneConstantIsZero) {
  EXPECT_DOUBLE_EQ(na::treves_rolls_sparseness({0, 0, 3, 0}), 1.0);
  EXPECT_NEAR(na::treves_rolls_sparseness({0.7, 0.7, 0.7, 0.7}), 0.0, 1e-15);
  // r = (1, 2, 3): (1 − 4 / (14/3)) / (1 − 1/3) = 3/14.
  EXPECT_NEAR(na::treves_rolls_sparseness({1, 2, 3}), 3.0 / 14.0, 1e-15);
  EXPECT_TRUE(std::isnan(na::treves_rolls_sparseness({0, 0})));
}

TEST(AnalysisSparseness, PopulationAndLifetime) {
  // Rows (time steps): one-hot, constant, (1, 2, 3), silent.
  const auto activity =
      torch::tensor({0., 5., 0., 2., 2., 2., 1., 2., 3., 0., 0., 0.}, torch::kFloat)
          .reshape({4, 3});
  const auto population = na::population_sparseness(activity);
  EXPECT_EQ(population.scalar_type(), torch::kDouble);
  EXPECT_DOUBLE_EQ(population[0].item<double>(), 1.0);
  EXPECT_NEAR(population[1].item<double>(), 0.0, 1e-15);
  EXPECT_NEAR(population[2].item<double>(), 3.0 / 14.0, 1e-15);
  EXPECT_TRUE(std::isnan(population[3].item<double>()));
  // Lifetime sparseness is population sparseness of the transpose; unit 0 is (0, 2, 1, 0).
  const auto lifetime = na::lifetime_sparseness(activity);
  EXPECT_EQ(lifetime.sizes(), (std::vector<int64_t>{3}));
  EXPECT_TRUE(torch::allclose(lifetime, na::population_sparseness(activity.t())));
  EXPECT_NEAR(lifetime[0].item<double>(), na::treves_rolls_sparseness({0, 2, 1, 0}), 1e-15);
}

TEST(AnalysisSparseness, RejectsBadInput) {
  EXPECT_THROW(na::treves_rolls_sparseness({1.0}), std::invalid_argument);
  EXPECT_THROW(na::treves_rolls_sparseness({1.0, -0.5}), std::invalid_argument);
  EXPECT_THROW(na::population_sparseness(torch::ones({5, 1})), std::invalid_argument);
  EXPECT_THROW(na::lifetime_sparseness(torch::ones({1, 5})), std::invalid_argument);
  EXPECT_THROW(na::population_sparseness(-torch::ones({3, 3})), std::invalid_argument);
  EXPECT_THROW(na::population_sparseness(torch::ones({3})), std::invalid_argument);
}
