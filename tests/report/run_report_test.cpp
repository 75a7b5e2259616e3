#include "neuromod/report/run_report.h"

#include <gtest/gtest.h>

#include "support/report_files.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>

namespace fs = std::filesystem;
using neuromod::report::metric_group;
using neuromod::report::write_run_report;

using neuromod::testing::outgoing_links;
using neuromod::testing::percent_decode;
using neuromod::testing::read_file;
using neuromod::testing::TempRunDir;

namespace {

void write_complete_run(const TempRunDir& run) {
  run.write("config.yaml", "name: mlp <fashion> & co\nseed: 3\ntrain:\n  steps: 300\n  lr: 0.01\n");
  run.write("meta.json", R"({"neuromod_version": "0.1.0", "libtorch_version": "1.13.1",
    "seed": 3, "threads": 2, "status": "finished", "wall_seconds": 75.5,
    "command_line": ["neuromod", "run", "my config.yaml"], "custom_field": 42})");
  run.write("log.txt", "step 0\n");
  std::string csv = "step,loss,accuracy,test_loss,test_accuracy\n";
  for (int step = 0; step <= 300; step += 10) {
    const double loss = 2.0 - step / 200.0;
    csv += std::to_string(step) + "," + std::to_string(loss) + "," + std::to_string(step / 400.0) +
           ",";
    csv += step % 100 == 0 ? std::to_string(loss + 0.25) + "," + std::to_string(step / 500.0)
                           : std::string(",");
    csv += "\n";
  }
  csv += "310,0.375,0.8,,\n";
  // Hand-written last test values, so that the expected table cells are exact.
  csv += "320,0.25,0.8125,0.5,0.91\n";
  csv += "330,0.125,,,\n";
  run.write("metrics.csv", csv);
  fs::create_directories(run.path() / "checkpoints");
}

}  // namespace

TEST(MetricGroup, StripsOneKnownPrefix) {
  EXPECT_EQ(metric_group("loss"), "loss");
  EXPECT_EQ(metric_group("train_loss"), "loss");
  EXPECT_EQ(metric_group("test_loss"), "loss");
  EXPECT_EQ(metric_group("eval_accuracy"), "accuracy");
  EXPECT_EQ(metric_group("val_accuracy"), "accuracy");
  EXPECT_EQ(metric_group("test_val_x"), "val_x");
  EXPECT_EQ(metric_group("validation_loss"), "validation_loss");
  EXPECT_EQ(metric_group("test_"), "test_");
}

TEST(WriteRunReport, WritesPlotsAndAPageWithFinalMetrics) {
  TempRunDir run;
  write_complete_run(run);
  const fs::path report = write_run_report(run.path());
  EXPECT_EQ(report, run.path() / "report.html");
  ASSERT_TRUE(fs::is_regular_file(report));

  for (const char* plot :
       {"plots/loss.png", "plots/loss.svg", "plots/accuracy.png", "plots/accuracy.svg"}) {
    EXPECT_TRUE(fs::is_regular_file(run.path() / plot)) << plot;
  }
  EXPECT_FALSE(fs::exists(run.path() / "plots/test_loss.png")) << "test_loss shares loss' plot";

  const std::string html = read_file(report);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("mlp &lt;fashion&gt; &amp; co"), std::string::npos) << "escaped run name";
  EXPECT_EQ(html.find("mlp <fashion>"), std::string::npos) << "config must be HTML-escaped";
  EXPECT_NE(html.find("<pre>name: mlp &lt;fashion&gt; &amp; co\nseed: 3\n"), std::string::npos);
  EXPECT_NE(html.find("<th>libtorch_version</th><td>1.13.1</td>"), std::string::npos);
  EXPECT_NE(html.find("<th>custom_field</th><td>42</td>"), std::string::npos);
  EXPECT_NE(html.find("neuromod run &#39;my config.yaml&#39;"), std::string::npos);

  // Last non-empty value of each column, with its step.
  EXPECT_NE(html.find("<tr><td>loss</td><td class=\"num\">0.125</td><td class=\"num\">330</td>"),
            std::string::npos);
  EXPECT_NE(
      html.find("<tr><td>accuracy</td><td class=\"num\">0.8125</td><td class=\"num\">320</td>"),
      std::string::npos);
  EXPECT_NE(html.find("<tr><td>test_loss</td><td class=\"num\">0.5</td><td class=\"num\">320</td>"),
            std::string::npos);
  EXPECT_NE(
      html.find("<tr><td>test_accuracy</td><td class=\"num\">0.91</td><td class=\"num\">320</td>"),
      std::string::npos);

  EXPECT_EQ(std::count(html.begin(), html.end(), '\0'), 0);
  std::size_t inline_svgs = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    ++inline_svgs;
  }
  EXPECT_EQ(inline_svgs, 2u) << "one inline plot per metric group";
}

TEST(WriteRunReport, EveryLinkIsRelativeAndPointsToAFileThatExists) {
  TempRunDir run;
  write_complete_run(run);
  const std::string html = read_file(write_run_report(run.path()));

  const auto links = outgoing_links(html);
  const std::set<std::string> unique(links.begin(), links.end());
  for (const auto& link : unique) {
    EXPECT_EQ(link.find("://"), std::string::npos) << "external asset " << link;
    EXPECT_NE(link.front(), '/') << "absolute link " << link;
    EXPECT_TRUE(fs::exists(run.path() / percent_decode(link))) << "dangling link " << link;
  }
  for (const char* expected : {"config.yaml", "meta.json", "log.txt", "metrics.csv",
                               "plots/loss.png", "plots/accuracy.png", "checkpoints/"}) {
    EXPECT_EQ(unique.count(expected), 1u) << expected;
  }
  EXPECT_EQ(unique.count("metrics.jsonl"), 0u) << "absent files are not listed";
}

TEST(WriteRunReport, InlinePlotsDoNotShareIds) {
  TempRunDir run;
  write_complete_run(run);
  const std::string html = read_file(write_run_report(run.path()));
  std::map<std::string, int> ids;
  const std::regex pattern(" id=\"([^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), pattern), end; it != end; ++it) {
    ++ids[(*it)[1]];
  }
  ASSERT_FALSE(ids.empty());
  for (const auto& [id, count] : ids) EXPECT_EQ(count, 1) << "duplicate id " << id;
}

TEST(WriteRunReport, RewritingReplacesThePageAndLeavesNoTemporaryFile) {
  TempRunDir run;
  write_complete_run(run);
  write_run_report(run.path());
  run.write("metrics.csv", "step,loss\n0,1\n7,0.0625\n");
  const std::string html = read_file(write_run_report(run.path()));
  EXPECT_NE(html.find("<tr><td>loss</td><td class=\"num\">0.0625</td><td class=\"num\">7</td>"),
            std::string::npos);
  for (const auto& entry : fs::directory_iterator(run.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(name.find("tmp"), std::string::npos) << "left behind: " << name;
  }
}

TEST(WriteRunReport, RunWithoutMetricsOrMetaStillGetsAPage) {
  TempRunDir run;
  run.write("config.yaml", "name: early-stop\n");
  const std::string html = read_file(write_run_report(run.path()));
  EXPECT_NE(html.find("early-stop"), std::string::npos);
  EXPECT_NE(html.find("No metrics.csv"), std::string::npos);
  EXPECT_NE(html.find("No meta.json"), std::string::npos);
  EXPECT_FALSE(fs::exists(run.path() / "plots"));
  for (const auto& link : outgoing_links(html)) {
    EXPECT_TRUE(fs::exists(run.path() / percent_decode(link))) << "dangling link " << link;
  }
}

TEST(WriteRunReport, EmptyRunDirectoryIsNamedAfterItself) {
  TempRunDir run;
  const std::string html = read_file(write_run_report(run.path()));
  EXPECT_NE(html.find(run.path().filename().string()), std::string::npos);
  EXPECT_NE(html.find("No config.yaml"), std::string::npos);
}

TEST(WriteRunReport, MalformedFilesAreReportedOnThePage) {
  TempRunDir run;
  run.write("config.yaml", "name: [unclosed\n");
  run.write("meta.json", "{\"seed\": ");
  run.write("metrics.csv", "step,loss\n0,1\n1,2,3\n");
  const std::string html = read_file(write_run_report(run.path()));
  EXPECT_NE(html.find("config.yaml does not parse"), std::string::npos);
  EXPECT_NE(html.find("meta.json does not parse"), std::string::npos);
  EXPECT_NE(html.find("metrics.csv:3:"), std::string::npos) << "the page names the bad line";
}

TEST(WriteRunReport, MissingRunDirectoryIsNamed) {
  const fs::path missing = fs::temp_directory_path() / "neuromod_no_such_run_5c1e";
  try {
    write_run_report(missing);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
}
