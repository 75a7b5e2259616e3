#pragma once

/// \file
/// Heatmaps: a matrix of values drawn as coloured cells with a colorbar, in the look of the plot
/// kit (plot.h) and with its three output functions.
///
/// Example, an accuracy matrix (row: after training on a task, column: task tested):
///   Heatmap map;
///   map.title = "accuracy after each task";
///   map.x_label = "tested on";
///   map.y_label = "trained up to";
///   map.value_label = "accuracy";
///   map.values = {{0.98, nan, nan}, {0.71, 0.97, nan}, {0.64, 0.80, 0.96}};
///   map.x_categories = map.y_categories = {"A", "B", "C"};
///   map.value_min = 0.0;
///   map.value_max = 1.0;
///   map.annotate = true;
///   write_png(map, "plots/accuracy.png", 1200, 900);
///
/// Example, unit activity over time (200 units × 10000 steps of 1 ms):
///   Heatmap activity;
///   activity.x_label = "time (s)";
///   activity.y_label = "unit";
///   activity.value_label = "rate (Hz)";
///   activity.values = rates;                  // rates[unit][step]
///   activity.x_extent = Extent{0.0, 10.0};   // column 0 starts at 0 s, the last ends at 10 s
///   write_svg(activity, "plots/activity.svg");
///
/// Cells are one image drawn with nearest-neighbour filtering, not one rectangle each, so a
/// large matrix renders fast and its SVG stays small. When the matrix has more columns than the
/// plot area is pixels wide (or more rows than it is pixels high), neighbouring cells are
/// averaged, ignoring NaN, down to one cell per pixel before they are coloured; the image, and so
/// the SVG, never has more pixels than the plot area.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "neuromod/report/colormap.h"
#include "neuromod/report/plot.h"

namespace neuromod::report {

/// A numeric axis along a heatmap's cells, in the axis' unit: `start` at the outer edge of the
/// first cell, `end` at the outer edge of the last. Example: Extent{0, 10} for 10000 steps of 1 ms
/// puts step k at [k, k + 1] ms.
struct Extent {
  double start = 0.0;
  double end = 1.0;
};

/// Where a heatmap draws its row 0.
enum class RowOrder {
  top_down,   ///< row 0 at the top, as a matrix is written (accuracy matrices)
  bottom_up,  ///< row 0 at the bottom, as a y axis counts (units, frequencies)
};

/// A heatmap of a rows × columns matrix with a colorbar. Each axis shows, in this order of
/// preference: category names (one per cell), a numeric extent, or cell indices 0, 1, 2, ...
struct Heatmap {
  std::string title;        ///< above the plot; may be empty
  std::string x_label;      ///< the columns' axis with its unit, e.g. "time (s)"; may be empty
  std::string y_label;      ///< the rows' axis, e.g. "unit"; may be empty
  std::string value_label;  ///< the colorbar's label with its unit, e.g. "accuracy"; may be empty
  /// values[row][column]; every row as long as the first; NaN is drawn grey (no_data_color()).
  std::vector<std::vector<double>> values;
  std::vector<std::string> x_categories;  ///< empty, or one name per column, e.g. task names
  std::vector<std::string> y_categories;  ///< empty, or one name per row
  std::optional<Extent> x_extent;         ///< numeric x axis instead of column indices
  std::optional<Extent> y_extent;         ///< numeric y axis instead of row indices
  RowOrder row_order = RowOrder::top_down;
  /// viridis, or coolwarm for signed values: its grey middle is the middle of the value range,
  /// and the default range for coolwarm is symmetric about 0 ([-m, m], m the largest |value|).
  Colormap colormap = Colormap::viridis;
  std::optional<double> value_min;  ///< colour of the low end (default: the data's minimum)
  std::optional<double> value_max;  ///< colour of the high end (default: the data's maximum)
  /// Write each cell's value in it, for small matrices. Cells too small for the text, and
  /// matrices averaged down to the plot's pixels, are left without.
  bool annotate = false;
  int annotation_decimals = 2;  ///< decimals of the annotations, 0..10
};

/// Writes `map` as a `width`×`height` pixel PNG to `path`.
/// Throws std::invalid_argument naming the field for a malformed heatmap (no rows or columns,
/// rows of different lengths, categories that do not match the matrix, a non-finite or empty
/// extent or value range, a size outside 1..16384) and std::runtime_error naming `path` when the
/// file cannot be written.
void write_png(const Heatmap& map, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Writes `map` as a standalone SVG document of `width`×`height` pixels to `path`. Throws as
/// write_png.
void write_svg(const Heatmap& map, const std::filesystem::path& path, int width = 720,
               int height = 450);

/// Renders `map` as one `<svg>` element to inline in HTML, its ids prefixed by `id_prefix`
/// (letters, digits, '-' and '_'; see the LinePlot overload). Throws as write_png.
std::string render_svg_string(const Heatmap& map, int width = 720, int height = 450,
                              const std::string& id_prefix = "");

}  // namespace neuromod::report
