#include "neuromod/report/metrics_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using neuromod::report::MetricsCsvError;
using neuromod::report::MetricsTable;

namespace {

MetricsTable parse(const std::string& text, const std::string& source = "metrics.csv") {
  std::istringstream in(text);
  return MetricsTable::parse_csv(in, source);
}

// Parses `text`, expecting it to be malformed at `line`; returns the message.
std::string parse_error(const std::string& text, std::size_t line) {
  try {
    parse(text, "runs/x/metrics.csv");
  } catch (const MetricsCsvError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.source(), "runs/x/metrics.csv");
    const std::string where = "runs/x/metrics.csv:" + std::to_string(line) + ":";
    EXPECT_EQ(std::string(e.what()).rfind(where, 0), 0u) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no MetricsCsvError for:\n" << text;
  return "";
}

}  // namespace

TEST(MetricsTable, ReadsColumnsStepsAndValues) {
  const auto table = parse(
      "step,loss,accuracy\n"
      "0,2.5,0.1\n"
      "10,1.25,0.5\n"
      "20,0.5,0.75\n");
  EXPECT_EQ(table.columns(), (std::vector<std::string>{"loss", "accuracy"}));
  EXPECT_EQ(table.steps(), (std::vector<std::int64_t>{0, 10, 20}));
  EXPECT_EQ(table.rows(), 3u);
  EXPECT_EQ(table.values("loss"), (std::vector<double>{2.5, 1.25, 0.5}));
  EXPECT_EQ(table.values("accuracy"), (std::vector<double>{0.1, 0.5, 0.75}));
  EXPECT_TRUE(table.has_column("loss"));
  EXPECT_FALSE(table.has_column("step"));
}

TEST(MetricsTable, EmptyCellsBecomeNaNAndAreSkippedByLastValue) {
  const auto table = parse(
      "step,loss,test_loss\n"
      "0,2.0,2.2\n"
      "100,1.0,\n"
      "200,0.5,0.7\n"
      "300,0.25,\n");
  const auto& test_loss = table.values("test_loss");
  ASSERT_EQ(test_loss.size(), 4u);
  EXPECT_DOUBLE_EQ(test_loss[0], 2.2);
  EXPECT_TRUE(std::isnan(test_loss[1]));
  EXPECT_DOUBLE_EQ(test_loss[2], 0.7);
  EXPECT_TRUE(std::isnan(test_loss[3]));

  const auto last = table.last_value("test_loss");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->step, 200);
  EXPECT_DOUBLE_EQ(last->value, 0.7);
  EXPECT_EQ(table.last_value("loss")->step, 300);
}

TEST(MetricsTable, ColumnWithNoValuesHasNoLastValue) {
  const auto table = parse("step,a,b\n0,1,\n1,2,\n");
  EXPECT_FALSE(table.last_value("b").has_value());
}

TEST(MetricsTable, ExplicitNaNAndInfAreValues) {
  // A diverged run logs nan; its last value must say so rather than show an older number.
  const auto table = parse("step,loss,grad\n0,1.5,inf\n1,nan,-inf\n2,,1e-3\n");
  const auto last = table.last_value("loss");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->step, 1);
  EXPECT_TRUE(std::isnan(last->value));
  EXPECT_EQ(table.values("grad")[0], std::numeric_limits<double>::infinity());
  EXPECT_EQ(table.values("grad")[1], -std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(table.values("grad")[2], 0.001);
}

TEST(MetricsTable, ToleratesSpacesCrlfAndBlankLines) {
  const auto table = parse("step, loss ,acc\r\n0, -1.5e2 ,+0.25\r\n\r\n5,3,\r\n\n");
  EXPECT_EQ(table.columns(), (std::vector<std::string>{"loss", "acc"}));
  EXPECT_EQ(table.steps(), (std::vector<std::int64_t>{0, 5}));
  EXPECT_DOUBLE_EQ(table.values("loss")[0], -150.0);
  EXPECT_DOUBLE_EQ(table.values("acc")[0], 0.25);
  EXPECT_TRUE(std::isnan(table.values("acc")[1]));
}

TEST(MetricsTable, HeaderOnlyHasColumnsAndNoRows) {
  const auto table = parse("step,loss\n");
  EXPECT_EQ(table.columns(), (std::vector<std::string>{"loss"}));
  EXPECT_EQ(table.rows(), 0u);
  EXPECT_FALSE(table.last_value("loss").has_value());
}

TEST(MetricsTable, MalformedTextNamesFileAndLine) {
  EXPECT_NE(parse_error("step,loss\n0,1\n1,2,3\n", 3).find("expected 2 cells"), std::string::npos);
  EXPECT_NE(parse_error("step,loss\n0,1\n1,abc\n", 3).find("\"loss\""), std::string::npos);
  parse_error("step,loss\n0,1\n1,0.5x\n", 3);
  parse_error("step,loss\n0.5,1\n", 2);
  parse_error("step,loss\n,1\n", 2);
  parse_error("loss,step\n1,0\n", 1);
  parse_error("step,loss,loss\n", 1);
  parse_error("step,,acc\n", 1);
  parse_error("", 1);
  parse_error("\n\n", 1);
}

TEST(MetricsTable, UnknownColumnIsNamed) {
  const auto table = parse("step,loss\n0,1\n");
  try {
    table.values("accuracy");
    FAIL() << "expected std::out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("accuracy"), std::string::npos);
  }
  EXPECT_THROW(table.last_value("accuracy"), std::out_of_range);
}

TEST(MetricsTable, ReadCsvNamesTheFile) {
  const fs::path dir = fs::temp_directory_path() /
                       ("neuromod_metrics_table_test_" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  const fs::path good = dir / "good.csv";
  const fs::path bad = dir / "bad.csv";
  std::ofstream(good) << "step,loss\n0,1.5\n1,\n";
  std::ofstream(bad) << "step,loss\n0,1.5\n1,2,3\n";

  const auto table = MetricsTable::read_csv(good);
  EXPECT_EQ(table.rows(), 2u);
  EXPECT_DOUBLE_EQ(table.last_value("loss")->value, 1.5);

  try {
    MetricsTable::read_csv(bad);
    ADD_FAILURE() << "expected MetricsCsvError";
  } catch (const MetricsCsvError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(bad.string() + ":3:", 0), 0u) << e.what();
  }
  try {
    MetricsTable::read_csv(dir / "missing.csv");
    ADD_FAILURE() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "missing.csv").string()), std::string::npos);
  }
  fs::remove_all(dir);
}
