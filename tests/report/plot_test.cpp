#include "neuromod/report/plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using neuromod::report::format_tick;
using neuromod::report::LinePlot;
using neuromod::report::nice_ticks;
using neuromod::report::render_svg_string;
using neuromod::report::Rgb;
using neuromod::report::Series;
using neuromod::report::write_png;
using neuromod::report::write_svg;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fresh directory under the system's temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("neuromod_plot_test_" + std::string(test->name()) + "_" +
                                         std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  return value;
}

LinePlot sine_plot() {
  LinePlot plot;
  plot.title = "test figure";
  plot.x_label = "time (s)";
  plot.y_label = "rate (Hz)";
  Series mean{"mean", {}, {}};
  Series other{"other", {}, {}};
  for (int i = 0; i <= 200; ++i) {
    const double t = 0.05 * i;
    mean.x.push_back(t);
    mean.y.push_back(std::sin(t));
    mean.band_low.push_back(std::sin(t) - 0.1);
    mean.band_high.push_back(std::sin(t) + 0.1);
    other.x.push_back(t);
    other.y.push_back(i == 100 ? kNaN : 0.5 * std::cos(t));
  }
  plot.series = {mean, other};
  return plot;
}

std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

void expect_values(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(actual[i], expected[i]) << i;
}

}  // namespace

TEST(NiceTicks, UnitRangeGetsFifthSteps) {
  const auto ticks = nice_ticks(0.0, 1.0, 6);
  expect_values(ticks.values, {0.0, 0.2, 0.4, 0.6, 0.8, 1.0});
  EXPECT_EQ(ticks.labels, (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  EXPECT_DOUBLE_EQ(ticks.step, 0.2);
  EXPECT_DOUBLE_EQ(ticks.low, 0.0);
  EXPECT_DOUBLE_EQ(ticks.high, 1.0);
}

TEST(NiceTicks, SmallRangeExpandsToCoveringMultiples) {
  const auto ticks = nice_ticks(0.013, 0.087, 6);
  EXPECT_DOUBLE_EQ(ticks.step, 0.02);
  expect_values(ticks.values, {0.0, 0.02, 0.04, 0.06, 0.08, 0.1});
  EXPECT_EQ(ticks.labels.front(), "0.00");
  EXPECT_EQ(ticks.labels[3], "0.06");
  EXPECT_EQ(ticks.labels.back(), "0.10");
}

TEST(NiceTicks, NegativeRange) {
  const auto ticks = nice_ticks(-3.2, -0.4, 6);
  expect_values(ticks.values, {-4.0, -3.0, -2.0, -1.0, 0.0});
  EXPECT_EQ(ticks.labels, (std::vector<std::string>{"-4", "-3", "-2", "-1", "0"}));
}

TEST(NiceTicks, BoundsInEitherOrderGiveTheSameTicks) {
  const auto forward = nice_ticks(-3.2, -0.4, 6);
  const auto backward = nice_ticks(-0.4, -3.2, 6);
  EXPECT_EQ(forward.values, backward.values);
  EXPECT_EQ(forward.labels, backward.labels);
}

TEST(NiceTicks, ZeroWidthRangeIsWidenedAroundItsValue) {
  const auto around_zero = nice_ticks(0.0, 0.0, 6);
  expect_values(around_zero.values, {-1.0, -0.5, 0.0, 0.5, 1.0});

  const auto around_five = nice_ticks(5.0, 5.0, 6);
  EXPECT_LT(around_five.low, 5.0);
  EXPECT_GT(around_five.high, 5.0);
  EXPECT_GE(around_five.values.size(), 3u);
  EXPECT_NE(std::find(around_five.labels.begin(), around_five.labels.end(), "5.0"),
            around_five.labels.end());
}

TEST(NiceTicks, ValuesAreTheNearestDoublesToTheDecimals) {
  // 3 × 0.1 is 0.30000000000000004 in binary; the ticks must be the literal 0.3.
  const auto ticks = nice_ticks(0.0, 0.3, 4);
  ASSERT_EQ(ticks.values.size(), 4u);
  EXPECT_EQ(ticks.values[3], 0.3);
  EXPECT_EQ(ticks.labels, (std::vector<std::string>{"0.0", "0.1", "0.2", "0.3"}));
}

TEST(NiceTicks, StepsAreOneTwoOrFiveTimesAPowerOfTenAndCoverTheRange) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> exponent(-6.0, 6.0);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int trial = 0; trial < 500; ++trial) {
    const double scale = std::pow(10.0, exponent(rng));
    const double a = unit(rng) * scale;
    const double b = unit(rng) * scale;
    const auto ticks = nice_ticks(a, b, 6);
    SCOPED_TRACE("range [" + std::to_string(a) + ", " + std::to_string(b) + "]");
    ASSERT_GE(ticks.values.size(), 2u);
    EXPECT_LE(ticks.values.size(), 13u);
    EXPECT_LE(ticks.low, std::min(a, b));
    EXPECT_GE(ticks.high, std::max(a, b));
    const double mantissa = ticks.step / std::pow(10.0, std::floor(std::log10(ticks.step) + 1e-9));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
                std::abs(mantissa - 5) < 1e-9)
        << "step " << ticks.step;
    const std::set<std::string> distinct(ticks.labels.begin(), ticks.labels.end());
    EXPECT_EQ(distinct.size(), ticks.labels.size()) << "two ticks share a label";
  }
}

TEST(NiceTicks, RejectsNonFiniteBounds) {
  EXPECT_THROW(nice_ticks(kNaN, 1.0), std::invalid_argument);
  EXPECT_THROW(nice_ticks(0.0, std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(FormatTick, UsesJustEnoughDecimals) {
  EXPECT_EQ(format_tick(0.1 + 0.2, 0.1), "0.3");
  EXPECT_EQ(format_tick(2500.0, 500.0), "2500");
  EXPECT_EQ(format_tick(0.25, 0.25), "0.25");
  EXPECT_EQ(format_tick(-1.5, 0.5), "-1.5");
}

TEST(FormatTick, NeverWritesNegativeZero) {
  EXPECT_EQ(format_tick(-0.0, 1.0), "0");
  EXPECT_EQ(format_tick(-1e-17, 0.1), "0.0");
}

TEST(FormatTick, ScientificForTinyAndHugeSteps) {
  EXPECT_EQ(format_tick(2e-5, 2e-5), "2e-5");
  EXPECT_EQ(format_tick(1e-4, 2e-5), "1e-4");
  EXPECT_EQ(format_tick(1.5e6, 5e5), "1.5e6");
  EXPECT_EQ(format_tick(0.0, 5e5), "0");
}

TEST(WritePng, WritesAPngOfTheRequestedSize) {
  TempDir dir;
  for (const auto& [width, height] : {std::pair{640, 360}, std::pair{1440, 800}}) {
    const fs::path path = dir.path() / ("plot_" + std::to_string(width) + ".png");
    write_png(sine_plot(), path, width, height);
    const std::string bytes = read_file(path);
    ASSERT_GE(bytes.size(), 24u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    EXPECT_EQ(big_endian_u32(bytes, 16), static_cast<std::uint32_t>(width));
    EXPECT_EQ(big_endian_u32(bytes, 20), static_cast<std::uint32_t>(height));
  }
}

TEST(WritePng, NamesAnUnwritablePath) {
  const fs::path path = fs::temp_directory_path() / "neuromod_no_such_dir_7f3a" / "plot.png";
  try {
    write_png(sine_plot(), path);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(WritePng, RejectsMalformedPlots) {
  TempDir dir;
  LinePlot lengths = sine_plot();
  lengths.series[0].x.pop_back();
  EXPECT_THROW(write_png(lengths, dir.path() / "a.png"), std::invalid_argument);

  LinePlot band = sine_plot();
  band.series[0].band_high.clear();
  EXPECT_THROW(write_png(band, dir.path() / "b.png"), std::invalid_argument);

  EXPECT_THROW(write_png(sine_plot(), dir.path() / "c.png", 0, 100), std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir.path() / "c.png"));
}

TEST(WritePng, DrawsEmptyAndAllNaNPlots) {
  TempDir dir;
  LinePlot empty;
  EXPECT_NO_THROW(write_png(empty, dir.path() / "empty.png", 200, 100));
  LinePlot nans;
  nans.series.push_back({"nan", {0.0, 1.0, 2.0}, {kNaN, kNaN, kNaN}});
  EXPECT_NO_THROW(write_png(nans, dir.path() / "nans.png", 200, 100));
  EXPECT_TRUE(fs::exists(dir.path() / "nans.png"));
}

TEST(WriteSvg, WritesAnSvgOfTheRequestedSize) {
  TempDir dir;
  const fs::path path = dir.path() / "plot.svg";
  write_svg(sine_plot(), path, 640, 360);
  const std::string svg = read_file(path);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_TRUE(std::regex_search(svg, std::regex("<svg[^>]* width=\"640(px)?\"")));
  EXPECT_TRUE(std::regex_search(svg, std::regex("<svg[^>]* height=\"360(px)?\"")));
  EXPECT_NE(svg.find("viewBox=\"0 0 640 360\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(RenderSvgString, IsOneSvgElementWithPrefixedIds) {
  const std::string svg = render_svg_string(sine_plot(), 720, 400, "fig3-");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << "no XML declaration before the element";
  EXPECT_EQ(count_occurrences(svg, "<svg"), 1u);

  std::set<std::string> ids;
  const std::regex id_pattern(" id=\"([^\"]*)\"");
  for (std::sregex_iterator it(svg.begin(), svg.end(), id_pattern), end; it != end; ++it) {
    const std::string id = (*it)[1];
    EXPECT_EQ(id.rfind("fig3-", 0), 0u) << id;
    ids.insert(id);
  }
  EXPECT_FALSE(ids.empty()) << "Cairo draws text from glyphs it defines by id";
  const std::regex reference_pattern("(?:href=\"#|url\\(#)([^\")]*)");
  for (std::sregex_iterator it(svg.begin(), svg.end(), reference_pattern), end; it != end; ++it) {
    EXPECT_EQ(ids.count((*it)[1]), 1u) << "dangling reference to " << (*it)[1];
  }
}

TEST(RenderSvgString, RejectsPrefixesThatBreakIds) {
  EXPECT_THROW(render_svg_string(sine_plot(), 720, 400, "a\"b"), std::invalid_argument);
}

TEST(RenderSvgString, NaNSplitsALineIntoTwo) {
  // The series is unnamed (no legend swatch) and has a colour no other element uses, so every
  // stroke in that colour is a piece of its line.
  const std::string stroke = "stroke:rgb(100%,0%,100%)";
  Series series{"", {0, 1, 2, 3, 4, 5, 6}, {0, 1, 0, 1, 0, 1, 0}};
  series.color = Rgb{1.0, 0.0, 1.0};
  LinePlot plot;
  plot.series = {series};
  EXPECT_EQ(count_occurrences(render_svg_string(plot, 400, 300), stroke), 1u);

  plot.series[0].y[3] = kNaN;
  EXPECT_EQ(count_occurrences(render_svg_string(plot, 400, 300), stroke), 2u);
}

TEST(RenderSvgString, LongSeriesStayCompact) {
  // A million-step run must not give a page of megabytes: points sharing a pixel column merge.
  LinePlot plot;
  Series noisy{"noisy", {}, {}};
  std::mt19937 rng(1);
  std::normal_distribution<double> noise;
  for (int i = 0; i < 200000; ++i) {
    noisy.x.push_back(i);
    noisy.y.push_back(noise(rng));
  }
  plot.series = {noisy};
  EXPECT_LT(render_svg_string(plot, 720, 400).size(), 300000u);
}
