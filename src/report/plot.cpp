#include "neuromod/report/plot.h"

#include <cairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "canvas.h"

namespace neuromod::report {
namespace {

using canvas::Box;
using canvas::Point;
using canvas::Range;
using canvas::rgb_hex;
using canvas::Style;
using canvas::Transform;

// Okabe & Ito (2008), "Color Universal Design". Ordered so that the first colours, used most
// often, have the most contrast on white; yellow is nearly invisible as a thin line, so it is last
// but one.
constexpr std::array<Rgb, 8> kOkabeIto = {rgb_hex(0x0072B2), rgb_hex(0xD55E00), rgb_hex(0x009E73),
                                          rgb_hex(0xE69F00), rgb_hex(0xCC79A7), rgb_hex(0x56B4E9),
                                          rgb_hex(0xF0E442), rgb_hex(0x000000)};

// 10^e, exact for |e| <= 22, where every power of ten is a double. Tick values are computed as
// integer / 10^n rather than integer × 0.1^n, because the division is correctly rounded and so
// gives the double nearest to the decimal (0.3, not 0.30000000000000004).
double scaled_power_of_ten(long long mantissa, int e) {
  if (std::abs(e) > 22) return static_cast<double>(mantissa) * std::pow(10.0, e);
  double power = 1.0;
  for (int i = 0; i < std::abs(e); ++i) power *= 10.0;
  return e >= 0 ? static_cast<double>(mantissa) * power : static_cast<double>(mantissa) / power;
}

// The fewest decimals (0..17) that write `step` exactly enough: 0.2 -> 1, 0.25 -> 2, 5 -> 0.
int decimals_for(double step) {
  for (int d = 0; d < 17; ++d) {
    const double shifted = scaled_power_of_ten(1, d) * step;
    if (std::abs(shifted - std::round(shifted)) <= 1e-9 * std::max(1.0, shifted)) return d;
  }
  return 17;
}

// Removes trailing zeros of the mantissa and the padding of the exponent: 2.50e-05 -> 2.5e-5.
std::string tidy_scientific(const std::string& text) {
  const auto e = text.find('e');
  std::string mantissa = text.substr(0, e);
  if (mantissa.find('.') != std::string::npos) {
    while (mantissa.back() == '0') mantissa.pop_back();
    if (mantissa.back() == '.') mantissa.pop_back();
  }
  std::string exponent = text.substr(e + 1);
  const bool negative = exponent[0] == '-';
  exponent.erase(0, exponent.find_first_not_of("+-0"));
  if (exponent.empty()) return mantissa;
  return mantissa + "e" + (negative ? "-" : "") + exponent;
}

// Liang–Barsky: does the segment a→b touch the box?
bool segment_hits_box(Point a, Point b, const Box& box) {
  double t0 = 0.0;
  double t1 = 1.0;
  const auto clip = [&](double p, double q) {
    if (p == 0.0) return q >= 0.0;
    const double t = q / p;
    if (p < 0.0) {
      if (t > t1) return false;
      t0 = std::max(t0, t);
    } else {
      if (t < t0) return false;
      t1 = std::min(t1, t);
    }
    return true;
  };
  const double dx = b.x - a.x;
  const double dy = b.y - a.y;
  return clip(-dx, a.x - box.left) && clip(dx, box.right - a.x) && clip(-dy, a.y - box.top) &&
         clip(dy, box.bottom - a.y);
}

void validate(const LinePlot& plot, int width, int height) {
  canvas::validate_size(width, height);
  for (const Series& series : plot.series) {
    canvas::validate_series("plot \"" + plot.title + "\", ", series);
  }
}

void draw_line_plot(cairo_t* cr, const LinePlot& plot, double width, double height) {
  const Style style(width, height);
  canvas::begin_figure(cr);

  Range x_data;
  Range y_data;
  canvas::add_series_extent(plot.series, x_data, y_data);
  const bool no_data = x_data.empty() || y_data.empty();

  // Vertical layout: title above, tick labels and x label below.
  const canvas::TextHeights heights = canvas::measure_text(cr, style, plot.title);
  Box area;
  area.top = canvas::area_top(style, heights);
  area.bottom = canvas::area_bottom(style, heights, height, !plot.x_label.empty());

  const int y_target = std::clamp(static_cast<int>(area.height() / style.s(48.0)), 3, 9);
  const Ticks y_ticks = canvas::axis_ticks(y_data, plot.y_min, plot.y_max, y_target);

  canvas::set_font(cr, style.tick_size());
  area.left = canvas::area_left(style, heights, canvas::widest_text(cr, y_ticks.labels),
                                !plot.y_label.empty());

  // Legend size; where it goes depends on the lines, so it is placed once they are laid out.
  std::vector<std::size_t> legend_entries;  // indices of the named series
  std::vector<std::string> legend_names;
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    if (plot.series[i].name.empty()) continue;
    legend_entries.push_back(i);
    legend_names.push_back(plot.series[i].name);
  }
  const canvas::Legend legend = canvas::measure_legend(cr, style, legend_names);

  const auto lay_out_x = [&](double extra_right) {
    return canvas::fit_x_axis(cr, style, x_data, std::nullopt, std::nullopt, width, extra_right,
                              area);
  };
  Ticks x_ticks = lay_out_x(0.0);

  const auto project = [&] {
    Transform to_px{x_ticks.low, x_ticks.high, y_ticks.low, y_ticks.high, area};
    std::vector<std::vector<std::vector<Point>>> lines;
    std::vector<std::vector<Point>> band_edges;
    for (const Series& series : plot.series) {
      lines.push_back(canvas::polylines(series.x, series.y, to_px));
      if (series.band_low.empty()) continue;
      for (auto& edge : canvas::polylines(series.x, series.band_low, to_px)) {
        band_edges.push_back(edge);
      }
      for (auto& edge : canvas::polylines(series.x, series.band_high, to_px)) {
        band_edges.push_back(edge);
      }
    }
    return std::make_pair(lines, band_edges);
  };
  auto [lines, band_edges] = project();

  // Legend inside a corner that no line crosses, preferring the top right; else outside, right.
  Box legend_box;
  bool legend_outside = false;
  if (!legend_entries.empty() && !no_data) {
    const double inset = style.s(8.0);
    const std::array<Point, 4> corners = {
        Point{area.right - inset - legend.width, area.top + inset},
        Point{area.left + inset, area.top + inset},
        Point{area.right - inset - legend.width, area.bottom - inset - legend.height},
        Point{area.left + inset, area.bottom - inset - legend.height}};
    std::size_t best_crossings = SIZE_MAX;
    for (const Point& corner : corners) {
      const Box box{corner.x, corner.y, corner.x + legend.width, corner.y + legend.height};
      if (box.left < area.left || box.bottom > area.bottom) continue;
      std::size_t crossings = 0;
      const auto count = [&](const std::vector<Point>& line) {
        if (line.size() == 1) crossings += box.contains(line[0]);
        for (std::size_t i = 1; i < line.size(); ++i) {
          crossings += segment_hits_box(line[i - 1], line[i], box);
        }
      };
      for (const auto& series_lines : lines) {
        for (const auto& line : series_lines) count(line);
      }
      for (const auto& edge : band_edges) count(edge);
      if (crossings < best_crossings) {
        best_crossings = crossings;
        legend_box = box;
      }
    }
    if (best_crossings > 0 && width - area.left > 3 * legend.width) {
      legend_outside = true;
      x_ticks = lay_out_x(legend.width + style.s(12.0));
      std::tie(lines, band_edges) = project();
      legend_box = Box{width - style.pad() - legend.width, area.top, width - style.pad(),
                       area.top + legend.height};
    }
  }
  const Transform to_px{x_ticks.low, x_ticks.high, y_ticks.low, y_ticks.high, area};
  std::vector<double> xs;
  std::vector<double> ys;
  for (double v : x_ticks.values) xs.push_back(to_px(v, y_ticks.low).x);
  for (double v : y_ticks.values) ys.push_back(to_px(x_ticks.low, v).y);

  canvas::draw_grid(cr, style, area, xs, ys);
  canvas::draw_series(cr, style, area, to_px, plot.series, lines);
  canvas::draw_left_axis(cr, style, area, ys, y_ticks.labels);
  canvas::draw_bottom_axis(cr, style, area, xs, x_ticks.labels, heights);
  canvas::draw_x_label(cr, style, area, heights, plot.x_label);
  canvas::draw_y_label(cr, style, area, heights, plot.y_label);
  canvas::draw_title(cr, style, area, heights, plot.title);
  if (no_data) canvas::draw_no_data(cr, style, area);

  if (!legend_entries.empty() && !no_data) {
    canvas::draw_legend(cr, style, legend, legend_box, legend_names, !legend_outside,
                        [&](std::size_t row, double x, double middle) {
                          const std::size_t s = legend_entries[row];
                          canvas::draw_series_swatch(cr, style, legend, plot.series[s],
                                                     plot.series[s].color.value_or(series_color(s)),
                                                     x, middle);
                        });
  }
}

canvas::Draw drawing(const LinePlot& plot) {
  return [&plot](cairo_t* cr, double width, double height) {
    draw_line_plot(cr, plot, width, height);
  };
}

}  // namespace

Rgb series_color(std::size_t index) {
  return kOkabeIto[index % kOkabeIto.size()];
}

Ticks nice_ticks(double low, double high, int target_count) {
  if (!std::isfinite(low) || !std::isfinite(high)) {
    throw std::invalid_argument("nice_ticks: bounds must be finite, got [" + std::to_string(low) +
                                ", " + std::to_string(high) + "]");
  }
  if (low > high) std::swap(low, high);
  const double magnitude = std::max(std::abs(low), std::abs(high));
  if (high - low <= 1e-12 * magnitude || high == low) {
    const double pad = magnitude == 0.0 ? 1.0 : 0.1 * magnitude;
    low -= pad;
    high += pad;
  }
  target_count = std::clamp(target_count, 2, 50);

  // Try 1, 2 and 5 × 10^e around the rough step. The score adds how far the tick count is from
  // the target to how much of the axis the data would leave empty, since the axis runs from tick
  // to tick; on a tie the wider step wins (fewer labels read better). The 1e-9 slack stops
  // 0.3 / 0.1 = 2.9999999999999996 from adding a tick.
  const int e0 = static_cast<int>(std::floor(std::log10((high - low) / (target_count - 1))));
  long long best_low = 0, best_high = 0, best_mantissa = 1;
  int best_exponent = 0;
  double best_score = std::numeric_limits<double>::infinity();
  for (int e = e0 - 1; e <= e0 + 1; ++e) {
    for (long long mantissa : {1, 2, 5}) {
      const double step = scaled_power_of_ten(mantissa, e);
      if ((high - low) / step > 1000.0) continue;
      const auto k_low = static_cast<long long>(std::floor(low / step + 1e-9));
      const auto k_high = static_cast<long long>(std::ceil(high / step - 1e-9));
      const double coverage = (high - low) / ((k_high - k_low) * step);
      const double score =
          std::abs(static_cast<double>(k_high - k_low + 1 - target_count)) + 8.0 * (1.0 - coverage);
      if (score <= best_score + 1e-9) {
        best_score = std::min(best_score, score);
        best_low = k_low;
        best_high = k_high;
        best_mantissa = mantissa;
        best_exponent = e;
      }
    }
  }

  Ticks ticks;
  ticks.step = scaled_power_of_ten(best_mantissa, best_exponent);
  for (long long k = best_low; k <= best_high; ++k) {
    const double value = scaled_power_of_ten(k * best_mantissa, best_exponent);
    ticks.values.push_back(value);
    ticks.labels.push_back(format_tick(value, ticks.step));
  }
  ticks.low = ticks.values.front();
  ticks.high = ticks.values.back();
  return ticks;
}

std::string format_tick(double value, double step) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  if (!(step > 0.0) || !std::isfinite(step)) {
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
  }
  // A value within rounding error of zero is zero, and never "-0".
  if (std::abs(value) < 1e-9 * step) value = 0.0;
  if (step >= 1e5 || step < 1e-4) {
    if (value == 0.0) return "0";
    const int value_exponent = static_cast<int>(std::floor(std::log10(std::abs(value))));
    const int step_exponent = static_cast<int>(std::floor(std::log10(step) + 1e-9));
    const int step_digits = decimals_for(step / scaled_power_of_ten(1, step_exponent));
    const int precision = std::clamp(value_exponent - step_exponent + step_digits, 0, 16);
    std::snprintf(buffer, sizeof buffer, "%.*e", precision, value);
    return tidy_scientific(buffer);
  }
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals_for(step), value);
  return buffer;
}

void write_png(const LinePlot& plot, const std::filesystem::path& path, int width, int height) {
  validate(plot, width, height);
  canvas::write_png_file(drawing(plot), path, width, height);
}

void write_svg(const LinePlot& plot, const std::filesystem::path& path, int width, int height) {
  validate(plot, width, height);
  canvas::write_svg_file(drawing(plot), path, width, height, plot.title);
}

std::string render_svg_string(const LinePlot& plot, int width, int height,
                              const std::string& id_prefix) {
  canvas::validate_id_prefix(id_prefix);
  validate(plot, width, height);
  return canvas::inline_svg(drawing(plot), width, height, id_prefix, plot.title);
}

}  // namespace neuromod::report
