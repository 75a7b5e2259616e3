#include "neuromod/analysis/learning_curves.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace na = neuromod::analysis;

namespace {

constexpr double missing = std::numeric_limits<double>::quiet_NaN();

/// Three seeds logged at partly different steps, one with a missing value.
std::vector<na::CurveSeries> three_runs() {
  return {{{0, 1.0}, {10, 3.0}, {20, 5.0}},
          {{20, 7.0}, {0, 3.0}, {10, missing}},
          {{0, 2.0}, {20, 6.0}, {30, 1.0}}};
}

}  // namespace

TEST(AnalysisLearningCurves, QuantileMatchesNumpyLinear) {
  // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 1]) = [1, 1.75, 2.5, 4].
  EXPECT_DOUBLE_EQ(na::quantile({4, 1, 3, 2}, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(na::quantile({4, 1, 3, 2}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(na::quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(na::quantile({4, 1, 3, 2}, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(na::quantile({4, missing, 1, 3, 2}, 0.25), 1.75);  // NaN ignored
  EXPECT_TRUE(std::isnan(na::quantile({}, 0.5)));
  EXPECT_TRUE(std::isnan(na::quantile({missing}, 0.5)));
  EXPECT_THROW(na::quantile({1, 2}, 1.5), std::invalid_argument);
}

TEST(AnalysisLearningCurves, SampleSummaryKnownNumbers) {
  // mean 5, Σ(x − 5)² = 32: sd = sqrt(32/7), sem = sd/sqrt(8); numpy.percentile: 4.0, 4.5, 5.5.
  const auto s = na::summarize_sample({2, 4, 4, 4, 5, 5, 7, 9, missing});
  EXPECT_EQ(s.n, 8);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.sd, std::sqrt(32.0 / 7.0), 1e-14);
  EXPECT_NEAR(s.sem, std::sqrt(32.0 / 7.0) / std::sqrt(8.0), 1e-14);
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  EXPECT_DOUBLE_EQ(s.q25, 4.0);
  EXPECT_DOUBLE_EQ(s.q75, 5.5);
  const auto one = na::summarize_sample({3.0});
  EXPECT_EQ(one.n, 1);
  EXPECT_DOUBLE_EQ(one.mean, 3.0);
  EXPECT_TRUE(std::isnan(one.sem));
}

TEST(AnalysisLearningCurves, AlignsOnTheUnionOfSteps) {
  const auto curve = na::summarize_curves(three_runs());
  ASSERT_EQ(curve.steps, (std::vector<double>{0, 10, 20, 30}));
  EXPECT_EQ(curve.n, (std::vector<int64_t>{3, 1, 3, 1}));
  // Step 0: {1, 3, 2}; step 20: {5, 7, 6} — both have sd 1.
  EXPECT_DOUBLE_EQ(curve.mean[0], 2.0);
  EXPECT_NEAR(curve.sem[0], 1.0 / std::sqrt(3.0), 1e-14);
  EXPECT_DOUBLE_EQ(curve.median[0], 2.0);
  EXPECT_DOUBLE_EQ(curve.q25[0], 1.5);
  EXPECT_DOUBLE_EQ(curve.q75[0], 2.5);
  EXPECT_DOUBLE_EQ(curve.mean[1], 3.0);
  EXPECT_TRUE(std::isnan(curve.sem[1]));
  EXPECT_DOUBLE_EQ(curve.mean[2], 6.0);
  EXPECT_NEAR(curve.sem[2], 1.0 / std::sqrt(3.0), 1e-14);
  EXPECT_DOUBLE_EQ(curve.median[3], 1.0);
}

TEST(AnalysisLearningCurves, GivenGridExactAndInterpolated) {
  const auto exact = na::summarize_curves(three_runs(), na::CurveSummaryOptions().steps({5, 20}));
  EXPECT_EQ(exact.n, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(std::isnan(exact.mean[0]));
  EXPECT_DOUBLE_EQ(exact.mean[1], 6.0);

  // At 5: run 0 gives 2, run 1 skips its missing 10 and interpolates 3 → 7 (4), run 2 gives 3.
  // At 25 only run 2 extends that far: halfway from 6 to 1.
  const auto interpolated = na::summarize_curves(
      three_runs(),
      na::CurveSummaryOptions().steps({5, 25}).alignment(na::CurveAlignment::interpolate));
  EXPECT_EQ(interpolated.n, (std::vector<int64_t>{3, 1}));
  EXPECT_DOUBLE_EQ(interpolated.mean[0], 3.0);
  EXPECT_DOUBLE_EQ(interpolated.median[0], 3.0);
  EXPECT_DOUBLE_EQ(interpolated.mean[1], 3.5);
}

TEST(AnalysisLearningCurves, RejectsBadInput) {
  try {
    na::summarize_curves({{{0, 1.0}}, {{5, 1.0}, {5, 2.0}}});
    FAIL() << "a step logged twice must throw";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("runs[1]"), std::string::npos) << error.what();
  }
  EXPECT_THROW(na::summarize_curves({{{missing, 1.0}}}), std::invalid_argument);
  EXPECT_THROW(na::summarize_curves({}, na::CurveSummaryOptions().steps({10, 5})),
               std::invalid_argument);
}
