#include "neuromod/modulation/sources/loss_change_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <optional>

#include "support/temp_dir.h"

namespace neuromod {
namespace {

SourceOptions loss_change_options(int64_t every = 1, SourceClock clock = SourceClock::step) {
  SourceOptions options;
  options.kind = SourceKind::loss_change;
  options.max_step = 0.003;
  options.every = every;
  options.clock = clock;
  return options;
}

SourceSignals at_step(int64_t step, std::optional<double> loss, int64_t batch = 1) {
  SourceSignals signals;
  signals.batch = batch;
  signals.training_step = step;
  signals.loss = loss;
  signals.reward = torch::zeros({batch}, torch::kDouble);  // releases follow its dtype
  return signals;
}

double release_at(LossChangeSource& source, int64_t step, std::optional<double> loss) {
  return source->release(at_step(step, loss)).item<double>();
}

TEST(LossChangeSource, StepSizeIsTheClosestPowerOfTen) {
  // |d_max / ΔL| = 0.03 → 0.01 (|0.03 − 0.01| < |0.03 − 0.1|)
  EXPECT_DOUBLE_EQ(loss_change_step_size(-0.1, 0.003), 0.01);
  // |ΔL| < d_max → target > 1 → s = 1: the step is ΔL itself
  EXPECT_DOUBLE_EQ(loss_change_step_size(1e-4, 0.003), 1.0);
  // target 0.5: closer to 0.1 (0.4) than to 1 (0.5)
  EXPECT_DOUBLE_EQ(loss_change_step_size(0.006, 0.003), 0.1);
  // target 0.6: closer to 1 (0.4) than to 0.1 (0.5)
  EXPECT_DOUBLE_EQ(loss_change_step_size(0.005, 0.003), 1.0);
  // a huge change is capped at the smallest step, 1e-6
  EXPECT_DOUBLE_EQ(loss_change_step_size(1e5, 0.003), 1e-6);
  EXPECT_DOUBLE_EQ(loss_change_step_size(0.0, 0.003), 1.0);
  EXPECT_DOUBLE_EQ(loss_change_release(0.0, 0.003), 0.0);
}

TEST(LossChangeSource, FollowsAHandWorkedSequenceOfLosses) {
  LossChangeSource source(loss_change_options());
  EXPECT_EQ(release_at(source, 0, 1.0), 0.0);  // first evaluation: nothing to compare with
  // ΔL = −0.1: s = 0.01, r = −0.01 · (−0.1) = 0.001
  EXPECT_NEAR(release_at(source, 1, 0.9), 0.001, 1e-12);
  // ΔL = −1e−4 (< d_max): s = 1, r = 1e−4
  EXPECT_NEAR(release_at(source, 2, 0.8999), 1e-4, 1e-12);
  // ΔL = +0.1001: s = 0.01, r = −0.001001 (the value falls when the loss rises)
  EXPECT_NEAR(release_at(source, 3, 1.0), -0.001001, 1e-12);
  EXPECT_EQ(release_at(source, 4, 1.0), 0.0);  // ΔL = 0
  // ΔL = −0.006: target 0.5 → s = 0.1, r = 6e−4
  EXPECT_NEAR(release_at(source, 5, 0.994), 6e-4, 1e-12);
  EXPECT_DOUBLE_EQ(source->previous_loss().item<double>(), 0.994);
}

TEST(LossChangeSource, EvaluatesOncePerBlock) {
  LossChangeSource source(loss_change_options(/*every=*/10, SourceClock::epoch));
  const auto at_epoch = [&](int64_t epoch, double loss) {
    SourceSignals signals = at_step(epoch * 100, loss);
    signals.epoch = epoch;
    return source->release(signals).item<double>();
  };
  EXPECT_EQ(at_epoch(0, 2.0), 0.0);
  EXPECT_EQ(at_epoch(0, 1.0), 0.0);  // same block: no evaluation
  EXPECT_EQ(at_epoch(9, 1.0), 0.0);
  EXPECT_NEAR(at_epoch(10, 1.9), 0.001, 1e-12);  // compares with epoch 0's 2.0: ΔL = −0.1
  EXPECT_EQ(at_epoch(10, 0.0), 0.0);
  EXPECT_EQ(at_epoch(19, 0.0), 0.0);
  EXPECT_NEAR(at_epoch(20, 1.9002), -0.0002, 1e-12);  // ΔL = 2e−4 < d_max: s = 1
}

TEST(LossChangeSource, RepeatedCallsWithinAStepReleaseOnce) {
  LossChangeSource source(loss_change_options());
  release_at(source, 0, 1.0);
  EXPECT_NEAR(release_at(source, 1, 0.9), 0.001, 1e-12);
  EXPECT_EQ(release_at(source, 1, 0.9), 0.0);  // a second time step of the same training step
}

TEST(LossChangeSource, ReleaseShapeAndDtype) {
  auto options = loss_change_options();
  options.channels = 3;
  LossChangeSource source(options);
  SourceSignals signals = at_step(0, 1.0, /*batch=*/4);
  signals.reward = torch::zeros({4}, torch::kDouble);
  const auto r = source->release(signals);
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(r.scalar_type(), torch::kDouble);
  EXPECT_FALSE(source->differentiable());
}

TEST(LossChangeSource, NoLossBeforeTheFirstStepDefersTheEvaluation) {
  LossChangeSource source(loss_change_options());
  EXPECT_EQ(release_at(source, 0, std::nullopt), 0.0);
  EXPECT_EQ(release_at(source, 0, 1.0), 0.0);  // the evaluation of block 0 happens now
  EXPECT_NEAR(release_at(source, 1, 0.9), 0.001, 1e-12);
}

TEST(LossChangeSource, MissingLossAfterTrainingStartedIsNamed) {
  LossChangeSource source(loss_change_options());
  try {
    release_at(source, 3, std::nullopt);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "source loss_change needs loss, which this task does not provide");
  }
}

TEST(LossChangeSource, SaveLoadContinuesTheSequence) {
  testing::TempDir dir;
  LossChangeSource source(loss_change_options());
  release_at(source, 0, 1.0);
  release_at(source, 1, 0.9);
  torch::save(source, (dir / "source.pt").string());

  LossChangeSource restored(loss_change_options());
  torch::load(restored, (dir / "source.pt").string());
  EXPECT_EQ(release_at(restored, 1, 0.5), 0.0);  // block 1 was already evaluated
  EXPECT_NEAR(release_at(restored, 2, 0.8999), 1e-4, 1e-12);
}

}  // namespace
}  // namespace neuromod
