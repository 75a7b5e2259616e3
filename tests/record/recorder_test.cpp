#include "neuromod/record/recorder.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "neuromod/core/atomic_file.h"
#include "neuromod/record/npy.h"
#include "support/temp_dir.h"

namespace neuromod {
namespace {

using testing::TempDir;

RecordSignalOptions signal(std::string name) {
  RecordSignalOptions options;
  options.name = std::move(name);
  return options;
}

nlohmann::json read_index(const std::filesystem::path& directory) {
  return nlohmann::json::parse(read_text_file(directory / "index.json"));
}

const nlohmann::json& entry_named(const nlohmann::json& index, const std::string& name) {
  for (const auto& entry : index.at("recordings")) {
    if (entry.at("name") == name) return entry;
  }
  throw std::runtime_error("no recording named " + name);
}

// Values of one step as a network reports them: outputs (B, N), levels (B, 1), a trace (B, N, N).
std::map<std::string, torch::Tensor> step_values(int64_t step, int64_t time) {
  const double base = 1000.0 * step + time;
  return {
      {"layers/rnn/output", base + torch::arange(0, 8, torch::kFloat32).reshape({2, 4})},
      {"modulators/DA/level", torch::full({2, 1}, base)},
      {"modulators/ACh/level", torch::full({2, 1}, -base)},
      {"layers/rnn/state/hebb", base + torch::arange(0, 18, torch::kFloat32).reshape({2, 3, 3})},
      {"task/reward", torch::tensor({1.0f, -1.0f})}};
}

TEST(Recorder, SelectsStepsFirstLastAndEvery) {
  TempDir dir;
  RecordOptions options;
  options.signals = {signal("task/reward")};
  options.every = 30;
  Recorder recorder(options, dir.path(), 100);
  std::vector<int64_t> recorded;
  for (int64_t step = 1; step <= 100; ++step) {
    if (recorder.records_step(step)) recorded.push_back(step);
  }
  EXPECT_EQ(recorded, (std::vector<int64_t>{1, 30, 60, 90, 100}));
  options.signals.clear();
  EXPECT_FALSE(Recorder(options, dir / "none", 100).records_step(1));
}

TEST(Recorder, WritesSelectedUnitsEpisodesAndStridesWithAnIndexThatMatches) {
  TempDir dir;
  RecordOptions options;
  auto output = signal("layers/*/output");
  output.units = "1:3";
  output.batch = {1};
  auto levels = signal("modulators/*/level");
  levels.batch = {};
  levels.stride = 2;
  options.signals = {output, levels};
  {
    Recorder recorder(options, dir.path(), 10);
    for (int64_t t = 0; t < 5; ++t) recorder.record(7, t, step_values(7, t));
    recorder.flush();
    EXPECT_EQ(recorder.recorded_names(),
              (std::vector<std::string>{"layers/rnn/output", "modulators/ACh/level",
                                        "modulators/DA/level"}));
  }
  const auto outputs = npy::read(dir / "layers.rnn.output.npy");
  ASSERT_EQ(outputs.sizes(), (std::vector<int64_t>{5, 2}));
  for (int64_t t = 0; t < 5; ++t) {
    // Batch element 1 holds 4..7; units 1 and 2 of it are 5 and 6.
    EXPECT_EQ(outputs[t][0].item<float>(), 7000 + t + 5);
    EXPECT_EQ(outputs[t][1].item<float>(), 7000 + t + 6);
  }
  const auto rows = npy::read(dir / "layers.rnn.output.rows.npy");
  EXPECT_TRUE(torch::equal(rows.select(1, 1), torch::arange(0, 5, torch::kInt64)));
  EXPECT_TRUE(torch::equal(rows.select(1, 0), torch::full({5}, 7, torch::kInt64)));
  EXPECT_TRUE(torch::equal(rows.select(1, 2), torch::ones({5}, torch::kInt64)));

  // Stride 2 over t = 0..4 keeps t = 0, 2, 4, each for both episodes.
  const auto da = npy::read(dir / "modulators.DA.level.npy");
  ASSERT_EQ(da.sizes(), (std::vector<int64_t>{6, 1}));
  const auto da_rows = npy::read(dir / "modulators.DA.level.rows.npy");
  EXPECT_TRUE(torch::equal(da_rows.select(1, 1), torch::tensor({0, 0, 2, 2, 4, 4}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(da_rows.select(1, 2), torch::tensor({0, 1, 0, 1, 0, 1}, torch::kInt64)));
  EXPECT_EQ(da[2][0].item<float>(), 7002);

  const auto index = read_index(dir.path());
  ASSERT_EQ(index.at("recordings").size(), 3u);
  const auto& entry = entry_named(index, "layers/rnn/output");
  EXPECT_EQ(entry.at("file"), "layers.rnn.output.npy");
  EXPECT_EQ(entry.at("rows_file"), "layers.rnn.output.rows.npy");
  EXPECT_EQ(entry.at("shape"), nlohmann::json({5, 2}));
  EXPECT_EQ(entry.at("units"), nlohmann::json({1, 2}));
  EXPECT_EQ(entry.at("batch"), nlohmann::json({1}));
  EXPECT_EQ(entry.at("dtype"), "float32");
  for (const auto& recording : index.at("recordings")) {
    const auto header = npy::read_header(dir / recording.at("file").get<std::string>());
    EXPECT_EQ(nlohmann::json(header.shape), recording.at("shape"));
  }
}

TEST(Recorder, TracesAreSummarisedUnlessFull) {
  TempDir dir;
  RecordOptions options;
  auto summary = signal("layers/rnn/state/hebb");
  options.signals = {summary};
  Recorder recorder(options, dir / "summary", 1);
  recorder.record(1, 0, step_values(0, 0));
  recorder.flush();
  const auto stats = npy::read(dir / "summary" / "layers.rnn.state.hebb.npy");
  ASSERT_EQ(stats.sizes(), (std::vector<int64_t>{1, 5}));
  // Episode 0 holds 0..8: mean 4, population sd sqrt(60/9), min 0, max 8, mean |x| 4.
  EXPECT_FLOAT_EQ(stats[0][0].item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(stats[0][1].item<float>(), std::sqrt(60.0f / 9.0f));
  EXPECT_FLOAT_EQ(stats[0][2].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(stats[0][3].item<float>(), 8.0f);
  EXPECT_FLOAT_EQ(stats[0][4].item<float>(), 4.0f);
  EXPECT_EQ(entry_named(read_index(dir / "summary"), "layers/rnn/state/hebb").at("columns"),
            nlohmann::json({"mean", "sd", "min", "max", "mean_abs"}));

  summary.full = true;
  options.signals = {summary};
  Recorder full(options, dir / "full", 1);
  full.record(1, 0, step_values(0, 0));
  full.flush();
  const auto values = npy::read(dir / "full" / "layers.rnn.state.hebb.npy");
  EXPECT_TRUE(torch::equal(values, torch::arange(0, 9, torch::kFloat32).reshape({1, 9})));
  EXPECT_EQ(entry_named(read_index(dir / "full"), "layers/rnn/state/hebb").at("sample_shape"),
            nlohmann::json({3, 3}));
}

TEST(Recorder, MemoryStaysWithinItsBoundOnALongRun) {
  TempDir dir;
  RecordOptions options;
  options.signals = {signal("layers/rnn/output"), signal("modulators/*/level")};
  options.signals[0].batch = {};
  options.buffer_mb = 0.01;  // 10 KiB: a few hundred rows
  Recorder recorder(options, dir.path(), 1);
  const int64_t steps = 5000;
  for (int64_t t = 0; t < steps; ++t) {
    recorder.record(1, t, step_values(0, t));
    ASSERT_LE(recorder.buffered_bytes(), recorder.buffer_limit()) << "at t = " << t;
  }
  recorder.flush();
  EXPECT_EQ(recorder.buffered_bytes(), 0u);
  const auto outputs = npy::read(dir / "layers.rnn.output.npy");
  ASSERT_EQ(outputs.sizes(), (std::vector<int64_t>{2 * steps, 4}));
  // Every row reached the disk, in order: row 2t + b is episode b at time t.
  EXPECT_EQ(outputs[2 * 4321 + 1][3].item<float>(), 4321 + 7);
  EXPECT_EQ(npy::read(dir / "modulators.ACh.level.npy").size(0), steps);
}

TEST(Recorder, RowsPastMaxRowsAreCountedNotWritten) {
  TempDir dir;
  RecordOptions options;
  options.signals = {signal("modulators/DA/level")};
  options.max_rows = 7;
  Recorder recorder(options, dir.path(), 1);
  for (int64_t t = 0; t < 10; ++t) recorder.record(1, t, step_values(0, t));
  recorder.flush();
  EXPECT_EQ(npy::read(dir / "modulators.DA.level.npy").size(0), 7);
  EXPECT_EQ(entry_named(read_index(dir.path()), "modulators/DA/level").at("dropped_rows"), 3);
}

TEST(Recorder, BadSelectionsNameTheSignalAndTheChoices) {
  TempDir dir;
  const auto expect_error = [&](RecordSignalOptions bad, const std::string& fragment) {
    RecordOptions options;
    options.signals = {signal("task/reward"), bad};
    Recorder recorder(options, dir.path(), 1);
    try {
      recorder.record(1, 0, step_values(0, 0));
      FAIL() << "accepted " << bad.name;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("record.signals.1"), std::string::npos)
          << error.what();
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  expect_error(signal("modulators/NE/level"), "modulators/DA/level");  // lists what exists
  auto units = signal("layers/rnn/output");
  units.units = "2:9";
  expect_error(units, "2:9");
  auto batch = signal("layers/rnn/output");
  batch.batch = {5};
  expect_error(batch, "5");
}

TEST(Recorder, ResumingCutsTheRowsOfLaterStepsAndAppends) {
  TempDir dir;
  RecordOptions options;
  options.signals = {signal("modulators/DA/level")};
  options.signals[0].batch.clear();  // both episodes: two rows per step
  options.every = 1;
  {
    Recorder recorder(options, dir.path(), 10);
    for (int64_t step = 1; step <= 6; ++step) recorder.record(step, 0, step_values(step, 0));
  }
  EXPECT_EQ(npy::read(dir / "modulators.DA.level.npy").size(0), 12);
  {
    Recorder resumed(options, dir.path(), 10, 4);  // the checkpoint was step 4
    EXPECT_EQ(npy::read(dir / "modulators.DA.level.npy").size(0), 8);
    for (int64_t step = 5; step <= 6; ++step) resumed.record(step, 0, step_values(step, 0));
  }
  const auto rows = npy::read(dir / "modulators.DA.level.rows.npy");
  EXPECT_TRUE(torch::equal(rows.select(1, 0),
                           torch::tensor({1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}, torch::kInt64)));
  const auto levels = npy::read(dir / "modulators.DA.level.npy");
  EXPECT_EQ(levels[9][0].item<float>(), 5000);
  EXPECT_EQ(entry_named(read_index(dir.path()), "modulators/DA/level").at("shape"),
            nlohmann::json({12, 1}));
}

TEST(Recorder, StemsAreSafeFileNames) {
  EXPECT_EQ(recording_stem("effects/rnn/soma.gain"), "effects.rnn.soma.gain");
  EXPECT_EQ(recording_stem("layers/a b/state/h*"), "layers.a_b.state.h_");
}

}  // namespace
}  // namespace neuromod
