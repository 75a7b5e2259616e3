#include "neuromod/learning/checkpoint.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "neuromod/app/experiment_factory.h"
#include "neuromod/config/run_config.h"
#include "neuromod/core/atomic_file.h"
#include "support/temp_dir.h"
#include "support/tiny_run.h"

namespace neuromod {
namespace {

std::unique_ptr<Experiment> tiny_experiment() {
  const auto document = config::Document::parse(testing::tiny_run_yaml(), "tiny.yaml");
  return make_experiment(load_run_config(document));
}

TEST(Checkpoint, RoundTripsParametersOptimiserWindowAndGenerator) {
  testing::TempDir dir;
  auto experiment = tiny_experiment();
  for (int64_t step = 1; step <= 5; ++step) experiment->train_step(step);
  TrainingProgress progress;
  progress.step = 5;
  progress.window.add({{"loss", 1.5}});
  progress.window.add({{"loss", 0.5}});
  const auto path = save_checkpoint(dir.path(), progress, *experiment, 3);
  const auto expected_next = experiment->train_step(6);
  const double expected_random = torch::rand({1}).item<double>();

  // Same config (so the same data order), but weights and Adam moments moved elsewhere.
  auto restored = tiny_experiment();
  for (int64_t step : {50, 51, 52}) restored->train_step(step);
  const TrainingProgress loaded = load_checkpoint(path, *restored);
  EXPECT_EQ(loaded.step, 5);
  EXPECT_EQ(loaded.window.count, 2);
  EXPECT_DOUBLE_EQ(loaded.window.means().at("loss"), 1.0);
  EXPECT_EQ(restored->train_step(6), expected_next);  // same weights, Adam moments, data order
  EXPECT_EQ(torch::rand({1}).item<double>(), expected_random);
}

TEST(Checkpoint, KeepsOnlyTheNewest) {
  testing::TempDir dir;
  auto experiment = tiny_experiment();
  for (int64_t step : {10, 20, 30, 40}) {
    TrainingProgress progress;
    progress.step = step;
    save_checkpoint(dir.path(), progress, *experiment, 2);
  }
  const auto kept = list_checkpoints(dir.path());
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].filename(), "step-00000030.pt");
  EXPECT_EQ(kept[1].filename(), "step-00000040.pt");
}

TEST(Checkpoint, CorruptedOrMissingFilesGiveAnErrorNamingThem) {
  testing::TempDir dir;
  auto experiment = tiny_experiment();
  TrainingProgress progress;
  progress.step = 10;
  const auto path = save_checkpoint(dir.path(), progress, *experiment, 2);
  std::string bytes = read_text_file(path);
  write_file_atomically(path, bytes.substr(0, bytes.size() / 2));
  for (const auto& bad : {path, dir / "step-00000099.pt"}) {
    try {
      load_checkpoint(bad, *experiment);
      FAIL() << "expected CheckpointError";
    } catch (const CheckpointError& error) {
      EXPECT_NE(std::string(error.what()).find(bad.string()), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace neuromod
