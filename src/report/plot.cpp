#include "neuromod/report/plot.h"

#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace neuromod::report {
namespace {

constexpr Rgb rgb_hex(unsigned value) {
  return {((value >> 16) & 0xFF) / 255.0, ((value >> 8) & 0xFF) / 255.0, (value & 0xFF) / 255.0};
}

// Okabe & Ito (2008), "Color Universal Design". Ordered so that the first colours, used most
// often, have the most contrast on white; yellow is nearly invisible as a thin line, so it is last
// but one.
constexpr std::array<Rgb, 8> kOkabeIto = {rgb_hex(0x0072B2), rgb_hex(0xD55E00), rgb_hex(0x009E73),
                                          rgb_hex(0xE69F00), rgb_hex(0xCC79A7), rgb_hex(0x56B4E9),
                                          rgb_hex(0xF0E442), rgb_hex(0x000000)};

constexpr Rgb kInk = rgb_hex(0x222222);
constexpr Rgb kAxis = rgb_hex(0x444444);
constexpr Rgb kGrid = rgb_hex(0xE4E4E4);

constexpr int kMaxSide = 16384;
constexpr double kPi = 3.14159265358979323846;

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

struct Point {
  double x = 0.0;
  double y = 0.0;
};

struct Box {
  double left = 0.0;
  double top = 0.0;
  double right = 0.0;
  double bottom = 0.0;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
  bool contains(Point p) const {
    return p.x >= left && p.x <= right && p.y >= top && p.y <= bottom;
  }
};

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

// Sizes of one figure, in surface units. Everything scales with the figure so that a PNG at twice
// the size of an SVG is the same picture, only sharper.
struct Style {
  explicit Style(double width, double height)
      : scale(std::clamp(std::min(width / 720.0, height / 400.0), 0.5, 8.0)) {}
  double scale;
  double s(double points) const { return points * scale; }
  double title_size() const { return s(16.5); }
  double label_size() const { return s(14.0); }
  double tick_size() const { return s(12.5); }
  double legend_size() const { return s(13.0); }
  double pad() const { return s(12.0); }
  double tick_length() const { return s(5.0); }
  double line_width() const { return s(1.8); }
};

void set_color(cairo_t* cr, Rgb c, double alpha = 1.0) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

void set_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

// Height of a digit in the current font: labels are centred on it, so that every label of an axis
// sits on the same baseline whatever its characters.
double cap_height(cairo_t* cr) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, "0", &extents);
  return extents.height;
}

enum class Align { start, middle, end };

// Draws `text` with its horizontal `align` point at x and its digit-height middle at y.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, Align align) {
  const double width = text_width(cr, text);
  const double dx = align == Align::start ? 0.0 : align == Align::middle ? -width / 2 : -width;
  cairo_move_to(cr, x + dx, y + cap_height(cr) / 2);
  cairo_show_text(cr, text.c_str());
}

bool is_finite(double v) {
  return std::isfinite(v);
}

void validate(const LinePlot& plot, int width, int height) {
  if (width < 1 || width > kMaxSide || height < 1 || height > kMaxSide) {
    throw std::invalid_argument("plot size must be within 1.." + std::to_string(kMaxSide) +
                                " pixels, got " + std::to_string(width) + "x" +
                                std::to_string(height));
  }
  for (const Series& series : plot.series) {
    const auto n = series.y.size();
    const auto where = "plot \"" + plot.title + "\", series \"" + series.name + "\": ";
    if (series.x.size() != n) {
      throw std::invalid_argument(where + "x has " + std::to_string(series.x.size()) +
                                  " values but y has " + std::to_string(n));
    }
    const bool has_band = !series.band_low.empty() || !series.band_high.empty();
    if (has_band && (series.band_low.size() != n || series.band_high.size() != n)) {
      throw std::invalid_argument(where + "band_low and band_high must both be empty or have " +
                                  std::to_string(n) + " values, got " +
                                  std::to_string(series.band_low.size()) + " and " +
                                  std::to_string(series.band_high.size()));
    }
  }
}

// Maps data coordinates into the plot area. Far-off points are clamped because Cairo's fixed-point
// coordinates overflow near ±8e6; clamping keeps what is visible exact.
struct Transform {
  double x0, x1, y0, y1;
  Box area;
  Point operator()(double x, double y) const {
    const double px = area.left + (x - x0) / (x1 - x0) * area.width();
    const double py = area.bottom - (y - y0) / (y1 - y0) * area.height();
    return {std::clamp(px, -1e5, 1e5), std::clamp(py, -1e5, 1e5)};
  }
};

// The finite runs of (x, y) as pixel polylines. Within one pixel column only the first, lowest,
// highest and last points are kept: the drawing is the same, and a million-step run stays a small
// SVG.
std::vector<std::vector<Point>> polylines(const std::vector<double>& xs,
                                          const std::vector<double>& ys, const Transform& to_px) {
  std::vector<std::vector<Point>> lines;
  std::vector<Point> line;
  std::array<std::size_t, 4> bucket{};  // first, lowest, highest, last index in the column
  long long column = 0;
  bool open = false;
  const auto flush = [&] {
    if (!open) return;
    std::array<std::size_t, 4> order = bucket;
    std::sort(order.begin(), order.end());
    const auto end = std::unique(order.begin(), order.end());
    for (auto it = order.begin(); it != end; ++it) line.push_back(to_px(xs[*it], ys[*it]));
    open = false;
  };
  for (std::size_t i = 0; i < ys.size(); ++i) {
    if (!is_finite(xs[i]) || !is_finite(ys[i])) {
      flush();
      if (!line.empty()) lines.push_back(std::move(line));
      line.clear();
      continue;
    }
    const auto col = static_cast<long long>(std::floor(to_px(xs[i], ys[i]).x));
    if (open && col == column) {
      if (ys[i] < ys[bucket[1]]) bucket[1] = i;
      if (ys[i] > ys[bucket[2]]) bucket[2] = i;
      bucket[3] = i;
      continue;
    }
    flush();
    bucket = {i, i, i, i};
    column = col;
    open = true;
  }
  flush();
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!is_finite(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool empty() const { return low > high; }
};

struct Legend {
  std::vector<std::size_t> entries;  // indices of the named series
  double width = 0.0;
  double height = 0.0;
  double row_height = 0.0;
  double swatch = 0.0;
};

// Ticks for an axis: nice ones over the data, then cut to the fixed limits if any.
Ticks axis_ticks(Range data, std::optional<double> fixed_low, std::optional<double> fixed_high,
                 int target) {
  if (data.empty()) data = Range{0.0, 1.0};
  double low = fixed_low.value_or(data.low);
  double high = fixed_high.value_or(data.high);
  if (fixed_low && !fixed_high && high <= low) high = low + 1.0;
  if (fixed_high && !fixed_low && low >= high) low = high - 1.0;
  Ticks ticks = nice_ticks(low, high, target);
  if (fixed_low) ticks.low = *fixed_low;
  if (fixed_high) ticks.high = *fixed_high;
  if (ticks.high <= ticks.low) ticks.high = ticks.low + 1.0;
  Ticks kept = ticks;
  kept.values.clear();
  kept.labels.clear();
  const double slack = 1e-9 * ticks.step;
  for (std::size_t i = 0; i < ticks.values.size(); ++i) {
    if (ticks.values[i] < ticks.low - slack || ticks.values[i] > ticks.high + slack) continue;
    kept.values.push_back(ticks.values[i]);
    kept.labels.push_back(ticks.labels[i]);
  }
  return kept;
}

double widest_label(cairo_t* cr, const Ticks& ticks) {
  double widest = 0.0;
  for (const auto& label : ticks.labels) widest = std::max(widest, text_width(cr, label));
  return widest;
}

// X ticks as dense as fit: each label, plus a gap of one em, must fit between its neighbours.
Ticks fitted_x_ticks(cairo_t* cr, const Style& style, const Range& data, double plot_width) {
  set_font(cr, style.tick_size());
  int target = std::clamp(static_cast<int>(plot_width / style.s(90.0)), 2, 10);
  for (;; --target) {
    Ticks ticks = axis_ticks(data, std::nullopt, std::nullopt, target);
    if (target <= 2 || ticks.values.size() < 2) return ticks;
    const double spacing = plot_width * ticks.step / (ticks.high - ticks.low);
    if (widest_label(cr, ticks) + style.tick_size() <= spacing) return ticks;
  }
}

void draw_line_plot(cairo_t* cr, const LinePlot& plot, double width, double height) {
  const Style style(width, height);
  cairo_font_options_t* font_options = cairo_font_options_create();
  // Unhinted metrics: text has the same width in the PNG and the SVG, so both get one layout.
  cairo_font_options_set_hint_metrics(font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(font_options, CAIRO_ANTIALIAS_GRAY);
  cairo_set_font_options(cr, font_options);
  cairo_font_options_destroy(font_options);

  set_color(cr, {1.0, 1.0, 1.0});
  cairo_paint(cr);

  // Data extent; a point counts only where its x is finite.
  Range x_data;
  Range y_data;
  for (const Series& series : plot.series) {
    for (std::size_t i = 0; i < series.y.size(); ++i) {
      if (!is_finite(series.x[i])) continue;
      const bool band = !series.band_low.empty();
      const bool any = is_finite(series.y[i]) ||
                       (band && (is_finite(series.band_low[i]) || is_finite(series.band_high[i])));
      if (!any) continue;
      x_data.add(series.x[i]);
      y_data.add(series.y[i]);
      if (band) {
        y_data.add(series.band_low[i]);
        y_data.add(series.band_high[i]);
      }
    }
  }
  const bool no_data = x_data.empty() || y_data.empty();

  // Vertical layout: title above, tick labels and x label below.
  set_font(cr, style.title_size(), true);
  const double title_height = plot.title.empty() ? 0.0 : cap_height(cr) + style.s(14.0);
  set_font(cr, style.label_size());
  const double label_height = cap_height(cr);
  set_font(cr, style.tick_size());
  const double tick_label_height = cap_height(cr);

  Box area;
  area.top = style.pad() + title_height + style.s(6.0);
  area.bottom = height - style.pad() - tick_label_height - style.tick_length() - style.s(8.0) -
                (plot.x_label.empty() ? 0.0 : label_height + style.s(10.0));

  const int y_target = std::clamp(static_cast<int>(area.height() / style.s(48.0)), 3, 9);
  const Ticks y_ticks = axis_ticks(y_data, plot.y_min, plot.y_max, y_target);

  set_font(cr, style.tick_size());
  area.left = style.pad() + widest_label(cr, y_ticks) + style.tick_length() + style.s(6.0) +
              (plot.y_label.empty() ? 0.0 : label_height + style.s(10.0));

  // Legend size; where it goes depends on the lines, so it is placed once they are laid out.
  Legend legend;
  set_font(cr, style.legend_size());
  legend.row_height = style.legend_size() * 1.45;
  legend.swatch = style.s(22.0);
  double widest_name = 0.0;
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    if (plot.series[i].name.empty()) continue;
    legend.entries.push_back(i);
    widest_name = std::max(widest_name, text_width(cr, plot.series[i].name));
  }
  legend.width = style.s(10.0) + legend.swatch + style.s(7.0) + widest_name + style.s(10.0);
  legend.height = legend.entries.size() * legend.row_height + style.s(10.0);

  // The last x label is centred on the right edge, so half of it hangs into the right margin.
  const auto lay_out_x = [&](double extra_right) {
    area.right = width - style.pad() - extra_right;
    Ticks ticks = fitted_x_ticks(cr, style, x_data, area.width());
    const double overhang = ticks.labels.empty() ? 0.0 : text_width(cr, ticks.labels.back()) / 2;
    area.right = width - std::max(style.pad(), overhang + style.s(4.0)) - extra_right;
    return fitted_x_ticks(cr, style, x_data, area.width());
  };
  Ticks x_ticks = lay_out_x(0.0);

  const auto project = [&] {
    Transform to_px{x_ticks.low, x_ticks.high, y_ticks.low, y_ticks.high, area};
    std::vector<std::vector<std::vector<Point>>> lines;
    std::vector<std::vector<Point>> band_edges;
    for (const Series& series : plot.series) {
      lines.push_back(polylines(series.x, series.y, to_px));
      if (series.band_low.empty()) continue;
      for (auto& edge : polylines(series.x, series.band_low, to_px)) band_edges.push_back(edge);
      for (auto& edge : polylines(series.x, series.band_high, to_px)) band_edges.push_back(edge);
    }
    return std::make_pair(lines, band_edges);
  };
  auto [lines, band_edges] = project();

  // Legend inside a corner that no line crosses, preferring the top right; else outside, right.
  Box legend_box;
  bool legend_outside = false;
  if (!legend.entries.empty() && !no_data) {
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

  // Grid.
  cairo_set_line_width(cr, style.s(1.0));
  set_color(cr, kGrid);
  for (double v : y_ticks.values) {
    const double y = to_px(x_ticks.low, v).y;
    cairo_move_to(cr, area.left, y);
    cairo_line_to(cr, area.right, y);
  }
  for (double v : x_ticks.values) {
    const double x = to_px(v, y_ticks.low).x;
    cairo_move_to(cr, x, area.top);
    cairo_line_to(cr, x, area.bottom);
  }
  cairo_stroke(cr);

  // Series, clipped to the plot area widened by a dot's radius, so that a line or a dot on the
  // axis limits is drawn whole. Bands first, so that no band hides a line.
  cairo_save(cr);
  const double bleed = style.s(3.0);
  cairo_rectangle(cr, area.left - bleed, area.top - bleed, area.width() + 2 * bleed,
                  area.height() + 2 * bleed);
  cairo_clip(cr);
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const Series& series = plot.series[s];
    if (series.band_low.empty()) continue;
    set_color(cr, series.color.value_or(series_color(s)), 0.2);
    // Thinned to about two points per pixel column; a band is a soft shape, exactness is moot.
    const std::size_t stride =
        std::max<std::size_t>(1, series.y.size() / std::max(1.0, 2 * area.width()));
    std::vector<std::size_t> run;
    const auto fill_run = [&] {
      if (run.size() >= 2) {
        for (std::size_t k = 0; k < run.size(); ++k) {
          const Point p = to_px(series.x[run[k]], series.band_high[run[k]]);
          k == 0 ? cairo_move_to(cr, p.x, p.y) : cairo_line_to(cr, p.x, p.y);
        }
        for (std::size_t k = run.size(); k-- > 0;) {
          const Point p = to_px(series.x[run[k]], series.band_low[run[k]]);
          cairo_line_to(cr, p.x, p.y);
        }
        cairo_close_path(cr);
        cairo_fill(cr);
      }
      run.clear();
    };
    for (std::size_t i = 0; i < series.y.size(); ++i) {
      const bool ok =
          is_finite(series.x[i]) && is_finite(series.band_low[i]) && is_finite(series.band_high[i]);
      if (!ok) {
        fill_run();
        continue;
      }
      const bool last_of_run = i + 1 == series.y.size() || !is_finite(series.x[i + 1]) ||
                               !is_finite(series.band_low[i + 1]) ||
                               !is_finite(series.band_high[i + 1]);
      if (run.empty() || i % stride == 0 || last_of_run) run.push_back(i);
    }
    fill_run();
  }
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width(cr, style.line_width());
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const Series& series = plot.series[s];
    set_color(cr, series.color.value_or(series_color(s)));
    for (const auto& line : lines[s]) {
      for (std::size_t k = 0; k < line.size(); ++k) {
        k == 0 ? cairo_move_to(cr, line[k].x, line[k].y) : cairo_line_to(cr, line[k].x, line[k].y);
      }
      cairo_stroke(cr);
      if (line.size() == 1 || series.markers) {
        for (const Point& p : line) {
          cairo_new_sub_path(cr);
          cairo_arc(cr, p.x, p.y, style.s(2.8), 0.0, 2 * kPi);
        }
        cairo_fill(cr);
      }
    }
  }
  cairo_restore(cr);

  // Axes: left and bottom spines with outward ticks.
  set_color(cr, kAxis);
  cairo_set_line_width(cr, style.s(1.2));
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  cairo_move_to(cr, area.left, area.top);
  cairo_line_to(cr, area.left, area.bottom);
  cairo_line_to(cr, area.right, area.bottom);
  for (double v : y_ticks.values) {
    const double y = to_px(x_ticks.low, v).y;
    cairo_move_to(cr, area.left - style.tick_length(), y);
    cairo_line_to(cr, area.left, y);
  }
  for (double v : x_ticks.values) {
    const double x = to_px(v, y_ticks.low).x;
    cairo_move_to(cr, x, area.bottom);
    cairo_line_to(cr, x, area.bottom + style.tick_length());
  }
  cairo_stroke(cr);

  set_color(cr, kInk);
  set_font(cr, style.tick_size());
  for (std::size_t i = 0; i < y_ticks.values.size(); ++i) {
    const double y = to_px(x_ticks.low, y_ticks.values[i]).y;
    draw_text(cr, y_ticks.labels[i], area.left - style.tick_length() - style.s(5.0), y, Align::end);
  }
  const double x_labels_middle =
      area.bottom + style.tick_length() + style.s(5.0) + tick_label_height / 2;
  for (std::size_t i = 0; i < x_ticks.values.size(); ++i) {
    const double x = to_px(x_ticks.values[i], y_ticks.low).x;
    draw_text(cr, x_ticks.labels[i], x, x_labels_middle, Align::middle);
  }

  set_font(cr, style.label_size());
  if (!plot.x_label.empty()) {
    const double y = x_labels_middle + tick_label_height / 2 + style.s(10.0) + label_height / 2;
    draw_text(cr, plot.x_label, (area.left + area.right) / 2, y, Align::middle);
  }
  if (!plot.y_label.empty()) {
    cairo_save(cr);
    cairo_translate(cr, style.pad() + label_height / 2, (area.top + area.bottom) / 2);
    cairo_rotate(cr, -kPi / 2);
    draw_text(cr, plot.y_label, 0.0, 0.0, Align::middle);
    cairo_restore(cr);
  }
  if (!plot.title.empty()) {
    set_font(cr, style.title_size(), true);
    draw_text(cr, plot.title, (area.left + area.right) / 2,
              style.pad() + (title_height - style.s(14.0)) / 2, Align::middle);
  }
  if (no_data) {
    set_font(cr, style.label_size());
    set_color(cr, kAxis);
    draw_text(cr, "no data", (area.left + area.right) / 2, (area.top + area.bottom) / 2,
              Align::middle);
  }

  // Legend: a white card, so that a line it must cover stays readable around it.
  if (!legend.entries.empty() && !no_data) {
    if (!legend_outside) {
      set_color(cr, {1.0, 1.0, 1.0}, 0.88);
      cairo_rectangle(cr, legend_box.left, legend_box.top, legend.width, legend.height);
      cairo_fill_preserve(cr);
      set_color(cr, kGrid);
      cairo_set_line_width(cr, style.s(1.0));
      cairo_stroke(cr);
    }
    set_font(cr, style.legend_size());
    for (std::size_t row = 0; row < legend.entries.size(); ++row) {
      const std::size_t s = legend.entries[row];
      const Series& series = plot.series[s];
      const Rgb color = series.color.value_or(series_color(s));
      const double middle = legend_box.top + style.s(5.0) + (row + 0.5) * legend.row_height;
      const double x0 = legend_box.left + style.s(10.0);
      if (!series.band_low.empty()) {
        set_color(cr, color, 0.2);
        cairo_rectangle(cr, x0, middle - legend.row_height * 0.3, legend.swatch,
                        legend.row_height * 0.6);
        cairo_fill(cr);
      }
      set_color(cr, color);
      cairo_set_line_width(cr, style.line_width() * 1.2);
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      cairo_move_to(cr, x0, middle);
      cairo_line_to(cr, x0 + legend.swatch, middle);
      cairo_stroke(cr);
      if (series.markers) {
        cairo_arc(cr, x0 + legend.swatch / 2, middle, style.s(2.8), 0.0, 2 * kPi);
        cairo_fill(cr);
      }
      set_color(cr, kInk);
      draw_text(cr, series.name, x0 + legend.swatch + style.s(7.0), middle, Align::start);
    }
  }
}

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

void draw_on(cairo_surface_t* surface, const LinePlot& plot, int width, int height,
             const std::string& what) {
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(what + ": cannot create a Cairo surface: " +
                             cairo_status_to_string(cairo_surface_status(surface)));
  }
  ContextPtr cr(cairo_create(surface), &cairo_destroy);
  draw_line_plot(cr.get(), plot, width, height);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(what +
                             ": drawing failed: " + cairo_status_to_string(cairo_status(cr.get())));
  }
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string svg_document(const LinePlot& plot, int width, int height, const std::string& what) {
  validate(plot, width, height);
  std::string svg;
  {
    SurfacePtr surface(cairo_svg_surface_create_for_stream(&append_to_string, &svg, width, height),
                       &cairo_surface_destroy);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 15, 10)
    // Pixels rather than Cairo's default points, so that width="720px" means what the caller asked.
    cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PX);
#endif
    draw_on(surface.get(), plot, width, height, what);
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      throw std::runtime_error(what + ": writing SVG failed: " +
                               cairo_status_to_string(cairo_surface_status(surface.get())));
    }
  }
  return svg;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
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
  const std::string what = "plot " + path.string();
  // RGB24: the figure is opaque, and a PNG without alpha is smaller.
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height),
                     &cairo_surface_destroy);
  draw_on(surface.get(), plot, width, height, what);
  const cairo_status_t status = cairo_surface_write_to_png(surface.get(), path.c_str());
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error("cannot write PNG " + path.string() + ": " +
                             cairo_status_to_string(status));
  }
}

void write_svg(const LinePlot& plot, const std::filesystem::path& path, int width, int height) {
  const std::string svg = svg_document(plot, width, height, "plot " + path.string());
  std::ofstream out(path, std::ios::binary);
  out << svg;
  out.close();
  if (!out) throw std::runtime_error("cannot write SVG " + path.string());
}

std::string render_svg_string(const LinePlot& plot, int width, int height,
                              const std::string& id_prefix) {
  for (char c : id_prefix) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      throw std::invalid_argument(
          "render_svg_string: id_prefix may hold only letters, digits, "
          "'-' and '_', got \"" +
          id_prefix + "\"");
    }
  }
  std::string svg = svg_document(plot, width, height, "plot \"" + plot.title + "\"");
  // The XML declaration is not allowed inside an HTML document.
  svg.erase(0, svg.find("<svg"));
  if (!id_prefix.empty()) {
    // Cairo writes ids for glyphs, clip paths, masks and patterns and refers to them only as
    // id="…", href="#…" (xlink:href too) and url(#…).
    replace_all(svg, " id=\"", " id=\"" + id_prefix);
    replace_all(svg, "href=\"#", "href=\"#" + id_prefix);
    replace_all(svg, "url(#", "url(#" + id_prefix);
  }
  return svg;
}

}  // namespace neuromod::report
