// End-to-end: the neuromod binary as a user runs it.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "neuromod/core/atomic_file.h"
#include "neuromod/learning/checkpoint.h"
#include "support/cli.h"
#include "support/temp_dir.h"
#include "support/tiny_run.h"

namespace neuromod {
namespace {

using testing::printed_run_directory;
using testing::run_cli;
using testing::slurp;

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

TEST(Cli, RunWritesTheWholeRunDirectory) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto result = run_cli(
      {"run", config.string(), "learning.steps=40", "--out", (dir / "runs").string()}, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto run = printed_run_directory(result.out);
  ASSERT_FALSE(run.empty()) << result.out;
  EXPECT_EQ(run.parent_path(), dir / "runs");
  for (const char* file : {"config.yaml", "overrides.txt", "meta.json", "log.txt", "metrics.csv",
                           "metrics.jsonl", "report.html", "checkpoints/step-00000040.pt"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(run / file)) << file;
  }
  for (const char* directory : {"recordings", "plots"}) {
    EXPECT_TRUE(std::filesystem::is_directory(run / directory)) << directory;
  }
  EXPECT_EQ(slurp(run / "overrides.txt"), "learning.steps=40\n");
  EXPECT_TRUE(contains(slurp(run / "config.yaml"), "steps: 40"));
  EXPECT_TRUE(contains(slurp(run / "config.yaml"), "momentum: 0"));  // defaults written out
  const std::string meta = slurp(run / "meta.json");
  for (const char* key : {"neuromod_version", "libtorch_version", "git_revision", "seed", "threads",
                          "host", "command_line", "\"status\": \"completed\""}) {
    EXPECT_TRUE(contains(meta, key)) << key;
  }
  EXPECT_TRUE(contains(slurp(run / "log.txt"), "completed 40 steps"));
  // The report is the last thing printed.
  EXPECT_TRUE(contains(result.out, "report: " + (run / "report.html").string() + "\n"));
}

TEST(Cli, PrintConfigShowsResolvedConfigAndWritesNothing) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto result = run_cli({"run", config.string(), "learning.lr=0.5", "--print-config", "--out",
                               (dir / "runs").string()},
                              dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "lr: 0.5"));
  EXPECT_TRUE(contains(result.out, "keep_last: 2"));
  EXPECT_FALSE(std::filesystem::exists(dir / "runs"));
}

TEST(Cli, BadInputGivesAClearErrorAndWritesNothing) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  std::ofstream(dir / "malformed.yaml") << "layers: [\n";
  std::ofstream(dir / "unknown.yaml") << testing::tiny_run_yaml() << "learnin: {lr: 1}\n";
  const std::string out = (dir / "runs").string();
  struct Case {
    std::vector<std::string> arguments;
    std::string expected;
  };
  const std::vector<Case> cases{
      {{"run", (dir / "missing.yaml").string()}, "missing.yaml: config file not found"},
      {{"run", (dir / "malformed.yaml").string()}, "malformed.yaml:2: malformed YAML"},
      {{"run", (dir / "unknown.yaml").string()},
       "unknown.yaml:12: learnin: unknown key at the top level (did you mean \"learning\"?)"},
      {{"run", config.string(), "learning.lr=-1"},
       "override 'learning.lr=-1': learning.lr: expected a number > 0, got '-1'"},
      {{"run", config.string(), "learning.steps=ten"}, "expected an integer, got 'ten'"},
      {{"run", config.string(), "task.data_dir=" + (dir / "nodata").string()},
       "dataset-fashion-mnist"},
      {{"run", "--resume", (dir / "not-a-run").string()}, "does not exist"},
      {{"list", "lyers"}, "did you mean \"layers\""},
  };
  for (const auto& test : cases) {
    auto arguments = test.arguments;
    if (arguments[0] == "run") arguments.insert(arguments.end(), {"--out", out});
    const auto result = run_cli(arguments, dir.path());
    EXPECT_EQ(result.exit_code, 1) << test.expected;
    EXPECT_TRUE(contains(result.err, test.expected)) << result.err;
    EXPECT_TRUE(contains(result.err, "neuromod: error: ")) << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "runs"));
}

TEST(Cli, CorruptedCheckpointIsReportedAndNothingIsOverwritten) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto first = run_cli(
      {"run", config.string(), "learning.steps=40", "--out", (dir / "runs").string()}, dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto run = printed_run_directory(first.out);
  const auto checkpoint = run / "checkpoints/step-00000040.pt";
  write_file_atomically(checkpoint, "this is not a checkpoint");
  const std::string metrics = slurp(run / "metrics.csv");
  const std::string meta = slurp(run / "meta.json");

  const auto resumed = run_cli({"run", "--resume", run.string(), "learning.steps=80"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 1);
  EXPECT_TRUE(contains(resumed.err, checkpoint.string())) << resumed.err;
  EXPECT_TRUE(contains(resumed.err, "unreadable or corrupted")) << resumed.err;
  EXPECT_EQ(slurp(run / "metrics.csv"), metrics);
  EXPECT_EQ(slurp(run / "meta.json"), meta);
  EXPECT_EQ(slurp(checkpoint), "this is not a checkpoint");
  EXPECT_TRUE(contains(slurp(run / "config.yaml"), "steps: 40"));
}

// SIGTERM mid-run: the run checkpoints, exits non-zero and says how to resume; resuming
// finishes with metrics identical to an uninterrupted run, wherever the signal landed.
TEST(Cli, SigtermThenResumeEqualsAnUninterruptedRun) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const std::vector<std::string> longer{"learning.steps=3000", "log.eval_every=1000",
                                        "checkpoint.every=500"};
  auto arguments = [&](const std::string& out) {
    std::vector<std::string> list{"run", config.string()};
    list.insert(list.end(), longer.begin(), longer.end());
    list.insert(list.end(), {"--out", (dir / out).string()});
    return list;
  };
  const auto whole = run_cli(arguments("whole"), dir.path());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  auto process = testing::start_cli(arguments("pieces"), dir.path());
  // Wait until training has logged a few rows, then stop it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::filesystem::path run;
  while (std::chrono::steady_clock::now() < deadline) {
    if (run.empty() && std::filesystem::exists(dir / "pieces")) {
      for (const auto& entry : std::filesystem::directory_iterator(dir / "pieces")) {
        run = entry.path();
      }
    }
    if (!run.empty() && slurp(run / "metrics.csv").size() > 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(process.pid, SIGTERM);
  const auto stopped = testing::wait_cli(process);
  if (stopped.exit_code == 0) GTEST_SKIP() << "the run finished before the signal arrived";
  EXPECT_EQ(stopped.exit_code, 128 + SIGTERM) << stopped.out << stopped.err;
  EXPECT_TRUE(contains(stopped.out, "stopped by SIGTERM")) << stopped.out;
  EXPECT_TRUE(contains(stopped.out, "neuromod run --resume " + run.string())) << stopped.out;
  EXPECT_TRUE(contains(slurp(run / "meta.json"), "\"status\": \"interrupted\""));

  const auto resumed = run_cli({"run", "--resume", run.string()}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const auto whole_run = printed_run_directory(whole.out);
  EXPECT_EQ(slurp(run / "metrics.csv"), slurp(whole_run / "metrics.csv"));
  EXPECT_TRUE(contains(slurp(run / "meta.json"), "resumptions"));
}

TEST(Cli, NonFiniteLossStopsWithExitCode3AndAClearMessage) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto result =
      run_cli({"run", config.string(), "learning.optimizer=sgd", "learning.lr=1e30", "log.every=1",
               "log.eval_every=1", "checkpoint.every=1", "--out", (dir / "runs").string()},
              dir.path());
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "the loss became NaN or infinite at step")) << result.out;
  const auto run = printed_run_directory(result.out);
  EXPECT_TRUE(contains(slurp(run / "meta.json"), "\"status\": \"diverged\""));
  EXPECT_TRUE(std::filesystem::exists(run / "report.html"));
}

double final_test_accuracy(const std::filesystem::path& run) {
  const std::string csv = slurp(run / "metrics.csv");
  const std::string last = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  return std::stod(last.substr(last.rfind(',') + 1));
}

// The quickstart's claim: its neuromodulated network beats its twin without the projection.
TEST(Cli, QuickstartModulationBeatsItsUnmodulatedTwin) {
  testing::TempDir dir;
  const std::string config = std::string(NEUROMOD_EXAMPLES_DIR) + "/quickstart.yaml";
  const std::vector<std::string> shorter{"learning.steps=1500", "log.eval_every=500", "--out",
                                         (dir / "runs").string()};
  auto arguments = [&](std::vector<std::string> extra) {
    std::vector<std::string> list{"run", config};
    list.insert(list.end(), extra.begin(), extra.end());
    list.insert(list.end(), shorter.begin(), shorter.end());
    return list;
  };
  const auto modulated = run_cli(arguments({}), dir.path());
  const auto twin = run_cli(arguments({"projections=[]", "name=twin"}), dir.path());
  ASSERT_EQ(modulated.exit_code, 0) << modulated.err;
  ASSERT_EQ(twin.exit_code, 0) << twin.err;
  const double with = final_test_accuracy(printed_run_directory(modulated.out));
  const double without = final_test_accuracy(printed_run_directory(twin.out));
  EXPECT_GT(with, 0.80);
  EXPECT_LT(without, 0.55);  // it cannot see the context: about half the plain task's accuracy

  const auto compared =
      run_cli({"compare", printed_run_directory(modulated.out).string(),
               printed_run_directory(twin.out).string(), "--out", (dir / "compare").string()},
              dir.path());
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "compare/report.html"));
  EXPECT_TRUE(std::filesystem::exists(dir / "compare/plots/accuracy.png"));
}

double final_metric(const std::filesystem::path& run, const std::string& column) {
  std::istringstream csv(slurp(run / "metrics.csv"));
  std::string header, line, last;
  std::getline(csv, header);
  while (std::getline(csv, line)) last = line;
  std::istringstream header_cells(header), cells(last);
  std::string name, cell;
  while (std::getline(header_cells, name, ',') && std::getline(cells, cell, ',')) {
    if (name == column) return std::stod(cell);
  }
  return NAN;
}

// Differentiable plasticity (Miconi et al. 2018), 50-bit pattern completion: the plastic
// network completes patterns (< 2% bit errors within 20k episodes), the same-size
// non-plastic RNN does not (> 15%).
TEST(Cli, PatternCompletionPlasticNetworkBeatsTheNonPlasticRnn) {
  testing::TempDir dir;
  const std::string examples = std::string(NEUROMOD_EXAMPLES_DIR) + "/plasticity/";
  auto run = [&](const std::string& config) {
    const auto result = run_cli(
        {"run", examples + config, "--quiet", "--out", (dir / "runs").string()}, dir.path());
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return final_metric(printed_run_directory(result.out), "test_bit_error");
  };
  EXPECT_LT(run("pattern_completion_plastic.yaml"), 0.02);
  EXPECT_GT(run("pattern_completion_rnn.yaml"), 0.15);
}

TEST(Cli, EveryExampleConfigIsValid) {
  testing::TempDir dir;
  int checked = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(NEUROMOD_EXAMPLES_DIR))) {
    if (entry.path().extension() != ".yaml") continue;
    const auto result = run_cli({"run", entry.path().string(), "--print-config"}, dir.path());
    EXPECT_EQ(result.exit_code, 0) << entry.path() << ": " << result.err;
    ++checked;
  }
  EXPECT_GE(checked, 11);
}

// Each Backpropamine configuration trains: a few A2C steps at a small size, end to end.
TEST(Cli, BackpropamineConfigsTrainEndToEnd) {
  testing::TempDir dir;
  const std::string examples = std::string(NEUROMOD_EXAMPLES_DIR) + "/plasticity/";
  for (const char* config :
       {"cue_reward_modul.yaml", "cue_reward_modplast.yaml", "cue_reward_plastic.yaml",
        "cue_reward_rnn.yaml", "cue_reward_lstm.yaml", "cue_reward_modplast_lstm.yaml",
        "maze_modul.yaml", "maze_rnn.yaml"}) {
    const auto result = run_cli(
        {"run", examples + config, "layers.0.size=12", "learning.batch_size=2", "learning.steps=4",
         "learning.burn_in=1", "task.episode_length=15", "log.every=2", "log.eval_every=2",
         "checkpoint.every=2", "--quiet", "--out", (dir / "runs").string()},
        dir.path());
    EXPECT_EQ(result.exit_code, 0) << config << ": " << result.err;
    const auto run = printed_run_directory(result.out);
    EXPECT_TRUE(std::isfinite(final_metric(run, "reward"))) << config;
    EXPECT_TRUE(std::isfinite(final_metric(run, "test_reward"))) << config;
  }
}

TEST(Cli, ListAndVersion) {
  testing::TempDir dir;
  const auto list = run_cli({"list"}, dir.path());
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_TRUE(contains(list.out, "fashion_mnist"));
  EXPECT_TRUE(contains(list.out, "linear"));
  for (const char* category : {"modulators", "sources", "receptors", "effects", "layers"}) {
    const auto listed = run_cli({"list", category}, dir.path());
    EXPECT_EQ(listed.exit_code, 0) << category;
    EXPECT_GT(std::count(listed.out.begin(), listed.out.end(), '\n'), 4) << category;
  }
  EXPECT_TRUE(contains(run_cli({"list", "receptors"}, dir.path()).out, "5-HT2A"));
  const auto keys = run_cli({"list", "config"}, dir.path());
  EXPECT_TRUE(contains(keys.out, "learning.lr"));
  EXPECT_TRUE(contains(keys.out, "layers[].activation"));
  const auto version = run_cli({"version"}, dir.path());
  EXPECT_EQ(version.exit_code, 0);
  for (const char* field : {"neuromod: ", "libtorch: ", "compiler: ", "blas: ", "threads: "}) {
    EXPECT_TRUE(contains(version.out, field)) << field;
  }
  for (const char* verb : {"run", "list", "version"}) {
    const auto help = run_cli({verb, "--help"}, dir.path());
    EXPECT_EQ(help.exit_code, 0) << verb;
    EXPECT_TRUE(contains(help.out, "Example")) << verb;
  }
}

}  // namespace
}  // namespace neuromod
