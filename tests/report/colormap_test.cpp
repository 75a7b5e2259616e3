#include "neuromod/report/colormap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report/figure_test_support.h"

using neuromod::report::Colormap;
using neuromod::report::colormap_color;
using neuromod::report::no_data_color;
using neuromod::report::Rgb;
using neuromod::testing::color_near;

namespace {

// CIELAB lightness L* (D65) of an sRGB colour, computed here independently of the library.
double lightness(Rgb c) {
  const auto linear = [](double v) {
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  const double y = 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
  return y > 216.0 / 24389.0 ? 116.0 * std::cbrt(y) - 16.0 : y * 24389.0 / 27.0;
}

Rgb rgb255(double r, double g, double b) {
  return {r / 255.0, g / 255.0, b / 255.0};
}

}  // namespace

TEST(Colormap, ViridisEndsAreTheFirstAndLastTableEntries) {
  EXPECT_TRUE(
      color_near(colormap_color(Colormap::viridis, 0.0), {0.267004, 0.004874, 0.329415}, 1e-12));
  EXPECT_TRUE(
      color_near(colormap_color(Colormap::viridis, 1.0), {0.993248, 0.906157, 0.143936}, 1e-12));
  // Halfway lies between entries 127 and 128.
  EXPECT_TRUE(color_near(
      colormap_color(Colormap::viridis, 0.5),
      {(0.128729 + 0.127568) / 2, (0.563265 + 0.566949) / 2, (0.551229 + 0.550556) / 2}, 1e-6));
}

TEST(Colormap, ViridisLightnessRisesMonotonically) {
  double previous = -1.0;
  for (int i = 0; i <= 1000; ++i) {
    const double l = lightness(colormap_color(Colormap::viridis, i / 1000.0));
    EXPECT_GT(l, previous) << "at t = " << i / 1000.0;
    previous = l;
  }
  EXPECT_NEAR(lightness(colormap_color(Colormap::viridis, 0.0)), 15.0, 1.0);
  EXPECT_NEAR(lightness(colormap_color(Colormap::viridis, 1.0)), 91.0, 1.0);
}

TEST(Colormap, ClampsOutsideTheUnitIntervalAndNaNIsNoData) {
  for (Colormap map : {Colormap::viridis, Colormap::coolwarm}) {
    EXPECT_TRUE(color_near(colormap_color(map, -3.0), colormap_color(map, 0.0), 0.0));
    EXPECT_TRUE(color_near(colormap_color(map, 7.0), colormap_color(map, 1.0), 0.0));
    EXPECT_TRUE(color_near(colormap_color(map, std::numeric_limits<double>::infinity()),
                           colormap_color(map, 1.0), 0.0));
    EXPECT_TRUE(color_near(colormap_color(map, std::numeric_limits<double>::quiet_NaN()),
                           no_data_color(), 0.0));
  }
  const Rgb grey = no_data_color();
  EXPECT_DOUBLE_EQ(grey.r, grey.g);
  EXPECT_DOUBLE_EQ(grey.g, grey.b);
}

TEST(Colormap, CoolwarmIsMorelandsBlueGreyRed) {
  // Moreland (2009), table of the cool-warm map: 0 -> (59, 76, 192), 0.5 -> (221, 221, 221),
  // 1 -> (180, 4, 38), 0.25 -> (141, 176, 254), 0.75 -> (244, 154, 123).
  EXPECT_TRUE(color_near(colormap_color(Colormap::coolwarm, 0.0), rgb255(59, 76, 192), 1.0 / 255));
  EXPECT_TRUE(
      color_near(colormap_color(Colormap::coolwarm, 0.25), rgb255(141, 176, 254), 1.5 / 255));
  EXPECT_TRUE(
      color_near(colormap_color(Colormap::coolwarm, 0.5), rgb255(221, 221, 221), 1.5 / 255));
  EXPECT_TRUE(
      color_near(colormap_color(Colormap::coolwarm, 0.75), rgb255(244, 154, 123), 1.5 / 255));
  EXPECT_TRUE(color_near(colormap_color(Colormap::coolwarm, 1.0), rgb255(180, 4, 38), 1.0 / 255));
}

TEST(Colormap, CoolwarmLightnessPeaksInTheMiddleAndMatchesAtTheEnds) {
  // The peak lies between two table entries, so allow a hundredth of a unit of L* around it.
  constexpr double kSlack = 1e-2;
  double previous = -1.0;
  for (int i = 0; i <= 500; ++i) {
    const double l = lightness(colormap_color(Colormap::coolwarm, i / 1000.0));
    EXPECT_GE(l, previous - kSlack) << "at t = " << i / 1000.0;
    previous = l;
  }
  for (int i = 501; i <= 1000; ++i) {
    const double l = lightness(colormap_color(Colormap::coolwarm, i / 1000.0));
    EXPECT_LE(l, previous + kSlack) << "at t = " << i / 1000.0;
    previous = l;
  }
  EXPECT_NEAR(lightness(colormap_color(Colormap::coolwarm, 0.0)),
              lightness(colormap_color(Colormap::coolwarm, 1.0)), 1.0);
}

TEST(Colormap, NamesItsMaps) {
  EXPECT_EQ(neuromod::report::to_string(Colormap::viridis), "viridis");
  EXPECT_EQ(neuromod::report::to_string(Colormap::coolwarm), "coolwarm");
}
