#include "neuromod/analysis/event_aligned.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace na = neuromod::analysis;

TEST(AnalysisEventAligned, StepFunctionAveragesToTheStep) {
  // A square wave: 0 for 10 steps, then 1 for 10 steps; its onsets are the events.
  const int64_t steps = 200;
  auto level = (torch::arange(steps, torch::kLong).remainder(20) >= 10).to(torch::kFloat);
  const auto events = na::onsets(level);
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events.front(), 10);
  EXPECT_EQ(events.back(), 190);

  const auto peri = na::event_aligned_average(level, events, 5, 5);
  const auto expected = torch::tensor({0., 0., 0., 0., 0., 1., 1., 1., 1., 1., 1.}, torch::kDouble);
  EXPECT_TRUE(torch::equal(peri.mean, expected)) << peri.mean;
  EXPECT_TRUE(torch::equal(peri.sem, torch::zeros_like(expected))) << peri.sem;
  EXPECT_TRUE(torch::equal(peri.lags, torch::arange(-5, 6, torch::kLong)));
  EXPECT_EQ(peri.segments.sizes(), (std::vector<int64_t>{10, 11}));
  EXPECT_EQ(peri.dropped, 0);

  // Two channels, the second twice the first; events as a tensor.
  const auto two = torch::stack({level, 2 * level}, 1);
  const auto peri2 = na::event_aligned_average(
      two, torch::tensor(std::vector<int64_t>(events.begin(), events.end())), 5, 5);
  EXPECT_EQ(peri2.mean.sizes(), (std::vector<int64_t>{11, 2}));
  EXPECT_TRUE(torch::equal(peri2.mean, torch::stack({expected, 2 * expected}, 1)));
}

TEST(AnalysisEventAligned, SemOverEventsKnownNumbers) {
  // x(t) = t: segments [9, 10, 11], [19, 20, 21], [29, 30, 31] → mean [19, 20, 21], sd 10.
  const auto ramp = torch::arange(40, torch::kDouble);
  const auto peri = na::event_aligned_average(ramp, std::vector<int64_t>{10, 20, 30}, 1, 1);
  EXPECT_TRUE(torch::allclose(peri.mean, torch::tensor({19., 20., 21.}, torch::kDouble)));
  EXPECT_TRUE(torch::allclose(peri.sem, torch::full({3}, 10.0 / std::sqrt(3.0), torch::kDouble)));
}

TEST(AnalysisEventAligned, DropsEventsNearTheEdges) {
  const auto ramp = torch::arange(100, torch::kDouble);
  const auto peri = na::event_aligned_average(ramp, std::vector<int64_t>{2, 50, 94, 95}, 5, 5);
  EXPECT_EQ(peri.dropped, 2);
  EXPECT_EQ(peri.events, (std::vector<int64_t>{50, 94}));
  const auto single = na::event_aligned_average(ramp, std::vector<int64_t>{50, 99}, 5, 5);
  EXPECT_EQ(single.dropped, 1);
  EXPECT_DOUBLE_EQ(single.mean[5].item<double>(), 50.0);
  EXPECT_TRUE(std::isnan(single.sem[0].item<double>()));  // one event: no spread
  const auto none = na::event_aligned_average(ramp, std::vector<int64_t>{0}, 5, 5);
  EXPECT_EQ(none.segments.size(0), 0);
  EXPECT_TRUE(torch::isnan(none.mean).all().item<bool>());
}

TEST(AnalysisEventAligned, RejectsBadInput) {
  const auto ramp = torch::arange(10, torch::kDouble);
  try {
    na::event_aligned_average(ramp, std::vector<int64_t>{5, 12}, 1, 1);
    FAIL() << "an event outside the signal must throw";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("events[1] = 12"), std::string::npos) << error.what();
  }
  EXPECT_THROW(na::event_aligned_average(ramp, std::vector<int64_t>{5}, -1, 1),
               std::invalid_argument);
  EXPECT_THROW(na::event_aligned_average(torch::zeros({2, 3, 4}), std::vector<int64_t>{0}, 0, 0),
               std::invalid_argument);
  EXPECT_THROW(na::event_aligned_average(torch::arange(10), std::vector<int64_t>{5}, 1, 1),
               std::invalid_argument);
  EXPECT_THROW(na::event_aligned_average(ramp, torch::tensor({5.0}), 1, 1), std::invalid_argument);
}
