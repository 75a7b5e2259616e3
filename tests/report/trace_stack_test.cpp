#include "neuromod/report/trace_stack.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "report/figure_test_support.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using neuromod::report::EventKind;
using neuromod::report::render_svg_string;
using neuromod::report::Rgb;
using neuromod::report::TracePanel;
using neuromod::report::TraceStack;
using neuromod::report::write_png;
using neuromod::report::write_svg;
using neuromod::testing::count_occurrences;
using neuromod::testing::expect_inline_svg;
using neuromod::testing::Image;
using neuromod::testing::TempDir;
using neuromod::testing::throws_invalid_argument_naming;

namespace {

constexpr Rgb kRed{1.0, 0.0, 0.0};
constexpr Rgb kGreen{0.0, 1.0, 0.0};
constexpr Rgb kBlue{0.0, 0.0, 1.0};
constexpr Rgb kMagenta{1.0, 0.0, 1.0};

// Three panels of slowly varying traces in red, green and blue over 0..10 s, and one kind of
// event ("reward", magenta) at 2, 5 and 8 s.
TraceStack modulators() {
  TraceStack stack;
  stack.title = "modulators";
  stack.x_label = "time (s)";
  std::vector<double> time;
  std::vector<double> da;
  std::vector<double> serotonin;
  std::vector<double> ne;
  for (int i = 0; i <= 100; ++i) {
    time.push_back(0.1 * i);
    da.push_back(0.1 * i);
    serotonin.push_back(1.0 - 0.05 * i);
    ne.push_back(i % 20 < 10 ? 0.2 : 0.8);
  }
  stack.panels.push_back({"DA (a.u.)", time, da});
  stack.panels.push_back({"5-HT (a.u.)", time, serotonin});
  stack.panels.push_back({"NE (a.u.)", time, ne});
  stack.panels[0].series[0].color = kRed;
  stack.panels[1].series[0].color = kGreen;
  stack.panels[2].series[0].color = kBlue;
  stack.events.push_back({"reward", {2.0, 5.0, 8.0}});
  stack.events[0].color = kMagenta;
  return stack;
}

}  // namespace

TEST(TraceStack, WritesAPngOfTheRequestedSize) {
  TempDir dir;
  write_png(modulators(), dir / "stack.png", 900, 700);
  const Image image(dir / "stack.png");
  EXPECT_EQ(image.width(), 900);
  EXPECT_EQ(image.height(), 700);
}

TEST(TraceStack, StacksPanelsTopToBottomAboveTheEventTrack) {
  TempDir dir;
  TraceStack stack = modulators();
  stack.event_guides = false;  // so that every magenta pixel is an event tick
  write_png(stack, dir / "stack.png", 1440, 1000);
  const Image image(dir / "stack.png");
  const Image::Found red = image.find(kRed);
  const Image::Found green = image.find(kGreen);
  const Image::Found blue = image.find(kBlue);
  const Image::Found ticks = image.find(kMagenta);
  ASSERT_GT(red.count, 0u);
  ASSERT_GT(green.count, 0u);
  ASSERT_GT(blue.count, 0u);
  ASSERT_GT(ticks.count, 0u);
  EXPECT_LT(red.mean_y, green.mean_y);
  EXPECT_LT(green.mean_y, blue.mean_y);
  EXPECT_LT(blue.mean_y, ticks.mean_y) << "the event track lies under the panels";
  // One time axis: the DA trace spans 0..10 s, the first and last rewards are at 2 and 8 s.
  const double seconds = (red.max_x - red.min_x) / 10.0;
  EXPECT_NEAR(ticks.min_x, red.min_x + 2.0 * seconds, 8.0);  // edges of lines and caps
  EXPECT_NEAR(ticks.max_x, red.min_x + 8.0 * seconds, 8.0);
}

TEST(TraceStack, EventGuidesRunThroughEveryPanel) {
  const std::string magenta = "stroke:rgb(100%,0%,100%)";
  TraceStack stack = modulators();
  // One path of guides per panel, and the ticks of the track.
  EXPECT_EQ(count_occurrences(render_svg_string(stack), magenta), 4u);
  stack.event_guides = false;
  EXPECT_EQ(count_occurrences(render_svg_string(stack), magenta), 1u);
}

TEST(TraceStack, EventKindsWithoutEventsPanelsWithoutDataAndEmptyStacks) {
  TempDir dir;
  TraceStack quiet = modulators();
  quiet.events.push_back(EventKind{"cue", {}});
  EXPECT_NO_THROW(write_png(quiet, dir / "quiet.png"));

  TraceStack nans = modulators();
  nans.panels[1].series[0].y.assign(101, std::numeric_limits<double>::quiet_NaN());
  EXPECT_NO_THROW(write_png(nans, dir / "nans.png"));

  TraceStack panels_only = modulators();
  panels_only.events.clear();
  EXPECT_NO_THROW(write_png(panels_only, dir / "panels_only.png"));

  TraceStack events_only;
  events_only.events.push_back({"cue", {1.0, 2.0}});
  EXPECT_NO_THROW(write_png(events_only, dir / "events_only.png"));

  EXPECT_NO_THROW(write_png(TraceStack{}, dir / "empty.png"));
}

TEST(TraceStack, NamedSeriesGetALegendInTheirPanel) {
  TraceStack plain = modulators();
  TraceStack named = modulators();
  named.panels[0].series[0].name = "mean";
  // The swatch is one more stroke in the trace's colour.
  EXPECT_EQ(count_occurrences(render_svg_string(named), "stroke:rgb(100%,0%,0%)"),
            count_occurrences(render_svg_string(plain), "stroke:rgb(100%,0%,0%)") + 1);
}

TEST(TraceStack, WritesAnSvgAndAnInlineSvgWithPrefixedIds) {
  TempDir dir;
  write_svg(modulators(), dir / "stack.svg", 640, 480);
  const std::string svg = neuromod::testing::read_whole_file(dir / "stack.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("viewBox=\"0 0 640 480\""), std::string::npos);
  EXPECT_NE(svg.find("<title>modulators</title>"), std::string::npos);

  expect_inline_svg(render_svg_string(modulators(), 720, 500, "t-"), "modulators", "t-");
}

TEST(TraceStack, RejectsMalformedInputNamingTheField) {
  TempDir dir;
  const auto png = [&](const TraceStack& stack) {
    return [&dir, stack] { write_png(stack, dir / "bad.png"); };
  };
  TraceStack lengths = modulators();
  lengths.panels[2].series[0].x.pop_back();
  EXPECT_TRUE(throws_invalid_argument_naming(png(lengths), "panel 2 \"NE (a.u.)\""));

  TraceStack band = modulators();
  band.panels[0].series[0].band_low = {0.0};
  EXPECT_TRUE(throws_invalid_argument_naming(png(band), "band_low"));

  TraceStack y_range = modulators();
  y_range.panels[1].y_min = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(throws_invalid_argument_naming(png(y_range), "y_min"));

  TraceStack x_range = modulators();
  x_range.x_min = 5.0;
  x_range.x_max = 5.0;
  EXPECT_TRUE(throws_invalid_argument_naming(png(x_range), "x_min must be below x_max"));

  EXPECT_TRUE(
      throws_invalid_argument_naming([] { render_svg_string(modulators(), 20000, 400); }, "size"));
  EXPECT_FALSE(fs::exists(dir / "bad.png"));
}
