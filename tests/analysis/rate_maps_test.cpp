#include "neuromod/analysis/rate_maps.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace na = neuromod::analysis;

TEST(AnalysisRateMaps, OccupancyNormalisedMeans) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // A 2 × 2 box of side 2: (0.5, 0.5) is bin [0][0], (1.5, 0.5) is [0][1] (row = y), (0.5, 1.5)
  // is [1][0]; [1][1] is never visited. (3, 0) lies outside and a NaN position is skipped.
  const auto positions =
      torch::tensor({0.5, 0.5, 0.5, 0.5, 1.5, 0.5, 0.5, 1.5, 3.0, 0.0, nan, 1.0}, torch::kDouble)
          .reshape({6, 2});
  const auto activity =
      torch::tensor({1., 10., 3., 10., 5., 20., 7., 30., 100., 0., 100., 0.}, torch::kFloat)
          .reshape({6, 2});
  const auto maps = na::rate_maps(positions, activity, na::RateMapOptions(2).box({0, 2, 0, 2}));
  EXPECT_EQ(maps.outside, 2);
  EXPECT_TRUE(torch::equal(maps.occupancy,
                           torch::tensor({2., 1., 1., 0.}, torch::kDouble).reshape({2, 2})));
  ASSERT_EQ(maps.rates.sizes(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_DOUBLE_EQ(maps.rates[0][0][0].item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(maps.rates[0][0][1].item<double>(), 5.0);
  EXPECT_DOUBLE_EQ(maps.rates[0][1][0].item<double>(), 7.0);
  EXPECT_TRUE(std::isnan(maps.rates[0][1][1].item<double>()));
  EXPECT_DOUBLE_EQ(maps.rates[1][0][0].item<double>(), 10.0);
  EXPECT_DOUBLE_EQ(maps.rates[1][1][0].item<double>(), 30.0);
}

TEST(AnalysisRateMaps, BoxFromDataAndUpperEdge) {
  // Without a box the bounding box is used; x = x_max and y = y_max fall in the last bin.
  const auto positions = torch::tensor({0.0, 0.0, 4.0, 2.0}, torch::kDouble).reshape({2, 2});
  const auto activity = torch::tensor({1.0, 2.0}, torch::kDouble).reshape({2, 1});
  const auto maps = na::rate_maps(positions, activity, na::RateMapOptions(4));
  EXPECT_EQ(maps.box, (std::vector<double>{0, 4, 0, 2}));
  EXPECT_EQ(maps.outside, 0);
  EXPECT_DOUBLE_EQ(maps.rates[0][0][0].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(maps.rates[0][3][3].item<double>(), 2.0);
  EXPECT_EQ(torch::isnan(maps.rates).sum().item<int64_t>(), 14);
}

TEST(AnalysisRateMaps, SmoothingKeepsConstantUnitsAndUnvisitedBins) {
  torch::manual_seed(11);
  // Random positions in the lower-left three quarters of a unit box: the upper-right corner stays
  // unvisited. Unit 0 is constant, unit 1 is a point-like field.
  auto positions = torch::rand({4000, 2}, torch::kDouble);
  positions = positions.index_select(
      0, ((positions.select(1, 0) < 0.6) | (positions.select(1, 1) < 0.6)).nonzero().squeeze(1));
  const auto near_centre =
      ((positions - 0.25).pow(2).sum(1) < 0.003).to(torch::kDouble).unsqueeze(1);
  const auto activity = torch::cat({torch::full_like(near_centre, 3.0), near_centre}, 1);
  const auto raw = na::rate_maps(positions, activity, na::RateMapOptions(10).box({0, 1, 0, 1}));
  const auto smooth =
      na::rate_maps(positions, activity, na::RateMapOptions(10).box({0, 1, 0, 1}).sigma(1.5));
  const auto visited = raw.occupancy > 0;
  EXPECT_TRUE(torch::equal(torch::isnan(smooth.rates[0]), ~visited));
  EXPECT_TRUE(torch::allclose(smooth.rates[0].masked_select(visited),
                              torch::full({visited.sum().item<int64_t>()}, 3.0, torch::kDouble)));
  EXPECT_TRUE(std::isnan(smooth.rates[1][9][9].item<double>()));
  // Smoothing spreads the field: a lower peak, and more bins above zero.
  const auto field_raw = torch::nan_to_num(raw.rates[1]),
             field_smooth = torch::nan_to_num(smooth.rates[1]);
  EXPECT_LT(field_smooth.max().item<double>(), field_raw.max().item<double>());
  EXPECT_GT((field_smooth > 0).sum().item<int64_t>(), (field_raw > 0).sum().item<int64_t>());
}

TEST(AnalysisRateMaps, RejectsBadInput) {
  const auto positions = torch::rand({10, 2});
  const auto activity = torch::rand({10, 3});
  EXPECT_THROW(na::rate_maps(torch::rand({10, 3}), activity, na::RateMapOptions(4)),
               std::invalid_argument);
  EXPECT_THROW(na::rate_maps(positions, torch::rand({9, 3}), na::RateMapOptions(4)),
               std::invalid_argument);
  EXPECT_THROW(na::rate_maps(positions, activity, na::RateMapOptions(0)), std::invalid_argument);
  EXPECT_THROW(na::rate_maps(positions, activity, na::RateMapOptions(4).sigma(-1)),
               std::invalid_argument);
  EXPECT_THROW(na::rate_maps(positions, activity, na::RateMapOptions(4).box({0, 1, 1, 1})),
               std::invalid_argument);
  EXPECT_THROW(na::rate_maps(positions, activity, na::RateMapOptions(4).box({0, 1})),
               std::invalid_argument);
}
