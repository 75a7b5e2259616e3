#pragma once

/// \file
/// A small plot kit on Cairo: figures are plain structs, and each kind of figure has the same
/// three free functions, `write_png`, `write_svg` and `render_svg_string`, which all run one
/// draw routine, so the PNG, the SVG file and the SVG inlined in report.html are the same picture.
///
/// Example:
///   LinePlot plot;
///   plot.title = "learning curve";
///   plot.x_label = "step";
///   plot.y_label = "loss (nats)";
///   plot.series.push_back({"train", steps, losses});
///   write_png(plot, "plots/loss.png", 1440, 800);
///
/// Sizes are in pixels (SVG user units); fonts, line widths and margins scale with the size, so a
/// 1440×800 PNG looks like a 720×400 SVG at twice the resolution. Further figure kinds (heatmaps,
/// spike rasters) add their own struct and the same three overloads.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace neuromod::report {

/// A colour; each component in [0, 1] (sRGB).
struct Rgb {
  double r = 0.0;
  double g = 0.0;
  double b = 0.0;
};

/// Colour number `index` of the series cycle, taken from the Okabe–Ito palette, which stays
/// distinguishable under the common forms of colour blindness; the cycle repeats after 8.
/// Example: series_color(0) is blue (#0072B2), series_color(1) vermillion (#D55E00).
Rgb series_color(std::size_t index);

/// Positions and labels of the ticks along one axis, at steps of 1, 2 or 5 × 10^k.
struct Ticks {
  double low = 0.0;            ///< axis start: the largest multiple of `step` at or below the data
  double high = 1.0;           ///< axis end: the smallest multiple of `step` at or above the data
  double step = 0.2;           ///< distance between ticks
  std::vector<double> values;  ///< from `low` to `high` inclusive
  std::vector<std::string> labels;  ///< one per value, formatted by format_tick
};

/// Nice ticks covering [low, high] with about `target_count` ticks. The bounds may come in either
/// order; a zero-width range is widened around its value (by 10 %, or ±1 around 0).
/// Throws std::invalid_argument when a bound is not finite.
/// Example: nice_ticks(0, 1) gives 0.0, 0.2, 0.4, 0.6, 0.8, 1.0.
Ticks nice_ticks(double low, double high, int target_count = 6);

/// A tick label for `value` on an axis whose ticks are `step` apart: just enough decimals to tell
/// neighbouring ticks apart (so 0.3, never 0.30000000000000004), and scientific notation
/// (2e-5, 1.5e6) for steps below 1e-4 or from 1e5 on.
/// Example: format_tick(0.30000000000000004, 0.1) == "0.3"; format_tick(-0.0, 1) == "0".
std::string format_tick(double value, double step);

/// One named curve of a line plot. A non-finite x or y is a gap in the line; a point with gaps
/// on both sides is drawn as a dot.
struct Series {
  /// An empty series, to fill field by field.
  Series() = default;
  /// A plain line: name, abscissae and ordinates of the same length.
  Series(std::string name, std::vector<double> x, std::vector<double> y)
      : name(std::move(name)), x(std::move(x)), y(std::move(y)) {}

  std::string name;               ///< shown in the legend; an empty name leaves it out
  std::vector<double> x;          ///< abscissae, in the x axis' unit
  std::vector<double> y;          ///< ordinates, same length as `x`
  std::vector<double> band_low;   ///< optional shaded band (e.g. mean − sem): empty, or as `y`
  std::vector<double> band_high;  ///< optional shaded band (e.g. mean + sem): empty, or as `y`
  std::optional<Rgb> color;       ///< default: series_color(position in the plot)
  bool markers = false;           ///< draw a dot at every point (for sparse series)
};

/// A line plot with several series, a legend, labelled axes and a title.
struct LinePlot {
  std::string title;    ///< above the plot; may be empty
  std::string x_label;  ///< with its unit, e.g. "time (s)"; may be empty
  std::string y_label;  ///< with its unit, e.g. "firing rate (Hz)"; may be empty
  std::vector<Series> series;
  std::optional<double> y_min;  ///< fixed axis start instead of the data's (e.g. 0 for accuracy)
  std::optional<double> y_max;  ///< fixed axis end instead of the data's (e.g. 1 for accuracy)
};

/// Writes `plot` as a `width`×`height` pixel PNG to `path`.
/// Throws std::invalid_argument for a malformed plot (series lengths differ, a size outside
/// 1..16384) and std::runtime_error naming `path` when the file cannot be written.
void write_png(const LinePlot& plot, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Writes `plot` as a standalone SVG document of `width`×`height` pixels to `path`.
/// Throws as write_png.
void write_svg(const LinePlot& plot, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Renders `plot` as one `<svg>` element (no XML declaration), ready to inline in HTML. Cairo
/// names the glyphs and clip paths it defines, and several SVGs inlined in one page would share
/// those ids; a distinct `id_prefix` per figure (letters, digits, '-' and '_') keeps them apart.
/// Throws as write_png.
std::string render_svg_string(const LinePlot& plot, int width = 720, int height = 450,
                              const std::string& id_prefix = "");

}  // namespace neuromod::report
