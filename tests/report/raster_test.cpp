#include "neuromod/report/raster.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "report/figure_test_support.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using neuromod::report::Raster;
using neuromod::report::render_svg_string;
using neuromod::report::Rgb;
using neuromod::report::write_png;
using neuromod::report::write_svg;
using neuromod::testing::count_occurrences;
using neuromod::testing::expect_inline_svg;
using neuromod::testing::Image;
using neuromod::testing::TempDir;
using neuromod::testing::throws_invalid_argument_naming;

namespace {

constexpr Rgb kRed{1.0, 0.0, 0.0};
constexpr Rgb kBlue{0.0, 0.0, 1.0};

// Two units in two groups of their own colours: unit 0 (red) fires at 0.25, unit 1 (blue) at
// 0.75, on a time axis from 0 to 1.
Raster two_units() {
  Raster raster;
  raster.title = "two units";
  raster.x_label = "time (s)";
  raster.y_label = "unit";
  raster.events = {{0.25}, {0.75}};
  raster.groups = {{"red", kRed}, {"blue", kBlue}};
  raster.unit_groups = {0, 1};
  raster.x_min = 0.0;
  raster.x_max = 1.0;
  return raster;
}

}  // namespace

TEST(Raster, WritesAPngOfTheRequestedSize) {
  TempDir dir;
  write_png(two_units(), dir / "raster.png", 800, 500);
  const Image image(dir / "raster.png");
  EXPECT_EQ(image.width(), 800);
  EXPECT_EQ(image.height(), 500);
}

TEST(Raster, DrawsEachUnitInItsRowAndGroupColour) {
  TempDir dir;
  Raster raster = two_units();
  raster.groups[0].name.clear();  // no legend, so every coloured pixel is a tick
  raster.groups[1].name.clear();
  write_png(raster, dir / "raster.png", 1440, 900);
  const Image image(dir / "raster.png");
  const Image::Found red = image.find(kRed);
  const Image::Found blue = image.find(kBlue);
  ASSERT_GT(red.count, 0u);
  ASSERT_GT(blue.count, 0u);
  EXPECT_GT(red.mean_y, blue.mean_y) << "unit 0 is the bottom row";
  EXPECT_LT(red.mean_x, 0.5 * image.width()) << "unit 0 fires at 0.25 of the axis";
  EXPECT_GT(blue.mean_x, 0.5 * image.width()) << "unit 1 fires at 0.75 of the axis";
}

TEST(Raster, NamedGroupsGetALegendAtTheRight) {
  TempDir dir;
  write_png(two_units(), dir / "raster.png", 1440, 900);
  const Image image(dir / "raster.png");
  const int legend_x = static_cast<int>(0.85 * image.width());
  EXPECT_GT(image.find(kRed, 1.5 / 255, legend_x).count, 0u);
  EXPECT_GT(image.find(kBlue, 1.5 / 255, legend_x).count, 0u);
}

TEST(Raster, HandlesUnitsWithoutEventsAndNoUnits) {
  TempDir dir;
  Raster silent = two_units();
  silent.events = {{}, {}};
  silent.groups[0].name.clear();
  silent.groups[1].name.clear();
  write_png(silent, dir / "silent.png", 1440, 900);
  const Image image(dir / "silent.png");
  EXPECT_EQ(image.find(kRed).count, 0u);
  EXPECT_EQ(image.find(kBlue).count, 0u);

  Raster empty;
  empty.title = "nothing";
  EXPECT_NO_THROW(write_png(empty, dir / "empty.png"));
  EXPECT_NO_THROW(render_svg_string(empty));

  Raster one_time;  // no fixed axis, one finite time and a NaN that is skipped
  one_time.events = {{std::numeric_limits<double>::quiet_NaN(), 3.0}, {}};
  EXPECT_NO_THROW(write_png(one_time, dir / "single.png"));
}

TEST(Raster, DenseRecordingsGiveABoundedSvg) {
  // 50 units × 100000 events: one tick per pixel, not per event.
  Raster raster;
  raster.events.assign(50, std::vector<double>(100000));
  for (auto& times : raster.events) {
    for (std::size_t i = 0; i < times.size(); ++i) times[i] = 1e-4 * i;
  }
  EXPECT_LT(render_svg_string(raster, 720, 450).size(), 2'000'000u);
}

TEST(Raster, WritesAnSvgAndAnInlineSvgWithPrefixedIds) {
  TempDir dir;
  write_svg(two_units(), dir / "raster.svg", 640, 400);
  const std::string svg = neuromod::testing::read_whole_file(dir / "raster.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("viewBox=\"0 0 640 400\""), std::string::npos);
  EXPECT_NE(svg.find("<title>two units</title>"), std::string::npos);

  const std::string inline_svg = render_svg_string(two_units(), 720, 450, "r1-");
  expect_inline_svg(inline_svg, "two units", "r1-");
  EXPECT_EQ(count_occurrences(inline_svg, "stroke:rgb(100%,0%,0%)"), 2u);  // ticks and swatch
}

TEST(Raster, RejectsMalformedInputNamingTheField) {
  TempDir dir;
  const auto png = [&](const Raster& raster) {
    return [&dir, raster] { write_png(raster, dir / "bad.png"); };
  };
  Raster short_groups = two_units();
  short_groups.unit_groups.pop_back();
  EXPECT_TRUE(throws_invalid_argument_naming(png(short_groups), "unit_groups"));

  Raster bad_index = two_units();
  bad_index.unit_groups[1] = 2;
  EXPECT_TRUE(throws_invalid_argument_naming(png(bad_index), "unit_groups[1]"));

  Raster no_groups = two_units();
  no_groups.groups.clear();
  EXPECT_TRUE(throws_invalid_argument_naming(png(no_groups), "unit_groups"));

  Raster range = two_units();
  range.x_max = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(throws_invalid_argument_naming(png(range), "x_max"));
  range.x_max = -1.0;
  EXPECT_TRUE(throws_invalid_argument_naming(png(range), "x_min must be below x_max"));

  EXPECT_TRUE(
      throws_invalid_argument_naming([] { render_svg_string(two_units(), 100, 0); }, "size"));
  EXPECT_FALSE(fs::exists(dir / "bad.png"));
}
