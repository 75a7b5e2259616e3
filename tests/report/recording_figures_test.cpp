#include "neuromod/report/recording_figures.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "neuromod/record/recorder.h"
#include "neuromod/report/run_report.h"
#include "support/report_files.h"

namespace neuromod::report {
namespace {

using testing::read_file;
using testing::TempRunDir;

RecordSignalOptions all_episodes(std::string name) {
  RecordSignalOptions options;
  options.name = std::move(name);
  options.batch.clear();
  return options;
}

// Records `steps` training steps of `times` time steps of a 2-episode recurrent task: DA rises
// with time (level = step + time / 10), rnn has 3 units whose output is the unit index times
// the time step, the trace's |mean| is the time step, and episode 0 is rewarded at times 3 and 7
// (+1) and punished at 5 (−1).
void record_task(const std::filesystem::path& dir, int64_t steps, int64_t times) {
  RecordOptions options;
  options.signals = {all_episodes("modulators/*/level"), all_episodes("layers/rnn/output"),
                     all_episodes("layers/rnn/state/hebb"), all_episodes("task/reward")};
  options.every = 1;
  Recorder recorder(options, dir, steps);
  for (int64_t step = 1; step <= steps; ++step) {
    for (int64_t t = 0; t < times; ++t) {
      const float reward = (t == 3 || t == 7) ? 1.0f : t == 5 ? -1.0f : 0.0f;
      recorder.record(
          step, t,
          {{"modulators/DA/level", torch::full({2, 1}, static_cast<float>(step) + t / 10.0f)},
           {"layers/rnn/output", torch::arange(3, torch::kFloat32).repeat({2, 1}) * t},
           {"layers/rnn/state/hebb", torch::full({2, 3, 3}, -static_cast<float>(t))},
           {"task/reward", torch::tensor({reward, 0.0f})}});
    }
  }
  recorder.flush();
}

const RecordingFigure& figure_named(const std::vector<RecordingFigure>& figures,
                                    const std::string& stem) {
  for (const auto& figure : figures) {
    if (figure.stem == stem) return figure;
  }
  throw std::runtime_error("no figure " + stem);
}

TEST(RecordingFigures, EpisodeStackShowsTheLastStepsFirstEpisodeOverItsRewards) {
  TempRunDir run;
  record_task(run.path() / "recordings", 3, 10);
  std::vector<std::string> notes;
  const auto figures = recording_figures(run.path() / "recordings", notes);
  EXPECT_TRUE(notes.empty());
  ASSERT_EQ(figures.size(), 3u);  // episode, training, activity-rnn

  const auto& stack = std::get<TraceStack>(figure_named(figures, "recorded-episode").figure);
  ASSERT_EQ(stack.panels.size(), 2u);  // DA level, mean |hebb|
  EXPECT_EQ(stack.panels[0].y_label, "DA");
  EXPECT_EQ(stack.panels[1].y_label, "|hebb|");
  const auto& caption = figure_named(figures, "recorded-episode").caption;
  EXPECT_NE(caption.find("modulators/DA/level; layers/rnn/state/hebb (mean |x|)"),
            std::string::npos)
      << caption;
  const auto& da = stack.panels[0].series.at(0);
  ASSERT_EQ(da.y.size(), 10u);
  EXPECT_NEAR(da.y[0], 3.0, 1e-6);  // the last step, time 0
  EXPECT_NEAR(da.y[9], 3.9, 1e-6);
  EXPECT_NEAR(stack.panels[1].series.at(0).y[4], 4.0, 1e-6);
  ASSERT_EQ(stack.events.size(), 2u);
  EXPECT_EQ(stack.events[0].times, (std::vector<double>{3, 7}));
  EXPECT_EQ(stack.events[1].times, (std::vector<double>{5}));
}

TEST(RecordingFigures, TrainingStackAveragesEachRecordedStep) {
  TempRunDir run;
  record_task(run.path() / "recordings", 3, 10);
  std::vector<std::string> notes;
  const auto figures = recording_figures(run.path() / "recordings", notes);
  const auto& stack = std::get<TraceStack>(figure_named(figures, "recorded-training").figure);
  const auto& da = stack.panels.at(0).series.at(0);
  EXPECT_EQ(da.x, (std::vector<double>{1, 2, 3}));
  // Mean of step + t/10 over t = 0..9 and both episodes: step + 0.45.
  EXPECT_NEAR(da.y[0], 1.45, 1e-5);
  EXPECT_NEAR(da.y[2], 3.45, 1e-5);
}

TEST(RecordingFigures, ActivityMapIsUnitsByTime) {
  TempRunDir run;
  record_task(run.path() / "recordings", 2, 6);
  std::vector<std::string> notes;
  const auto figures = recording_figures(run.path() / "recordings", notes);
  const auto& map = std::get<Heatmap>(figure_named(figures, "activity-rnn").figure);
  ASSERT_EQ(map.values.size(), 3u);
  ASSERT_EQ(map.values[0].size(), 6u);
  EXPECT_DOUBLE_EQ(map.values[2][5], 10.0);  // unit 2 at time 5
  EXPECT_DOUBLE_EQ(map.values[0][5], 0.0);
  EXPECT_EQ(map.x_label, "time step");
}

TEST(RecordingFigures, FeedForwardActivityIsUnitsBySample) {
  TempRunDir run;
  RecordOptions options;
  options.signals = {all_episodes("layers/hidden/output")};
  Recorder recorder(options, run.path() / "recordings", 1);
  recorder.record(1, 0,
                  {{"layers/hidden/output", torch::arange(8, torch::kFloat32).reshape({4, 2})}});
  recorder.flush();
  std::vector<std::string> notes;
  const auto figures = recording_figures(run.path() / "recordings", notes);
  ASSERT_EQ(figures.size(), 1u);
  const auto& map = std::get<Heatmap>(figures[0].figure);
  EXPECT_EQ(map.x_label, "recorded sample");
  ASSERT_EQ(map.values.size(), 2u);
  EXPECT_EQ(map.values[1], (std::vector<double>{1, 3, 5, 7}));
}

TEST(RecordingFigures, NoIndexGivesNoFiguresAndABrokenFileIsNoted) {
  TempRunDir run;
  std::vector<std::string> notes;
  EXPECT_TRUE(recording_figures(run.path() / "recordings", notes).empty());
  EXPECT_TRUE(notes.empty());

  record_task(run.path() / "recordings", 2, 4);
  run.write("recordings/modulators.DA.level.npy", "not an npy file");
  const auto figures = recording_figures(run.path() / "recordings", notes);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("modulators/DA/level"), std::string::npos) << notes[0];
  EXPECT_FALSE(figures.empty());  // the others still make figures
}

TEST(RecordingFigures, RunReportShowsThemAndWritesTheirFiles) {
  TempRunDir run;
  record_task(run.path() / "recordings", 2, 8);
  const auto report = write_run_report(run.path());
  const std::string html = read_file(report);
  EXPECT_NE(html.find("id=\"recording-recorded-episode\""), std::string::npos);
  EXPECT_NE(html.find("id=\"recording-activity-rnn\""), std::string::npos);
  for (const std::string stem : {"recorded-episode", "recorded-training", "activity-rnn"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(run.path() / "plots" / (stem + ".png"))) << stem;
    EXPECT_TRUE(std::filesystem::is_regular_file(run.path() / "plots" / (stem + ".svg"))) << stem;
  }
}

}  // namespace
}  // namespace neuromod::report
