#include "neuromod/analysis/grid_score.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "neuromod/analysis/rate_maps.h"

namespace na = neuromod::analysis;

namespace {

constexpr double pi = 3.14159265358979323846;

/// Σ of cosine gratings with wavelength `wavelength` (bins) at the given orientations (degrees),
/// offset by `rotation`, sampled on a bins × bins map ([y][x]).
torch::Tensor gratings(int64_t bins, double wavelength, const std::vector<double>& orientations,
                       double rotation = 0.0) {
  const auto coords = torch::arange(bins, torch::kDouble);
  const auto y = coords.unsqueeze(1), x = coords.unsqueeze(0);
  auto map = torch::zeros({bins, bins}, torch::kDouble);
  for (double degrees : orientations) {
    const double a = (degrees + rotation) * pi / 180.0;
    map = map + torch::cos(2 * pi / wavelength * (x * std::cos(a) + y * std::sin(a)));
  }
  return map;
}

torch::Tensor hexagonal(int64_t bins, double rotation = 0.0) {
  return gratings(bins, 8.0, {0, 60, 120}, rotation);
}

}  // namespace

TEST(AnalysisGridScore, AutocorrelogramHandComputed) {
  // m = (1, 2, 4, 3): lag ±1 pairs (1,2), (2,4), (4,3) → r = 3/√84; lag ±2 pairs (1,4), (2,3)
  // → r = −1; lag ±3 has a single pair → undefined.
  const auto map = torch::tensor({1., 2., 4., 3.}, torch::kDouble).reshape({1, 4});
  const auto sac = na::spatial_autocorrelogram(map, 2);
  ASSERT_EQ(sac.sizes(), (std::vector<int64_t>{1, 7}));
  EXPECT_DOUBLE_EQ(sac[0][3].item<double>(), 1.0);
  EXPECT_NEAR(sac[0][4].item<double>(), 3.0 / std::sqrt(84.0), 1e-14);
  EXPECT_NEAR(sac[0][2].item<double>(), 3.0 / std::sqrt(84.0), 1e-14);
  EXPECT_NEAR(sac[0][5].item<double>(), -1.0, 1e-14);
  EXPECT_TRUE(std::isnan(sac[0][6].item<double>()));
  EXPECT_TRUE(std::isnan(sac[0][0].item<double>()));
  // With the default minimum overlap of 20 bins no lag of a 4-bin map is defined, not even the
  // centre (4 overlapping bins).
  EXPECT_EQ(torch::isnan(na::spatial_autocorrelogram(map)).sum().item<int64_t>(), 7);
}

TEST(AnalysisGridScore, AutocorrelogramSkipsUnvisitedBins) {
  // A NaN bin must not enter any sum: replacing it by anything else changes nothing only if the
  // lags that would use it ignore it. Compare against the map without that column.
  auto map = torch::rand({6, 6}, torch::kDouble);
  map.select(1, 5).fill_(std::nan(""));
  const auto full = na::spatial_autocorrelogram(map, 2);
  const auto cropped = na::spatial_autocorrelogram(map.slice(1, 0, 5), 2);
  EXPECT_TRUE(torch::allclose(full.slice(1, 1, 10), cropped, 1e-12, 1e-12, /*equal_nan=*/true));
}

TEST(AnalysisGridScore, RotateMapNinetyDegreesAndBilinear) {
  const auto m = torch::arange(1, 10, torch::kDouble).reshape({3, 3});
  const auto expected = torch::tensor({7., 4., 1., 8., 5., 2., 9., 6., 3.}, torch::kDouble);
  EXPECT_TRUE(torch::equal(na::rotate_map(m, 90), expected.reshape({3, 3})))
      << na::rotate_map(m, 90);
  const auto diagonal = na::rotate_map(m, 45);
  EXPECT_TRUE(std::isnan(diagonal[0][0].item<double>()));  // source outside the map
  EXPECT_DOUBLE_EQ(diagonal[1][1].item<double>(), 5.0);
  // Bilinear interpolation reproduces a linear ramp exactly: rotating m(y, x) = x by α gives
  // c + cos α (x − c) + sin α (y − c), c the centre.
  const auto ramp = torch::arange(7, torch::kDouble).unsqueeze(0).repeat({7, 1});
  const auto turned = na::rotate_map(ramp, 30);
  const double a = 30 * pi / 180;
  for (int64_t y = 0; y < 7; ++y) {
    for (int64_t x = 0; x < 7; ++x) {
      const double v = turned[y][x].item<double>();
      if (!std::isnan(v)) {
        EXPECT_NEAR(v, 3 + std::cos(a) * (x - 3) + std::sin(a) * (y - 3), 1e-12);
      }
    }
  }
}

TEST(AnalysisGridScore, HexagonalMapScoresHighOnSixtyDegrees) {
  for (double rotation : {0.0, 17.0}) {
    const auto score = na::grid_score(na::spatial_autocorrelogram(hexagonal(32, rotation)));
    EXPECT_GT(score.score_60, 0.5) << "rotation " << rotation;
    EXPECT_LT(score.score_90, 0.3) << "rotation " << rotation;
    EXPECT_EQ(score.ring_60.first, 0.2);
  }
}

TEST(AnalysisGridScore, SquareMapScoresHighOnNinetyDegrees) {
  const auto score = na::grid_score(na::spatial_autocorrelogram(gratings(32, 8.0, {0, 90})));
  EXPECT_GT(score.score_90, 0.5);
  EXPECT_LT(score.score_60, 0.0);
  const auto mean_form = na::grid_score(na::spatial_autocorrelogram(gratings(32, 8.0, {0, 90})),
                                        na::GridScoreOptions().min_max(false));
  EXPECT_GT(mean_form.score_90, 0.5);
}

TEST(AnalysisGridScore, RandomMapScoresNearZero) {
  torch::manual_seed(2018);
  const auto maps = torch::rand({3, 32, 32}, torch::kDouble);
  const auto scores = na::grid_scores(maps);
  EXPECT_EQ(scores.autocorrelograms.sizes(), (std::vector<int64_t>{3, 63, 63}));
  EXPECT_LT(scores.score_60.abs().max().item<double>(), 0.3) << scores.score_60;
  EXPECT_LT(scores.score_90.abs().max().item<double>(), 0.3) << scores.score_90;
}

TEST(AnalysisGridScore, FromTrajectoryThroughRateMaps) {
  // A simulated grid cell: activity is the hexagonal pattern at the agent's position; the rate
  // map recovers it, with unvisited bins NaN, and the pipeline still finds the grid.
  torch::manual_seed(5);
  const int64_t bins = 32;
  const auto positions = torch::rand({30000, 2}, torch::kDouble) * bins;
  const auto pattern = hexagonal(bins);
  const auto column = positions.select(1, 0).floor().clamp_max(bins - 1).to(torch::kLong);
  const auto row = positions.select(1, 1).floor().clamp_max(bins - 1).to(torch::kLong);
  const auto grid_cell = pattern.index({row, column}).unsqueeze(1);
  const auto noise = torch::rand({positions.size(0), 1}, torch::kDouble);
  const auto maps = na::rate_maps(positions, torch::cat({grid_cell, noise}, 1),
                                  na::RateMapOptions(bins).box({0.0, 32.0, 0.0, 32.0}));
  const auto scores = na::grid_scores(maps.rates);
  EXPECT_GT(scores.score_60[0].item<double>(), 0.5);
  EXPECT_LT(std::abs(scores.score_60[1].item<double>()), 0.3);
}

TEST(AnalysisGridScore, RejectsBadInput) {
  EXPECT_THROW(na::grid_score(torch::zeros({4, 5})), std::invalid_argument);
  EXPECT_THROW(na::grid_score(torch::zeros({5, 5}), na::GridScoreOptions().rings({{0.5, 0.2}})),
               std::invalid_argument);
  EXPECT_THROW(na::grid_scores(torch::zeros({5, 5})), std::invalid_argument);
  EXPECT_THROW(na::spatial_autocorrelogram(torch::zeros({5, 5}), 1), std::invalid_argument);
  EXPECT_THROW(na::rotate_map(torch::zeros({5}), 30), std::invalid_argument);
}
