#include "neuromod/report/heatmap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "report/figure_test_support.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using neuromod::report::Colormap;
using neuromod::report::colormap_color;
using neuromod::report::Extent;
using neuromod::report::Heatmap;
using neuromod::report::no_data_color;
using neuromod::report::render_svg_string;
using neuromod::report::RowOrder;
using neuromod::report::write_png;
using neuromod::report::write_svg;
using neuromod::testing::color_near;
using neuromod::testing::count_occurrences;
using neuromod::testing::expect_inline_svg;
using neuromod::testing::Image;
using neuromod::testing::TempDir;
using neuromod::testing::throws_invalid_argument_naming;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A 10 × 4 matrix: rows 0..4 hold `upper`, rows 5..9 hold `lower`.
Heatmap halves(double upper, double lower) {
  Heatmap map;
  map.title = "halves";
  map.x_label = "column";
  map.y_label = "row";
  map.value_label = "value (a.u.)";
  for (int r = 0; r < 10; ++r) map.values.push_back(std::vector<double>(4, r < 5 ? upper : lower));
  return map;
}

Heatmap accuracy_matrix() {
  Heatmap map;
  map.title = "accuracy after each task";
  map.x_label = "tested on";
  map.y_label = "trained up to";
  map.value_label = "accuracy";
  map.values = {{0.98, kNaN, kNaN}, {0.71, 0.97, kNaN}, {0.64, 0.80, 0.96}};
  map.x_categories = map.y_categories = {"task A", "task B", "task C"};
  map.value_min = 0.0;
  map.value_max = 1.0;
  map.annotate = true;
  return map;
}

// The colour at a fraction of the figure's width and height.
neuromod::report::Rgb sample(const Image& image, double fx, double fy) {
  return image.at(static_cast<int>(fx * image.width()), static_cast<int>(fy * image.height()));
}

}  // namespace

TEST(Heatmap, WritesAPngOfTheRequestedSize) {
  TempDir dir;
  for (const auto& [width, height] : {std::pair{640, 360}, std::pair{1440, 900}}) {
    const fs::path path = dir / ("map_" + std::to_string(width) + ".png");
    write_png(accuracy_matrix(), path, width, height);
    const Image image(path);
    EXPECT_EQ(image.width(), width);
    EXPECT_EQ(image.height(), height);
  }
}

TEST(Heatmap, DrawsTheColormapEndsWhereTheValuesAre) {
  TempDir dir;
  // Upper half at the maximum, lower half at the minimum: yellow above, violet below.
  write_png(halves(1.0, 0.0), dir / "top_down.png");
  const Image top_down(dir / "top_down.png");
  EXPECT_TRUE(color_near(sample(top_down, 0.45, 0.3), colormap_color(Colormap::viridis, 1.0)));
  EXPECT_TRUE(color_near(sample(top_down, 0.45, 0.7), colormap_color(Colormap::viridis, 0.0)));

  // Row 0 at the bottom swaps them.
  Heatmap flipped = halves(1.0, 0.0);
  flipped.row_order = RowOrder::bottom_up;
  write_png(flipped, dir / "bottom_up.png");
  const Image bottom_up(dir / "bottom_up.png");
  EXPECT_TRUE(color_near(sample(bottom_up, 0.45, 0.3), colormap_color(Colormap::viridis, 0.0)));
  EXPECT_TRUE(color_near(sample(bottom_up, 0.45, 0.7), colormap_color(Colormap::viridis, 1.0)));
}

TEST(Heatmap, CoolwarmDefaultRangeIsSymmetricAboutZero) {
  TempDir dir;
  // Values 2 and -1: the range is [-2, 2], so 2 is the red end and -1 lies at a quarter.
  Heatmap map = halves(2.0, -1.0);
  map.colormap = Colormap::coolwarm;
  write_png(map, dir / "signed.png");
  const Image image(dir / "signed.png");
  EXPECT_TRUE(color_near(sample(image, 0.45, 0.3), colormap_color(Colormap::coolwarm, 1.0)));
  EXPECT_TRUE(color_near(sample(image, 0.45, 0.7), colormap_color(Colormap::coolwarm, 0.25)));
}

TEST(Heatmap, FixedRangeClampsValuesOutsideIt) {
  TempDir dir;
  Heatmap map = halves(5.0, -5.0);
  map.value_min = 0.0;
  map.value_max = 1.0;
  write_png(map, dir / "clamped.png");
  const Image image(dir / "clamped.png");
  EXPECT_TRUE(color_near(sample(image, 0.45, 0.3), colormap_color(Colormap::viridis, 1.0)));
  EXPECT_TRUE(color_near(sample(image, 0.45, 0.7), colormap_color(Colormap::viridis, 0.0)));
}

TEST(Heatmap, NaNCellsAreNeutralGrey) {
  TempDir dir;
  write_png(halves(kNaN, 0.5), dir / "nan.png");
  const Image image(dir / "nan.png");
  EXPECT_TRUE(color_near(sample(image, 0.45, 0.3), no_data_color()));
  EXPECT_FALSE(color_near(sample(image, 0.45, 0.7), no_data_color(), 10.0 / 255));

  // A matrix of no data at all still draws, all grey.
  write_png(halves(kNaN, kNaN), dir / "all_nan.png");
  EXPECT_TRUE(color_near(sample(Image(dir / "all_nan.png"), 0.45, 0.7), no_data_color()));
}

TEST(Heatmap, AveragesCellsDownToThePixels) {
  TempDir dir;
  // 4000 columns alternating 0 and 1: a pixel stands for 5 or 6 of them, so it shows their mean
  // (0.4 to 0.6), where picking one cell per pixel would show an end colour.
  Heatmap map;
  map.values.assign(2, std::vector<double>(4000));
  for (std::size_t c = 0; c < 4000; ++c) map.values[0][c] = map.values[1][c] = c % 2;
  map.value_min = 0.0;
  map.value_max = 1.0;
  write_png(map, dir / "averaged.png", 720, 450);
  const Image image(dir / "averaged.png");
  for (double fx : {0.3, 0.45, 0.6}) {
    EXPECT_TRUE(color_near(sample(image, fx, 0.5), colormap_color(Colormap::viridis, 0.5), 0.1));
  }

  // NaN cells are left out of the mean: 0.25 with every third cell missing is still 0.25.
  for (std::size_t c = 0; c < 4000; ++c) {
    map.values[0][c] = map.values[1][c] = c % 3 == 0 ? kNaN : 0.25;
  }
  write_png(map, dir / "averaged_nan.png", 720, 450);
  EXPECT_TRUE(color_near(sample(Image(dir / "averaged_nan.png"), 0.45, 0.5),
                         colormap_color(Colormap::viridis, 0.25)));
}

TEST(Heatmap, WritesAnSvgWithItsTitle) {
  TempDir dir;
  write_svg(accuracy_matrix(), dir / "map.svg", 640, 400);
  const std::string svg = neuromod::testing::read_whole_file(dir / "map.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 640 400\""), std::string::npos);
  EXPECT_NE(svg.find("<title>accuracy after each task</title>"), std::string::npos);
}

TEST(Heatmap, InlineSvgCarriesThePrefixAndSharpImages) {
  const std::string svg = render_svg_string(accuracy_matrix(), 720, 450, "acc-");
  expect_inline_svg(svg, "accuracy after each task", "acc-");
  // The cells and the colorbar are two images, each scaled without smoothing.
  EXPECT_EQ(count_occurrences(svg, "<image "), 2u);
  EXPECT_EQ(count_occurrences(svg, "image-rendering:pixelated"), 2u);
}

TEST(Heatmap, AnnotatesSmallMatricesOnly) {
  Heatmap plain = accuracy_matrix();
  plain.annotate = false;
  const std::size_t plain_glyphs = count_occurrences(render_svg_string(plain), "<use ");
  // Six cells of four characters ("0.98") each.
  EXPECT_EQ(count_occurrences(render_svg_string(accuracy_matrix()), "<use "), plain_glyphs + 24);

  // Cells too small for the text are left without.
  Heatmap dense;
  dense.values.assign(100, std::vector<double>(100, 0.5));
  dense.annotate = true;
  Heatmap dense_plain = dense;
  dense_plain.annotate = false;
  EXPECT_EQ(count_occurrences(render_svg_string(dense), "<use "),
            count_occurrences(render_svg_string(dense_plain), "<use "));
}

TEST(Heatmap, NumericExtentsAndCategories) {
  TempDir dir;
  Heatmap activity;
  activity.values.assign(20, std::vector<double>(300));
  for (std::size_t u = 0; u < 20; ++u) {
    for (std::size_t t = 0; t < 300; ++t) activity.values[u][t] = std::sin(0.05 * t + u);
  }
  activity.x_extent = Extent{0.0, 3.0};
  activity.y_extent = Extent{-1.0, 1.0};
  activity.colormap = Colormap::coolwarm;
  EXPECT_NO_THROW(write_png(activity, dir / "extent.png"));

  Heatmap named = accuracy_matrix();
  named.x_categories = {"a very long task name", "another long task name", "and a third one"};
  EXPECT_NO_THROW(write_png(named, dir / "upright_names.png", 400, 300));
}

TEST(Heatmap, LargeMatrixGivesABoundedSvg) {
  // 10000 time steps × 200 units of noise: averaged down to the plot's pixels, one image.
  Heatmap map;
  map.title = "activity";
  map.values.assign(10000, std::vector<double>(200));
  std::mt19937 rng(7);
  std::normal_distribution<double> noise;
  for (auto& row : map.values) {
    for (double& v : row) v = noise(rng);
  }
  const std::string svg = render_svg_string(map, 720, 450, "big-");
  EXPECT_LT(svg.size(), 2'000'000u);
  EXPECT_EQ(count_occurrences(svg, "<image "), 2u);

  TempDir dir;
  write_png(map, dir / "big.png");
  EXPECT_EQ(Image(dir / "big.png").width(), 720);
}

TEST(Heatmap, RejectsMalformedInputNamingTheField) {
  TempDir dir;
  const auto png = [&](const Heatmap& map) {
    return [&dir, map] { write_png(map, dir / "bad.png"); };
  };
  Heatmap ragged = halves(1.0, 0.0);
  ragged.values[3].pop_back();
  EXPECT_TRUE(throws_invalid_argument_naming(png(ragged), "values is ragged: row 3"));

  EXPECT_TRUE(throws_invalid_argument_naming(png(Heatmap{}), "values"));
  Heatmap no_columns;
  no_columns.values.assign(3, {});
  EXPECT_TRUE(throws_invalid_argument_naming(png(no_columns), "values"));

  Heatmap categories = accuracy_matrix();
  categories.x_categories.pop_back();
  EXPECT_TRUE(throws_invalid_argument_naming(png(categories), "x_categories"));

  Heatmap both = accuracy_matrix();
  both.y_extent = Extent{0.0, 1.0};
  EXPECT_TRUE(throws_invalid_argument_naming(png(both), "y_extent"));

  Heatmap extent = halves(1.0, 0.0);
  extent.x_extent = Extent{0.0, std::numeric_limits<double>::infinity()};
  EXPECT_TRUE(throws_invalid_argument_naming(png(extent), "x_extent"));

  Heatmap range = halves(1.0, 0.0);
  range.value_max = kNaN;
  EXPECT_TRUE(throws_invalid_argument_naming(png(range), "value_max"));
  range.value_max = 0.0;
  range.value_min = 1.0;
  EXPECT_TRUE(throws_invalid_argument_naming(png(range), "value_min must be below value_max"));

  EXPECT_TRUE(
      throws_invalid_argument_naming([] { render_svg_string(accuracy_matrix(), 0, 100); }, "size"));
  EXPECT_TRUE(throws_invalid_argument_naming(
      [] { render_svg_string(accuracy_matrix(), 720, 450, "a\"b"); }, "id_prefix"));
  EXPECT_FALSE(fs::exists(dir / "bad.png"));
}

TEST(Heatmap, NamesAnUnwritablePath) {
  const fs::path path = fs::temp_directory_path() / "neuromod_no_such_dir_7f3a" / "map.png";
  try {
    write_png(accuracy_matrix(), path);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}
