#include "neuromod/report/compare_report.h"

#include <gtest/gtest.h>

#include "support/report_files.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using neuromod::report::CompareOptions;
using neuromod::report::default_compare_dir;
using neuromod::report::write_compare_report;

using neuromod::testing::outgoing_links;
using neuromod::testing::percent_decode;
using neuromod::testing::read_file;
using TempDir = neuromod::testing::TempRunDir;

namespace {

std::string table_row(const std::string& html, const std::string& label) {
  const std::size_t start = html.find("</span>" + label + "</td>");
  if (start == std::string::npos) return "";
  return html.substr(start, html.find("</tr>", start) - start);
}

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// Two runs of one config (so their names clash) in runs/, the second with an extra test metric;
// the first also has its own report.html.
struct TwoRuns {
  TempDir root;
  fs::path first = root.path() / "runs" / "quickstart-20261203-101500";
  fs::path second = root.path() / "runs" / "quickstart-20261203-113000";

  TwoRuns() {
    root.write("runs/quickstart-20261203-101500/config.yaml", "name: quickstart\nseed: 1\n");
    root.write("runs/quickstart-20261203-101500/metrics.csv",
               "step,loss,accuracy\n0,2.3,0.1\n100,1.2,0.6\n200,0.8,0.75\n");
    root.write("runs/quickstart-20261203-101500/report.html", "<html></html>\n");
    root.write("runs/quickstart-20261203-113000/config.yaml", "name: quickstart\nseed: 2\n");
    root.write("runs/quickstart-20261203-113000/metrics.csv",
               "step,loss,accuracy,test_accuracy\n0,2.2,0.12,\n100,1.1,0.62,0.58\n"
               "200,0.7,0.8,\n300,0.6,0.85,0.81\n");
  }
};

TEST(CompareReport, TableHoldsEachRunsLabelAndFinalValues) {
  TwoRuns runs;
  CompareOptions options;
  options.runs = {runs.first, runs.second};
  options.labels = {"baseline", "twin"};
  options.out = runs.root.path() / "runs" / "compare-test";
  const fs::path report = write_compare_report(options);

  EXPECT_EQ(report, options.out / "report.html");
  ASSERT_TRUE(fs::is_regular_file(report));
  const std::string html = read_file(report);
  EXPECT_NE(html.find("<h1>Comparison of 2 runs</h1>"), std::string::npos);

  const std::string baseline = table_row(html, "baseline");
  const std::string twin = table_row(html, "twin");
  ASSERT_FALSE(baseline.empty()) << html;
  ASSERT_FALSE(twin.empty()) << html;
  // Columns: loss, accuracy, test_accuracy (the union, in order of first appearance).
  EXPECT_NE(baseline.find("<td class=\"num\">0.8 <span class=\"step\">step 200</span></td>"
                          "<td class=\"num\">0.75 <span class=\"step\">step 200</span></td>"
                          "<td></td>"),
            std::string::npos)
      << baseline;
  EXPECT_NE(twin.find("<td class=\"num\">0.6 <span class=\"step\">step 300</span></td>"
                      "<td class=\"num\">0.85 <span class=\"step\">step 300</span></td>"
                      "<td class=\"num\">0.81 <span class=\"step\">step 300</span></td>"),
            std::string::npos)
      << twin;
  EXPECT_NE(html.find("<th>test_accuracy</th>"), std::string::npos);
}

TEST(CompareReport, WritesOnePlotPerMetricGroupAndInlinesIt) {
  TwoRuns runs;
  CompareOptions options;
  options.runs = {runs.first, runs.second};
  options.out = runs.root.path() / "compare";
  const std::string html = read_file(write_compare_report(options));

  for (const std::string file :
       {"plots/loss.png", "plots/loss.svg", "plots/accuracy.png", "plots/accuracy.svg"}) {
    EXPECT_TRUE(fs::is_regular_file(options.out / file)) << file;
  }
  EXPECT_FALSE(fs::exists(options.out / "plots/test_accuracy.png"))
      << "test_accuracy shares accuracy's plot";
  // Two inline figures: loss and accuracy.
  std::size_t svgs = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 2u);
  EXPECT_NE(html.find("<figure id=\"curve-accuracy\">"), std::string::npos);

  // The PNG at the documented size: signature, then IHDR with width and height.
  const std::string png = read_file(options.out / "plots/accuracy.png");
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian_u32(png, 16), 1440u);
  EXPECT_EQ(big_endian_u32(png, 20), 800u);
}

TEST(CompareReport, DefaultLabelsAreConfigNamesMadeDistinctByDirectory) {
  TwoRuns runs;
  TempDir other;
  other.write("solo/config.yaml", "name: solo-net\n");
  other.write("solo/metrics.csv", "step,loss\n0,1.5\n");
  CompareOptions options;
  options.runs = {runs.first, runs.second, other.path() / "solo"};
  options.out = runs.root.path() / "compare";
  const std::string html = read_file(write_compare_report(options));

  EXPECT_NE(html.find("<h1>Comparison of 3 runs</h1>"), std::string::npos);
  EXPECT_FALSE(table_row(html, "quickstart (quickstart-20261203-101500)").empty()) << html;
  EXPECT_FALSE(table_row(html, "quickstart (quickstart-20261203-113000)").empty()) << html;
  EXPECT_FALSE(table_row(html, "solo-net").empty()) << html;
}

TEST(CompareReport, EveryLinkIsRelativeAndPointsToAFileThatExists) {
  TwoRuns runs;
  CompareOptions options;
  options.runs = {runs.first, runs.second};
  options.out = runs.root.path() / "runs" / "compare-test";
  const std::string html = read_file(write_compare_report(options));

  const auto links = outgoing_links(html);
  ASSERT_FALSE(links.empty());
  bool links_run_report = false;
  for (const auto& link : links) {
    EXPECT_EQ(link.find("://"), std::string::npos) << "external asset: " << link;
    EXPECT_NE(link.front(), '/') << "absolute link: " << link;
    EXPECT_TRUE(fs::exists(options.out / percent_decode(link))) << "dangling link: " << link;
    if (link == "../quickstart-20261203-101500/report.html") links_run_report = true;
  }
  EXPECT_TRUE(links_run_report) << "the first run's report.html is linked";
  EXPECT_NE(html.find("plots/loss.png"), std::string::npos);
  EXPECT_EQ(html.find("quickstart-20261203-113000/report.html"), std::string::npos)
      << "the second run has no report to link to";
}

TEST(CompareReport, RewritingLeavesNoTemporaryFile) {
  TwoRuns runs;
  CompareOptions options;
  options.runs = {runs.first};
  options.out = runs.root.path() / "compare";
  write_compare_report(options);
  const std::string html = read_file(write_compare_report(options));
  EXPECT_NE(html.find("<h1>Comparison of 1 run</h1>"), std::string::npos);
  for (const auto& entry : fs::directory_iterator(options.out)) {
    EXPECT_TRUE(entry.path().filename() == "report.html" || entry.path().filename() == "plots")
        << entry.path();
  }
}

// Runs `options` and expects an exception of type E whose message contains `needle`, and an
// output directory that was never made.
template <typename E>
void expect_rejected(const CompareOptions& options, const std::string& needle) {
  try {
    write_compare_report(options);
    ADD_FAILURE() << "expected an error naming " << needle;
  } catch (const E& error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(options.out)) << "nothing is written for bad input";
}

TEST(CompareReport, MissingRunDirectoryIsNamedAndNothingIsWritten) {
  TwoRuns runs;
  CompareOptions options;
  const fs::path missing = runs.root.path() / "runs" / "no-such-run";
  options.runs = {runs.first, missing};
  options.out = runs.root.path() / "compare";
  expect_rejected<std::runtime_error>(options, missing.string());
}

TEST(CompareReport, RunWithoutMetricsIsNamedAndNothingIsWritten) {
  TwoRuns runs;
  fs::remove(runs.second / "metrics.csv");
  CompareOptions options;
  options.runs = {runs.first, runs.second};
  options.out = runs.root.path() / "compare";
  expect_rejected<std::runtime_error>(options, (runs.second / "metrics.csv").string());
}

TEST(CompareReport, LabelCountMustMatchRunCount) {
  TwoRuns runs;
  CompareOptions options;
  options.runs = {runs.first, runs.second};
  options.labels = {"only-one"};
  options.out = runs.root.path() / "compare";
  expect_rejected<std::invalid_argument>(options, "1 labels for 2 runs");
}

TEST(CompareReport, NoRunsIsAnError) {
  TempDir root;
  CompareOptions options;
  options.out = root.path() / "compare";
  expect_rejected<std::invalid_argument>(options, "at least one run");
}

TEST(CompareReport, DefaultDirectoryIsTimestampedUnderRoot) {
  const fs::path dir = default_compare_dir("runs");
  EXPECT_EQ(dir.parent_path(), fs::path("runs"));
  EXPECT_TRUE(std::regex_match(dir.filename().string(), std::regex("compare-\\d{8}-\\d{6}")))
      << dir;
}

}  // namespace

namespace {

// Three seeds of "modul" and two of "rnn", each logging test_reward at steps 0, 100, 200.
struct Replicates {
  TempDir root;
  std::vector<fs::path> runs;
  Replicates() {
    const std::vector<std::pair<std::string, std::vector<double>>> finals = {
        {"modul", {0.0, 5.0, 9.0}},
        {"modul", {0.0, 6.0, 10.0}},
        {"modul", {0.0, 7.0, 14.0}},
        {"rnn", {0.0, 1.0, 1.0}},
        {"rnn", {0.0, 2.0, 3.0}}};
    for (std::size_t i = 0; i < finals.size(); ++i) {
      const std::string dir = "runs/" + finals[i].first + "-" + std::to_string(i);
      root.write(dir + "/config.yaml", "name: " + finals[i].first + "\n");
      std::string csv = "step,test_reward\n";
      for (std::size_t s = 0; s < 3; ++s) {
        csv += std::to_string(100 * s) + "," + std::to_string(finals[i].second[s]) + "\n";
      }
      root.write(dir + "/metrics.csv", csv);
      runs.push_back(root.path() / dir);
    }
  }
};

TEST(CompareReport, RunsOfOneNameAreReplicatesSummarisedByMedianAndQuartiles) {
  Replicates replicates;
  CompareOptions options;
  options.runs = replicates.runs;
  options.group_by_name = true;
  options.out = replicates.root.path() / "compare";
  const std::string html = read_file(write_compare_report(options));

  ASSERT_NE(html.find("id=\"replicates\""), std::string::npos);
  const std::string modul = html.substr(html.find("id=\"replicates\""));
  // modul's finals 9, 10, 14: median 10, quartiles 9.5 and 12, mean 11 ± sem 1.52753.
  EXPECT_NE(modul.find("10 [9.5, 12]<span class=\"step\">11 &plusmn; 1.52753 (n=3)"),
            std::string::npos)
      << modul;
  EXPECT_NE(modul.find("2 [1.5, 2.5]"), std::string::npos) << modul;  // rnn: 1, 3
  EXPECT_NE(html.find("modul-2"), std::string::npos);  // every run still has its own row
  EXPECT_TRUE(fs::is_regular_file(options.out / "plots" / "reward.png"));
}

TEST(CompareReport, DistinctLabelsDrawOneLinePerRunAndNoReplicateTable) {
  Replicates replicates;
  CompareOptions options;
  options.runs = replicates.runs;
  options.out = replicates.root.path() / "compare";
  const std::string html = read_file(write_compare_report(options));
  EXPECT_EQ(html.find("id=\"replicates\""), std::string::npos);
}

}  // namespace
