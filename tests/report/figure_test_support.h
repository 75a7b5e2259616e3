#pragma once
// Helpers shared by the tests of the plot kit's figure kinds (heatmap, raster, trace stack):
// reading a PNG back into pixels, comparing colours, and checking an inlined SVG's ids.

#include <cairo/cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "neuromod/report/plot.h"

namespace neuromod::testing {

/// A PNG read back with Cairo: its size and its pixels as colours.
class Image {
 public:
  explicit Image(const std::filesystem::path& path) {
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
        cairo_image_surface_create_from_png(path.c_str()), &cairo_surface_destroy);
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      throw std::runtime_error("cannot read PNG " + path.string() + ": " +
                               cairo_status_to_string(cairo_surface_status(surface.get())));
    }
    width_ = cairo_image_surface_get_width(surface.get());
    height_ = cairo_image_surface_get_height(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    pixels_.resize(static_cast<std::size_t>(width_) * height_);
    for (int y = 0; y < height_; ++y) {
      const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
      for (int x = 0; x < width_; ++x) pixels_[y * width_ + x] = row[x] & 0xFFFFFF;
    }
  }

  int width() const { return width_; }
  int height() const { return height_; }

  /// The colour of pixel (x, y), each component in [0, 1].
  report::Rgb at(int x, int y) const {
    const std::uint32_t p = pixels_.at(static_cast<std::size_t>(y) * width_ + x);
    return {((p >> 16) & 0xFF) / 255.0, ((p >> 8) & 0xFF) / 255.0, (p & 0xFF) / 255.0};
  }

  /// Where the pixels of one colour are.
  struct Found {
    std::size_t count = 0;  ///< how many pixels
    double mean_x = NAN;    ///< their mean column
    double mean_y = NAN;    ///< their mean row
    int min_x = -1;         ///< their leftmost column
    int max_x = -1;         ///< their rightmost column
  };

  /// The pixels within `tolerance` of `color` in every component, among columns
  /// [x_begin, x_end).
  Found find(report::Rgb color, double tolerance = 1.5 / 255, int x_begin = 0,
             int x_end = -1) const {
    if (x_end < 0) x_end = width_;
    Found found;
    double sum_x = 0.0;
    double sum_y = 0.0;
    for (int y = 0; y < height_; ++y) {
      for (int x = x_begin; x < x_end; ++x) {
        const report::Rgb c = at(x, y);
        if (std::abs(c.r - color.r) <= tolerance && std::abs(c.g - color.g) <= tolerance &&
            std::abs(c.b - color.b) <= tolerance) {
          sum_x += x;
          sum_y += y;
          found.min_x = found.count == 0 ? x : std::min(found.min_x, x);
          found.max_x = std::max(found.max_x, x);
          ++found.count;
        }
      }
    }
    if (found.count > 0) {
      found.mean_x = sum_x / found.count;
      found.mean_y = sum_y / found.count;
    }
    return found;
  }

 private:
  int width_ = 0;
  int height_ = 0;
  std::vector<std::uint32_t> pixels_;  // 0xRRGGBB
};

/// Passes when every component of `actual` is within `tolerance` of `expected`.
inline ::testing::AssertionResult color_near(report::Rgb actual, report::Rgb expected,
                                             double tolerance = 1.5 / 255) {
  if (std::abs(actual.r - expected.r) <= tolerance &&
      std::abs(actual.g - expected.g) <= tolerance &&
      std::abs(actual.b - expected.b) <= tolerance) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "colour (" << actual.r * 255 << ", " << actual.g * 255 << ", " << actual.b * 255
         << ") is not within " << tolerance * 255 << "/255 of (" << expected.r * 255 << ", "
         << expected.g * 255 << ", " << expected.b * 255 << ")";
}

/// The content of the file at `path` ("" when it cannot be read).
inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// How often `needle` occurs in `text`.
inline std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

/// Checks an SVG from render_svg_string: one `<svg>` element first, `title` as its <title>, every
/// id starting with `prefix` and every reference pointing at one of them.
inline void expect_inline_svg(const std::string& svg, const std::string& title,
                              const std::string& prefix) {
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << "no XML declaration before the element";
  EXPECT_EQ(count_occurrences(svg, "<svg"), 1u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("<title>" + title + "</title>"), std::string::npos);
  std::set<std::string> ids;
  const std::regex id_pattern(" id=\"([^\"]*)\"");
  for (std::sregex_iterator it(svg.begin(), svg.end(), id_pattern), end; it != end; ++it) {
    const std::string id = (*it)[1];
    EXPECT_EQ(id.rfind(prefix, 0), 0u) << id;
    ids.insert(id);
  }
  EXPECT_FALSE(ids.empty()) << "Cairo draws text from glyphs it defines by id";
  const std::regex reference_pattern("(?:href=\"#|url\\(#)([^\")]*)");
  for (std::sregex_iterator it(svg.begin(), svg.end(), reference_pattern), end; it != end; ++it) {
    EXPECT_EQ(ids.count((*it)[1]), 1u) << "dangling reference to " << (*it)[1];
  }
}

/// Passes when `call` throws std::invalid_argument whose message contains `field`.
inline ::testing::AssertionResult throws_invalid_argument_naming(const std::function<void()>& call,
                                                                 const std::string& field) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(field) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "the message does not name " << field << ": " << e.what();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw; expected an error naming " << field;
}

}  // namespace neuromod::testing
