#include "neuromod/modulation/sources/reward_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace neuromod {
namespace {

SourceOptions reward_options(double scale, int64_t channels) {
  SourceOptions options;
  options.kind = SourceKind::reward;
  options.scale = scale;
  options.channels = channels;
  return options;
}

TEST(RewardSource, PassesTheScaledReward) {
  RewardSource source(reward_options(-2.0, 2));
  SourceSignals signals;
  signals.batch = 3;
  signals.reward = torch::tensor({0.0, 1.0, 10.0});
  const auto r = source->release(signals);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_TRUE(torch::equal(r, torch::tensor({{0.0, 0.0}, {-2.0, -2.0}, {-20.0, -20.0}})));
  EXPECT_FALSE(source->differentiable());
}

TEST(RewardSource, IsDetachedAndKeepsPerChannelRewards) {
  RewardSource source(reward_options(1.0, 2));
  SourceSignals signals;
  signals.batch = 1;
  const auto reward = torch::tensor({{1.0, 3.0}}, torch::requires_grad());
  signals.reward = reward;
  const auto r = source->release(signals);
  EXPECT_FALSE(r.requires_grad());
  EXPECT_TRUE(torch::equal(r, reward.detach()));
}

TEST(RewardSource, IntegerRewardsBecomeFloat) {
  RewardSource source(reward_options(1.0, 1));
  SourceSignals signals;
  signals.batch = 2;
  signals.reward = torch::tensor({1, -1});
  const auto r = source->release(signals);
  EXPECT_TRUE(r.is_floating_point());
  EXPECT_EQ(r[1][0].item<double>(), -1.0);
}

TEST(RewardSource, MissingRewardIsNamed) {
  RewardSource source(reward_options(1.0, 1));
  try {
    source->release(SourceSignals{});
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "source reward needs reward, which this task does not provide");
  }
}

}  // namespace
}  // namespace neuromod
