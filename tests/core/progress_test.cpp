#include "neuromod/core/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace neuromod {
namespace {

std::string written(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, file)) text += buffer;
  return text;
}

TEST(Progress, StatusLineShowsStepRateEtaAndMetric) {
  Progress progress(ProgressMode::plain, 0, 200);
  const std::string line = progress.status_line(100, "test_accuracy", 0.8123);
  EXPECT_EQ(line.rfind("step 100/200  ", 0), 0u) << line;
  EXPECT_NE(line.find("steps/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA"), std::string::npos) << line;
  EXPECT_NE(line.find("test_accuracy 0.8123"), std::string::npos) << line;
  EXPECT_EQ(progress.status_line(100, "loss", NAN).find("loss"), std::string::npos);
}

TEST(Progress, QuietWritesNothing) {
  std::FILE* file = std::tmpfile();
  Progress progress(ProgressMode::quiet, 0, 10, file);
  for (int step = 1; step <= 10; ++step) progress.update(step, "loss", 1.0);
  progress.finish();
  EXPECT_EQ(written(file), "");
  std::fclose(file);
}

TEST(Progress, PlainWritesWholeLinesAndAlwaysTheLastStep) {
  std::FILE* file = std::tmpfile();
  Progress progress(ProgressMode::plain, 0, 1000, file);
  for (int step = 1; step <= 1000; ++step) progress.update(step, "loss", 0.5);
  progress.finish();
  const std::string text = written(file);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  // Fast steps: only the last one is printed (lines come every few seconds).
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find("step 1000/1000"), std::string::npos);
  std::fclose(file);
}

TEST(Progress, TerminalRedrawsOneLine) {
  std::FILE* file = std::tmpfile();
  Progress progress(ProgressMode::terminal, 0, 3, file);
  progress.update(3, "loss", 0.5);
  progress.finish();
  const std::string text = written(file);
  EXPECT_EQ(text.rfind("\r\033[K", 0), 0u);
  EXPECT_EQ(text.back(), '\n');
  std::fclose(file);
}

}  // namespace
}  // namespace neuromod
