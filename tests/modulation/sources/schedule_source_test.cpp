#include "neuromod/modulation/sources/schedule_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace neuromod {
namespace {

SourceOptions schedule_options(ScheduleKind kind) {
  SourceOptions options;
  options.kind = SourceKind::schedule;
  options.schedule = kind;
  return options;
}

double at_step(ScheduleSource& source, int64_t step) {
  SourceSignals signals;
  signals.training_step = step;
  signals.reward = torch::zeros({1}, torch::kDouble);  // releases follow its dtype
  return source->release(signals).item<double>();
}

TEST(ScheduleSource, Constant) {
  auto options = schedule_options(ScheduleKind::constant);
  options.value = 0.7;
  ScheduleSource source(options);
  EXPECT_DOUBLE_EQ(at_step(source, 0), 0.7);
  EXPECT_DOUBLE_EQ(at_step(source, 12345), 0.7);
}

TEST(ScheduleSource, StepDropsByFactorEveryPeriod) {
  auto options = schedule_options(ScheduleKind::step);
  options.value = 1.0;
  options.factor = 0.5;
  options.period = 10;
  ScheduleSource source(options);
  EXPECT_DOUBLE_EQ(at_step(source, 0), 1.0);
  EXPECT_DOUBLE_EQ(at_step(source, 9), 1.0);
  EXPECT_DOUBLE_EQ(at_step(source, 10), 0.5);
  EXPECT_DOUBLE_EQ(at_step(source, 25), 0.25);
}

TEST(ScheduleSource, ExponentialDecaysAndHoldsAtEnd) {
  auto options = schedule_options(ScheduleKind::exponential);
  options.value = 1.0;
  options.factor = 0.1;
  options.period = 2;
  options.end = 0.05;
  ScheduleSource source(options);
  EXPECT_DOUBLE_EQ(at_step(source, 0), 1.0);
  EXPECT_NEAR(at_step(source, 1), std::sqrt(0.1), 1e-7);
  EXPECT_NEAR(at_step(source, 2), 0.1, 1e-7);
  EXPECT_NEAR(at_step(source, 3), 0.05, 1e-9);  // 0.1^1.5 = 0.0316 would pass end
  EXPECT_NEAR(at_step(source, 100), 0.05, 1e-9);
}

TEST(ScheduleSource, ExponentialExpressesMeiLearningRateDecay) {
  // lr_k = 1e−5 · 10^(−k/99) for the 10-epoch block k = 0…99, then held at 1e−6.
  auto options = schedule_options(ScheduleKind::exponential);
  options.clock = SourceClock::epoch;
  options.every = 10;
  options.value = 1e-5;
  options.factor = 0.1;
  options.period = 99;
  options.end = 1e-6;
  const auto lr = [&](int64_t epoch) { return schedule_value(options, double(epoch / 10)); };
  EXPECT_DOUBLE_EQ(lr(0), 1e-5);
  EXPECT_DOUBLE_EQ(lr(9), 1e-5);
  EXPECT_NEAR(lr(10), 1e-5 * std::pow(10.0, -1.0 / 99.0), 1e-18);
  EXPECT_NEAR(lr(985), 1e-5 * std::pow(10.0, -98.0 / 99.0), 1e-18);
  EXPECT_NEAR(lr(990), 1e-6, 1e-18);
  EXPECT_DOUBLE_EQ(lr(5000), 1e-6);

  ScheduleSource source(options);
  SourceSignals signals;
  signals.training_step = 123456;  // ignored: the clock is the epoch
  signals.epoch = 25;
  EXPECT_NEAR(source->release(signals).item<double>(), 1e-5 * std::pow(10.0, -2.0 / 99.0), 1e-12);
}

TEST(ScheduleSource, CosineReachesEndAtThePeriod) {
  auto options = schedule_options(ScheduleKind::cosine);
  options.value = 1.0;
  options.end = 0.1;
  options.period = 4;
  ScheduleSource source(options);
  EXPECT_DOUBLE_EQ(at_step(source, 0), 1.0);
  EXPECT_NEAR(at_step(source, 1), 0.1 + 0.9 * (1.0 + std::cos(M_PI / 4.0)) / 2.0, 1e-7);
  EXPECT_NEAR(at_step(source, 2), 0.55, 1e-7);
  EXPECT_NEAR(at_step(source, 4), 0.1, 1e-7);
  EXPECT_NEAR(at_step(source, 50), 0.1, 1e-7);
}

TEST(ScheduleSource, SquareWaveAlternatesLikeSleepAndWake) {
  auto options = schedule_options(ScheduleKind::square);
  options.value = 1.0;
  options.low_value = 0.2;
  options.period = 10;
  options.duty = 0.3;
  ScheduleSource source(options);
  EXPECT_DOUBLE_EQ(at_step(source, 0), 1.0);
  EXPECT_DOUBLE_EQ(at_step(source, 2), 1.0);
  EXPECT_NEAR(at_step(source, 3), 0.2, 1e-7);
  EXPECT_NEAR(at_step(source, 9), 0.2, 1e-7);
  EXPECT_DOUBLE_EQ(at_step(source, 10), 1.0);
  EXPECT_NEAR(at_step(source, 13), 0.2, 1e-7);
}

TEST(ScheduleSource, EveryAndTheEpisodeClockSetTheTime) {
  auto options = schedule_options(ScheduleKind::step);
  options.value = 8.0;
  options.factor = 0.5;
  options.clock = SourceClock::episode_step;
  options.every = 5;
  ScheduleSource source(options);
  SourceSignals signals;
  signals.time_step = 4;  // t = 0
  EXPECT_DOUBLE_EQ(source->release(signals).item<double>(), 8.0);
  signals.time_step = 12;  // t = 2
  EXPECT_DOUBLE_EQ(source->release(signals).item<double>(), 2.0);
}

TEST(ScheduleSource, ShapeAndDtypeFollowTheSignals) {
  auto options = schedule_options(ScheduleKind::constant);
  options.value = 2.0;
  options.channels = 3;
  ScheduleSource source(options);
  SourceSignals signals;
  signals.batch = 2;
  signals.activity["rnn"] = torch::zeros({2, 5}, torch::kDouble);
  const auto r = source->release(signals);
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r.scalar_type(), torch::kDouble);
  EXPECT_FALSE(source->differentiable());
}

}  // namespace
}  // namespace neuromod
