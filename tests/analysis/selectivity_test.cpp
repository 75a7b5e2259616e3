#include "neuromod/analysis/selectivity.h"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace na = neuromod::analysis;

namespace {

// Three units over six steps, two per condition 0, 1, 2:
//   unit 0: 4 2 | 1 1 | 0 0   means (3, 1, 0)  — prefers 0
//   unit 1: constant 2                           — no preference, no variance
//   unit 2: 0 0 | 0 0 | 5 5   means (0, 0, 5)  — silent outside condition 2
torch::Tensor activity() {
  return torch::tensor({4., 2., 1., 1., 0., 0., 2., 2., 2., 2., 2., 2., 0., 0., 0., 0., 5., 5.},
                       torch::kFloat)
      .reshape({3, 6})
      .t();
}

torch::Tensor labels() {
  return torch::tensor({0, 0, 1, 1, 2, 2}, torch::kLong);
}

}  // namespace

TEST(AnalysisSelectivity, KnownIndexAndEtaSquared) {
  const auto s = na::unit_selectivity(activity(), labels());
  EXPECT_TRUE(torch::allclose(
      s.mean_response,
      torch::tensor({3., 2., 0., 1., 2., 0., 0., 2., 5.}, torch::kDouble).reshape({3, 3})));
  EXPECT_TRUE(torch::equal(s.counts, torch::tensor({2, 2, 2}, torch::kLong)));
  EXPECT_TRUE(torch::equal(s.preferred, torch::tensor({0, 0, 2}, torch::kLong)));
  // Unit 0: (3 − 0.5) / (3 + 0.5); SS_between = 84/9, SS_total = 102/9.
  EXPECT_NEAR(s.index[0].item<double>(), 5.0 / 7.0, 1e-14);
  EXPECT_NEAR(s.eta_squared[0].item<double>(), 14.0 / 17.0, 1e-14);
  EXPECT_DOUBLE_EQ(s.index[1].item<double>(), 0.0);
  EXPECT_TRUE(std::isnan(s.eta_squared[1].item<double>()));
  EXPECT_DOUBLE_EQ(s.index[2].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(s.eta_squared[2].item<double>(), 1.0);
}

TEST(AnalysisSelectivity, IgnoresNegativeLabelsAndUnseenConditions) {
  // Extra steps labelled −1 with wild values change nothing; condition 3 is never seen.
  const auto x = torch::cat({activity(), torch::full({2, 3}, 100.0)}, 0);
  const auto y = torch::cat({labels(), torch::tensor({-1, -1}, torch::kLong)});
  const auto s = na::unit_selectivity(x, y, 4);
  const auto reference = na::unit_selectivity(activity(), labels());
  EXPECT_EQ(s.mean_response.sizes(), (std::vector<int64_t>{4, 3}));
  EXPECT_TRUE(torch::isnan(s.mean_response[3]).all().item<bool>());
  EXPECT_EQ(s.counts[3].item<int64_t>(), 0);
  EXPECT_TRUE(torch::equal(s.preferred, reference.preferred));
  EXPECT_TRUE(torch::allclose(s.index, reference.index));
  EXPECT_TRUE(torch::allclose(s.eta_squared, reference.eta_squared, 1e-12, 1e-12, true));
}

TEST(AnalysisSelectivity, RejectsBadInput) {
  EXPECT_THROW(na::unit_selectivity(activity(), labels(), 2), std::invalid_argument);
  EXPECT_THROW(na::unit_selectivity(activity(), labels().slice(0, 0, 5)), std::invalid_argument);
  EXPECT_THROW(na::unit_selectivity(activity(), labels().to(torch::kFloat)), std::invalid_argument);
  EXPECT_THROW(na::unit_selectivity(activity()[0], labels()), std::invalid_argument);
}
