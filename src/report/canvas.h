#pragma once

/// \file
/// What the figure kinds of the plot kit (plot.cpp, heatmap.cpp, raster.cpp, trace_stack.cpp)
/// share: sizes that scale with the figure, text, axes and legends, and the PNG and SVG surfaces
/// that one draw routine renders to. Private to src/report.
///
/// A figure kind supplies a validated struct and a draw routine `void(cairo_t*, width, height)`;
/// write_png_file, write_svg_file and inline_svg do the rest, so every kind writes its PNG, its
/// SVG file and its inlined SVG the same way.

#include <cairo.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "neuromod/report/plot.h"

namespace neuromod::report::canvas {

/// 0xRRGGBB as an Rgb.
constexpr Rgb rgb_hex(unsigned value) {
  return {((value >> 16) & 0xFF) / 255.0, ((value >> 8) & 0xFF) / 255.0, (value & 0xFF) / 255.0};
}

inline constexpr Rgb kInk = rgb_hex(0x222222);    ///< text
inline constexpr Rgb kAxis = rgb_hex(0x444444);   ///< spines and tick marks
inline constexpr Rgb kGrid = rgb_hex(0xE4E4E4);   ///< grid lines and legend card edges
inline constexpr Rgb kWhite = rgb_hex(0xFFFFFF);  ///< background

inline constexpr int kMaxSide = 16384;  ///< largest width or height of a figure, in pixels
inline constexpr double kPi = 3.14159265358979323846;

/// A point in surface units (pixels; SVG user units).
struct Point {
  double x = 0.0;
  double y = 0.0;
};

/// An axis-aligned rectangle in surface units; y grows downwards.
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

/// Sizes of one figure, in surface units. Everything scales with the figure so that a PNG at
/// twice the size of an SVG is the same picture, only sharper.
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

void set_color(cairo_t* cr, Rgb c, double alpha = 1.0);
void set_font(cairo_t* cr, double size, bool bold = false);

/// Advance width of `text` in the current font.
double text_width(cairo_t* cr, const std::string& text);

/// Height of a digit in the current font: labels are centred on it, so that every label of an
/// axis sits on the same baseline whatever its characters.
double cap_height(cairo_t* cr);

/// Widest of `texts` in the current font (0 for none).
double widest_text(cairo_t* cr, const std::vector<std::string>& texts);

enum class Align { start, middle, end };

/// Draws `text` with its horizontal `align` point at x and its digit-height middle at y.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, Align align);

/// Draws `text` turned a quarter anticlockwise (read bottom to top), `align` along its baseline
/// at y and its digit-height middle at x.
void draw_text_upwards(cairo_t* cr, const std::string& text, double x, double y, Align align);

/// The finite extent of some values; empty until a finite value is added.
struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v);
  bool empty() const { return low > high; }
};

/// Ticks for an axis: nice ones over the data (over [0, 1] when it is empty), then cut to the
/// fixed limits if any; low/high of the result are the axis ends.
Ticks axis_ticks(Range data, std::optional<double> fixed_low, std::optional<double> fixed_high,
                 int target);

/// X ticks as dense as fit in `plot_width`: each label, plus a gap of one em, must fit between
/// its neighbours; cut to the fixed limits if any, as axis_ticks.
Ticks fitted_x_ticks(cairo_t* cr, const Style& style, const Range& data, double plot_width,
                     std::optional<double> fixed_low = std::nullopt,
                     std::optional<double> fixed_high = std::nullopt);

/// Sets `area.right` for a figure `width` wide with `extra_right` kept free at the right (e.g.
/// for a legend) and returns the x ticks that fit: the last tick label is centred on the right
/// edge, so the margin is widened to hold half of it.
Ticks fit_x_axis(cairo_t* cr, const Style& style, const Range& data,
                 std::optional<double> fixed_low, std::optional<double> fixed_high, double width,
                 double extra_right, Box& area);

/// Ticks at whole numbers for an axis of cell or unit indices 0..count-1: nice ones, but never
/// between two indices. Example: index_ticks(5, 6) gives 0, 1, 2, 3, 4.
Ticks index_ticks(std::size_t count, int target);

/// Heights of the text rows around a plot area, in the current figure's fonts.
struct TextHeights {
  double title = 0.0;       ///< the title's row, with its gap; 0 without a title
  double label = 0.0;       ///< an axis label's digit height
  double tick_label = 0.0;  ///< a tick label's digit height
};

/// Measures the text rows of a figure titled `title` (empty: no title row).
TextHeights measure_text(cairo_t* cr, const Style& style, const std::string& title);

/// Top of the plot area: below the margin and the title.
double area_top(const Style& style, const TextHeights& heights);

/// Bottom of the plot area: above one row of x tick labels of `tick_labels_height` (by default
/// heights.tick_label) and the x label if any.
double area_bottom(const Style& style, const TextHeights& heights, double height, bool x_label,
                   std::optional<double> tick_labels_height = std::nullopt);

/// Left of the plot area: right of the y label if any and of y tick labels `tick_labels_width`
/// wide.
double area_left(const Style& style, const TextHeights& heights, double tick_labels_width,
                 bool y_label);

/// Prepares a fresh figure: font options that give the PNG and the SVG one layout, and a white
/// background.
void begin_figure(cairo_t* cr);

/// Horizontal grid lines at `ys` and vertical ones at `xs` (surface units) across `area`.
void draw_grid(cairo_t* cr, const Style& style, const Box& area, const std::vector<double>& xs,
               const std::vector<double>& ys);

/// The left spine of `area` with outward tick marks at `ys` and, right-aligned beside them,
/// `labels` (one per tick, or none).
void draw_left_axis(cairo_t* cr, const Style& style, const Box& area, const std::vector<double>& ys,
                    const std::vector<std::string>& labels);

/// The bottom spine of `area` with outward tick marks at `xs` and, centred under them, `labels`
/// (one per tick, or none).
void draw_bottom_axis(cairo_t* cr, const Style& style, const Box& area,
                      const std::vector<double>& xs, const std::vector<std::string>& labels,
                      const TextHeights& heights);

/// Middle of the row of x tick labels under `area`.
double x_tick_labels_middle(const Style& style, const Box& area, const TextHeights& heights);

/// The x label, centred under `area` below tick labels `tick_labels_height` high (by default
/// heights.tick_label).
void draw_x_label(cairo_t* cr, const Style& style, const Box& area, const TextHeights& heights,
                  const std::string& text, std::optional<double> tick_labels_height = std::nullopt);

/// The y label, read upwards at the left margin and centred on `area` vertically.
void draw_y_label(cairo_t* cr, const Style& style, const Box& area, const TextHeights& heights,
                  const std::string& text);

/// The title, centred above `area`.
void draw_title(cairo_t* cr, const Style& style, const Box& area, const TextHeights& heights,
                const std::string& title);

/// "no data", centred in `area`.
void draw_no_data(cairo_t* cr, const Style& style, const Box& area);

/// The size of a legend: rows of swatch and name.
struct Legend {
  double width = 0.0;
  double height = 0.0;
  double row_height = 0.0;
  double swatch = 0.0;  ///< width of a swatch
};

/// Measures a legend of `names` in the legend font.
Legend measure_legend(cairo_t* cr, const Style& style, const std::vector<std::string>& names);

/// Draws a legend of `names` with its top left at `box`'s top left; `swatch(row, x, y)` draws the
/// swatch of row `row` from x to x + legend.swatch around the row's middle y. With `card` the
/// legend sits on a white card with a light edge, so a line it must cover stays readable around
/// it.
void draw_legend(cairo_t* cr, const Style& style, const Legend& legend, const Box& box,
                 const std::vector<std::string>& names, bool card,
                 const std::function<void(std::size_t, double, double)>& swatch);

/// Maps data coordinates into a plot area. Far-off points are clamped because Cairo's fixed-point
/// coordinates overflow near ±8e6; clamping keeps what is visible exact.
struct Transform {
  double x0, x1, y0, y1;  ///< data values at the area's left, right, bottom and top
  Box area;
  Point operator()(double x, double y) const {
    const double px = area.left + (x - x0) / (x1 - x0) * area.width();
    const double py = area.bottom - (y - y0) / (y1 - y0) * area.height();
    return {std::clamp(px, -1e5, 1e5), std::clamp(py, -1e5, 1e5)};
  }
};

/// The finite runs of (x, y) as pixel polylines. Within one pixel column only the first, lowest,
/// highest and last points are kept: the drawing is the same, and a million-step run stays a
/// small SVG.
std::vector<std::vector<Point>> polylines(const std::vector<double>& xs,
                                          const std::vector<double>& ys, const Transform& to_px);

/// Adds the extent of `series` to `x` and `y`: a point counts where its x is finite and its y or
/// a band edge is.
void add_series_extent(const std::vector<Series>& series, Range& x, Range& y);

/// Draws `series` clipped to `area` widened by a dot's radius, so that a line or a dot on the axis
/// limits is drawn whole: all bands first, so that no band hides a line, then the lines (the
/// `lines` of each series, from polylines) and dots. Series k without a colour of its own gets
/// series_color(first_color + k).
void draw_series(cairo_t* cr, const Style& style, const Box& area, const Transform& to_px,
                 const std::vector<Series>& series,
                 const std::vector<std::vector<std::vector<Point>>>& lines,
                 std::size_t first_color = 0);

/// A legend swatch for `series` drawn in `color`: its band as a pale box, a short line, and a dot
/// if it has markers.
void draw_series_swatch(cairo_t* cr, const Style& style, const Legend& legend, const Series& series,
                        Rgb color, double x, double middle);

/// `value` as "%g" writes it, for error messages. Example: format_value(0.5) == "0.5".
std::string format_value(double value);

/// Throws std::invalid_argument starting with `where` unless the bounds that are set are finite
/// and, when both are, `low` < `high`; the message names the offending field.
/// Example: validate_limits("raster \"r\": ", "x_min", 2.0, "x_max", 1.0) throws
/// `raster "r": x_min must be below x_max, got 2 and 1`.
void validate_limits(const std::string& where, const std::string& low_name,
                     std::optional<double> low, const std::string& high_name,
                     std::optional<double> high);

/// Throws std::invalid_argument starting with `where` and the series' name when its x, y and
/// band lengths differ.
void validate_series(const std::string& where, const Series& series);

/// Throws std::invalid_argument unless 1 <= width, height <= kMaxSide.
void validate_size(int width, int height);

/// Throws std::invalid_argument unless `id_prefix` holds only letters, digits, '-' and '_'.
void validate_id_prefix(const std::string& id_prefix);

/// A figure's draw routine: paints the whole `width`×`height` surface.
using Draw = std::function<void(cairo_t* cr, double width, double height)>;

/// Draws onto a `width`×`height` image and writes it as a PNG to `path`. Throws
/// std::invalid_argument for a bad size and std::runtime_error naming `path` when drawing or
/// writing fails.
void write_png_file(const Draw& draw, const std::filesystem::path& path, int width, int height);

/// Draws onto an SVG surface and writes the standalone document to `path`, with `title` (if any)
/// as its <title> element. Every `<image>` is marked to be scaled without smoothing, since each
/// is a grid of cells. Throws as write_png_file.
void write_svg_file(const Draw& draw, const std::filesystem::path& path, int width, int height,
                    const std::string& title);

/// The figure as one `<svg>` element (no XML declaration), as write_svg_file writes it, whose
/// ids, and every reference to them, start with `id_prefix`. `title` is its <title> and names
/// the figure in error messages. Throws as write_png_file, and std::invalid_argument for a bad
/// `id_prefix`.
std::string inline_svg(const Draw& draw, int width, int height, const std::string& id_prefix,
                       const std::string& title);

}  // namespace neuromod::report::canvas
