// End-to-end: a run with a `record:` section writes recordings that describe themselves, and
// recording does not change what the run learns.

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "neuromod/record/npy.h"
#include "support/cli.h"
#include "support/temp_dir.h"
#include "support/tiny_run.h"

namespace neuromod {
namespace {

using testing::printed_run_directory;
using testing::run_cli;
using testing::slurp;

TEST(RecordingRun, RecordsTheSelectedStepsAndTrainsExactlyAsWithoutRecording) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto run = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> arguments{"run", config.string(), "--quiet", "--out",
                                       (dir / "runs").string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const auto result = run_cli(arguments, dir.path());
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    return printed_run_directory(result.out);
  };
  const auto plain = run({"name=plain"});
  const auto recorded =
      run({"name=recorded", "record.every=40",
           "record.signals=[{name: layers/hidden/output, units: '0:8', batch: []}, task/label, "
           "task/loss]"});
  ASSERT_FALSE(plain.empty());
  ASSERT_FALSE(recorded.empty());
  EXPECT_EQ(slurp(plain / "metrics.csv"), slurp(recorded / "metrics.csv"));

  const auto index = nlohmann::json::parse(slurp(recorded / "recordings" / "index.json"));
  ASSERT_EQ(index.at("recordings").size(), 3u);
  for (const auto& entry : index.at("recordings")) {
    const auto file = recorded / "recordings" / entry.at("file").get<std::string>();
    const auto rows_file = recorded / "recordings" / entry.at("rows_file").get<std::string>();
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    ASSERT_TRUE(std::filesystem::exists(rows_file)) << rows_file;
    const auto values = npy::read(file);
    EXPECT_EQ(nlohmann::json(std::vector<int64_t>(values.sizes().begin(), values.sizes().end())),
              entry.at("shape"));
    // Steps 1, 40, 80 and the last (120) are recorded, nothing else.
    const auto steps = std::get<0>(at::_unique(npy::read(rows_file).select(1, 0)));
    EXPECT_TRUE(
        torch::equal(std::get<0>(steps.sort()), torch::tensor({1, 40, 80, 120}, torch::kInt64)))
        << entry.at("name");
  }
  // Batch size 32, every example of each recorded step, units 0..7.
  const auto hidden = npy::read(recorded / "recordings" / "layers.hidden.output.npy");
  EXPECT_EQ(hidden.sizes(), (std::vector<int64_t>{4 * 32, 8}));
  const auto labels = npy::read(recorded / "recordings" / "task.label.npy");
  EXPECT_EQ(labels.sizes(), (std::vector<int64_t>{4, 1}));  // batch element 0 by default
  EXPECT_GE(labels.min().item<float>(), 0.0f);
  EXPECT_LE(labels.max().item<float>(), 9.0f);
}

TEST(RecordingRun, ASignalNamingNoLayerIsAConfigErrorWithItsLine) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto result = run_cli({"run", config.string(), "record.signals=[layers/hiden/output]",
                               "--out", (dir / "runs").string()},
                              dir.path());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("record.signals.0.name"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("hidden"), std::string::npos) << result.err;  // lists the layers
  EXPECT_FALSE(std::filesystem::exists(dir / "runs"));
}

}  // namespace
}  // namespace neuromod
