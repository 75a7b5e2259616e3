#include "neuromod/modulation/spatial_profile.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "neuromod/config/config_error.h"
#include "neuromod/config/document.h"
#include "neuromod/config/reader.h"

using neuromod::layout_positions;
using neuromod::spatial_weights;
using neuromod::SpatialProfile;
using neuromod::SpatialProfileOptions;

namespace {

torch::Tensor doubles(std::vector<double> values) {
  return torch::tensor(values, torch::kDouble);
}

SpatialProfileOptions diffusion(std::vector<double> site, double lambda) {
  SpatialProfileOptions profile;
  profile.profile = SpatialProfile::diffusion;
  profile.site = std::move(site);
  profile.lambda = lambda;
  return profile;
}

std::string weights_error(const SpatialProfileOptions& profile, const torch::Tensor& positions) {
  try {
    spatial_weights(profile, positions);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

struct ProjectionHolder {
  SpatialProfileOptions profile;
  template <class V>
  void visit(V& v) {
    v("profile", profile, "spatial profile");
  }
};

}  // namespace

TEST(SpatialProfile, LineLayoutSpansZeroToOne) {
  const auto positions = layout_positions({5}, 5, torch::kDouble);
  EXPECT_EQ(positions.sizes(), (std::vector<int64_t>{5, 1}));
  EXPECT_TRUE(torch::allclose(positions.squeeze(1), doubles({0.0, 0.25, 0.5, 0.75, 1.0})));
  EXPECT_TRUE(torch::equal(layout_positions({}, 5, torch::kDouble), positions));
  EXPECT_TRUE(
      torch::equal(layout_positions({1}, 1, torch::kDouble), torch::zeros({1, 1}, torch::kDouble)));
  EXPECT_EQ(layout_positions({4}, 4).scalar_type(), torch::kFloat);
}

TEST(SpatialProfile, GridLayoutIsRowMajorAndIsotropic) {
  // 2 rows × 3 columns: spacing 1 / (3 − 1) = 0.5 on both axes; unit i at (i mod 3, i div 3) / 2.
  const auto sheet = layout_positions({2, 3}, 6, torch::kDouble);
  EXPECT_EQ(sheet.sizes(), (std::vector<int64_t>{6, 2}));
  EXPECT_TRUE(torch::allclose(
      sheet,
      doubles({0.0, 0.0, 0.5, 0.0, 1.0, 0.0, 0.0, 0.5, 0.5, 0.5, 1.0, 0.5}).reshape({6, 2})));
  // 3 rows × 2 columns: the longer side is the rows; unit 5 at (column 1, row 2).
  const auto tall = layout_positions({3, 2}, 6, torch::kDouble);
  EXPECT_TRUE(torch::allclose(tall[5], doubles({0.5, 1.0})));
}

TEST(SpatialProfile, LayoutErrors) {
  EXPECT_THROW(layout_positions({2, 3}, 7), std::invalid_argument);
  EXPECT_THROW(layout_positions({2, 2, 2}, 8), std::invalid_argument);
  EXPECT_THROW(layout_positions({0, 5}, 0), std::invalid_argument);
  try {
    layout_positions({2, 3}, 7);
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "layout [2, 3] has 6 positions but the layer has 7 units");
  }
}

TEST(SpatialProfile, UniformIsAllOnes) {
  const auto positions = layout_positions({4, 5}, 20, torch::kDouble);
  const auto weights = spatial_weights(SpatialProfileOptions{}, positions);
  EXPECT_TRUE(torch::equal(weights, torch::ones({20}, torch::kDouble)));
}

TEST(SpatialProfile, DiffusionOnALineMatchesTheFormula) {
  // Positions 0, .25, .5, .75, 1; site 0.5; lambda 0.25: distances .5, .25, 0, .25, .5.
  const auto weights =
      spatial_weights(diffusion({0.5}, 0.25), layout_positions({5}, 5, torch::kDouble));
  const double e1 = std::exp(-1.0), e2 = std::exp(-2.0);
  EXPECT_TRUE(torch::allclose(weights, doubles({e2, e1, 1.0, e1, e2}), 1e-14, 0.0)) << weights;
}

TEST(SpatialProfile, DiffusionOnASheetMatchesTheFormula) {
  // 3 × 3 sheet, spacing 0.5, site at the corner (0, 0), lambda 0.5.
  const auto positions = layout_positions({3, 3}, 9, torch::kDouble);
  const auto weights = spatial_weights(diffusion({0.0, 0.0}, 0.5), positions);
  EXPECT_EQ(weights.sizes(), (std::vector<int64_t>{9}));
  EXPECT_DOUBLE_EQ(weights[0].item<double>(), 1.0);                          // (0, 0): d = 0
  EXPECT_NEAR(weights[1].item<double>(), std::exp(-1.0), 1e-14);             // (0.5, 0): d = 0.5
  EXPECT_NEAR(weights[4].item<double>(), std::exp(-std::sqrt(2.0)), 1e-14);  // d = √0.5
  EXPECT_NEAR(weights[5].item<double>(), std::exp(-std::sqrt(5.0)), 1e-14);  // (1, .5): d = √1.25
  EXPECT_NEAR(weights[8].item<double>(), std::exp(-2.0 * std::sqrt(2.0)), 1e-14);  // (1, 1)
  // Centre site: the middle unit gets 1, the four edge midpoints exp(−1).
  const auto centred = spatial_weights(diffusion({0.5, 0.5}, 0.5), positions);
  EXPECT_DOUBLE_EQ(centred[4].item<double>(), 1.0);
  for (const int64_t i : {1, 3, 5, 7})
    EXPECT_NEAR(centred[i].item<double>(), std::exp(-1.0), 1e-14);
  EXPECT_EQ(spatial_weights(diffusion({0.5, 0.5}, 0.5), layout_positions({3, 3}, 9)).scalar_type(),
            torch::kFloat);
}

TEST(SpatialProfile, DiffusionErrorsNameTheProblem) {
  const auto sheet = layout_positions({3, 3}, 9, torch::kDouble);
  EXPECT_EQ(weights_error(diffusion({0.5}, 0.2), sheet),
            "spatial profile: site has 1 coordinate(s) but the layer's layout has 2 dimension(s)");
  EXPECT_NE(weights_error(diffusion({}, 0.2), sheet).find("needs a release site"),
            std::string::npos);
  EXPECT_NE(weights_error(diffusion({0.5, 0.5}, 0.0), sheet).find("lambda must be"),
            std::string::npos);
  EXPECT_NE(weights_error(diffusion({NAN, 0.5}, 0.2), sheet).find("finite"), std::string::npos);
  EXPECT_THROW(neuromod::check_spatial_profile(diffusion({0.5}, 0.2), 3), std::invalid_argument);
  EXPECT_NO_THROW(neuromod::check_spatial_profile(SpatialProfileOptions{}, 2));
}

TEST(SpatialProfile, ReadsFromYaml) {
  const auto document = neuromod::config::Document::parse(
      "profile: {profile: diffusion, site: [0.5, 0.5], lambda: 0.2}\n", "projection.yaml");
  const auto profile = neuromod::config::read_options<ProjectionHolder>(document).profile;
  EXPECT_EQ(profile.profile, SpatialProfile::diffusion);
  EXPECT_EQ(profile.site, (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(profile.lambda, 0.2);
  EXPECT_THROW(neuromod::config::read_options<ProjectionHolder>(neuromod::config::Document::parse(
                   "profile: {profile: diffusion, site: [0.5], lambda: -1}\n", "p.yaml")),
               neuromod::config::ConfigError);
  EXPECT_THROW(neuromod::config::read_options<ProjectionHolder>(
                   neuromod::config::Document::parse("profile: {profile: difusion}\n", "p.yaml")),
               neuromod::config::ConfigError);
}
