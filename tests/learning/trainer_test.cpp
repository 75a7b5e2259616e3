#include "neuromod/learning/trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "neuromod/app/experiment_factory.h"
#include "neuromod/config/run_config.h"
#include "neuromod/core/atomic_file.h"
#include "neuromod/core/interrupt.h"
#include "support/temp_dir.h"
#include "support/tiny_run.h"

namespace neuromod {
namespace {

RunConfig tiny_config(const std::vector<std::string>& overrides = {}) {
  auto document = config::Document::parse(testing::tiny_run_yaml(), "tiny.yaml");
  for (const auto& assignment : overrides) document.apply_override(assignment);
  return load_run_config(document);
}

TrainerSettings settings_for(const RunConfig& config, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "checkpoints");
  TrainerSettings settings;
  settings.steps = config.learning.steps;
  settings.log = config.log;
  settings.checkpoint = config.checkpoint;
  settings.checkpoint_dir = dir / "checkpoints";
  settings.metrics_csv = dir / "metrics.csv";
  settings.metrics_jsonl = dir / "metrics.jsonl";
  return settings;
}

// Delegates to a real experiment and requests a stop, as SIGINT would, after step `stop_at`.
class StopAtStep : public Experiment {
 public:
  StopAtStep(Experiment& inner, int64_t stop_at) : inner_(inner), stop_at_(stop_at) {}
  std::vector<std::string> metric_names() const override { return inner_.metric_names(); }
  std::string key_metric() const override { return inner_.key_metric(); }
  std::string loss_metric() const override { return inner_.loss_metric(); }
  MetricValues train_step(int64_t step) override {
    auto metrics = inner_.train_step(step);
    if (step == stop_at_) request_interrupt();
    return metrics;
  }
  MetricValues evaluate() override { return inner_.evaluate(); }
  void save(torch::serialize::OutputArchive& archive) override { inner_.save(archive); }
  void load(torch::serialize::InputArchive& archive) override { inner_.load(archive); }

 private:
  Experiment& inner_;
  int64_t stop_at_;
};

TrainingOutcome train(const RunConfig& config, const std::filesystem::path& dir) {
  auto experiment = make_experiment(config);
  return Trainer(*experiment, settings_for(config, dir)).run({}, [](const std::string&) {});
}

TEST(Trainer, LearnsAndWritesRowsEvaluationsAndCheckpoints) {
  testing::TempDir dir;
  const RunConfig config = tiny_config();
  const TrainingOutcome outcome = train(config, dir.path());
  EXPECT_EQ(outcome.status, TrainingStatus::completed);
  EXPECT_EQ(outcome.step, 120);
  // 12 rows + header; evaluations at 40, 80, 120.
  const std::string csv = read_text_file(dir / "metrics.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13);
  EXPECT_NE(csv.find("\n40,"), std::string::npos);
  // keep_last 2 of the checkpoints at 20, 40, ..., 120.
  const auto checkpoints = list_checkpoints(dir / "checkpoints");
  ASSERT_EQ(checkpoints.size(), 2u);
  EXPECT_EQ(checkpoints.back().filename(), "step-00000120.pt");
  // It learns: far above the 10% of chance on held-out images.
  EXPECT_GT(outcome.final_metrics.at("test_accuracy"), 0.55);
}

TEST(Trainer, SameSeedGivesByteIdenticalMetrics) {
  testing::TempDir first, second, other_seed;
  train(tiny_config(), first.path());
  train(tiny_config(), second.path());
  train(tiny_config({"seed=4"}), other_seed.path());
  EXPECT_EQ(read_text_file(first / "metrics.csv"), read_text_file(second / "metrics.csv"));
  EXPECT_NE(read_text_file(first / "metrics.csv"), read_text_file(other_seed / "metrics.csv"));
}

TEST(Trainer, ResumeAfterInterruptEqualsUninterruptedRun) {
  testing::TempDir whole, pieces;
  const RunConfig config = tiny_config();
  train(config, whole.path());

  clear_interrupt();
  {
    auto experiment = make_experiment(config);
    StopAtStep stopping(*experiment, 37);  // mid-window: the metric window is checkpointed too
    const TrainingOutcome outcome =
        Trainer(stopping, settings_for(config, pieces.path())).run({}, [](const std::string&) {});
    EXPECT_EQ(outcome.status, TrainingStatus::interrupted);
    EXPECT_EQ(outcome.step, 37);
    EXPECT_EQ(outcome.last_checkpoint.filename(), "step-00000037.pt");
  }
  clear_interrupt();
  {
    // A fresh process would start from a different generator state: scramble it.
    torch::manual_seed(12345);
    auto experiment = make_experiment(tiny_config({"seed=99"}));
    experiment = make_experiment(config);
    torch::rand({100});
    const auto checkpoint = list_checkpoints(pieces / "checkpoints").back();
    const TrainingProgress start = load_checkpoint(checkpoint, *experiment);
    EXPECT_EQ(start.step, 37);
    truncate_metrics_after(pieces / "metrics.csv", pieces / "metrics.jsonl", start.step);
    const TrainingOutcome outcome = Trainer(*experiment, settings_for(config, pieces.path()))
                                        .run(start, [](const std::string&) {});
    EXPECT_EQ(outcome.status, TrainingStatus::completed);
  }
  EXPECT_EQ(read_text_file(pieces / "metrics.csv"), read_text_file(whole / "metrics.csv"));
  EXPECT_EQ(read_text_file(pieces / "metrics.jsonl"), read_text_file(whole / "metrics.jsonl"));
}

TEST(Trainer, NonFiniteLossStopsWithoutCheckpointingTheBadState) {
  testing::TempDir dir;
  const RunConfig config = tiny_config({"learning.optimizer=sgd", "learning.lr=1e30", "log.every=1",
                                        "log.eval_every=1", "checkpoint.every=1"});
  const TrainingOutcome outcome = train(config, dir.path());
  ASSERT_EQ(outcome.status, TrainingStatus::diverged);
  EXPECT_LT(outcome.step, 120);
  // Every checkpoint on disk predates the bad step, and loads.
  for (const auto& checkpoint : list_checkpoints(dir / "checkpoints")) {
    auto experiment = make_experiment(config);
    EXPECT_LT(load_checkpoint(checkpoint, *experiment).step, outcome.step);
  }
}

}  // namespace
}  // namespace neuromod
