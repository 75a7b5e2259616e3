#include "neuromod/report/heatmap.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "canvas.h"

namespace neuromod::report {
namespace {

using canvas::Align;
using canvas::Box;
using canvas::Range;
using canvas::Style;

void validate(const Heatmap& map, int width, int height) {
  canvas::validate_size(width, height);
  const std::string where = "heatmap \"" + map.title + "\": ";
  const auto fail = [&](const std::string& message) {
    throw std::invalid_argument(where + message);
  };
  if (map.values.empty()) fail("values has no rows, expected at least one");
  const std::size_t columns = map.values.front().size();
  if (columns == 0) fail("values has rows of no columns, expected at least one");
  for (std::size_t r = 1; r < map.values.size(); ++r) {
    if (map.values[r].size() != columns) {
      fail("values is ragged: row " + std::to_string(r) + " has " +
           std::to_string(map.values[r].size()) + " values but row 0 has " +
           std::to_string(columns));
    }
  }
  const auto check_axis = [&](const char* name, const std::vector<std::string>& categories,
                              const std::optional<Extent>& extent, std::size_t cells,
                              const char* cell_name) {
    const std::string axis = name;
    if (!categories.empty() && categories.size() != cells) {
      fail(axis + "_categories has " + std::to_string(categories.size()) + " names for " +
           std::to_string(cells) + " " + cell_name + ", expected one per " + cell_name);
    }
    if (!extent) return;
    if (!categories.empty()) fail("set " + axis + "_categories or " + axis + "_extent, not both");
    if (!std::isfinite(extent->start) || !std::isfinite(extent->end) ||
        !(extent->end > extent->start)) {
      fail(axis + "_extent must be finite with start < end, got [" +
           canvas::format_value(extent->start) + ", " + canvas::format_value(extent->end) + "]");
    }
  };
  check_axis("x", map.x_categories, map.x_extent, columns, "columns");
  check_axis("y", map.y_categories, map.y_extent, map.values.size(), "rows");
  canvas::validate_limits(where, "value_min", map.value_min, "value_max", map.value_max);
  if (map.annotation_decimals < 0 || map.annotation_decimals > 10) {
    fail("annotation_decimals must be within 0..10, got " +
         std::to_string(map.annotation_decimals));
  }
}

// The values the colours span: the fixed bounds, else the data's extent (for coolwarm symmetric
// about 0, so that 0 is its grey middle); a single value is widened as nice_ticks widens it.
std::pair<double, double> value_range(const Heatmap& map) {
  Range data;
  for (const auto& row : map.values) {
    for (double v : row) data.add(v);
  }
  if (data.empty()) data = Range{0.0, 1.0};
  if (map.colormap == Colormap::coolwarm) {
    const double m = std::max(std::abs(data.low), std::abs(data.high));
    data = m > 0.0 ? Range{-m, m} : Range{-1.0, 1.0};
  }
  if (data.low == data.high) {
    const double pad = data.low == 0.0 ? 1.0 : 0.1 * std::abs(data.low);
    data = Range{data.low - pad, data.high + pad};
  }
  double low = map.value_min.value_or(data.low);
  double high = map.value_max.value_or(data.high);
  if (map.value_min && !map.value_max && high <= low) high = low + (data.high - data.low);
  if (map.value_max && !map.value_min && low >= high) low = high - (data.high - data.low);
  return {low, high};
}

// The matrix as drawn: at most `max_columns` × `max_rows` cells, each the mean of the finite
// values of the block of cells it stands for (NaN when there are none), in display order
// (first row at the top).
struct Grid {
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<double> values;  // row-major
  bool averaged = false;
};

Grid display_grid(const Heatmap& map, std::size_t max_columns, std::size_t max_rows) {
  const std::size_t rows = map.values.size();
  const std::size_t columns = map.values.front().size();
  Grid grid;
  grid.rows = std::min(rows, std::max<std::size_t>(max_rows, 1));
  grid.columns = std::min(columns, std::max<std::size_t>(max_columns, 1));
  grid.averaged = grid.rows < rows || grid.columns < columns;
  grid.values.assign(grid.rows * grid.columns, 0.0);
  std::vector<double> sums(grid.columns);
  std::vector<std::size_t> counts(grid.columns);
  // Block b covers cells [b·n/m, (b+1)·n/m): sizes differ by at most one.
  std::vector<std::size_t> column_block(columns);
  for (std::size_t c = 0; c < columns; ++c) column_block[c] = c * grid.columns / columns;
  for (std::size_t out = 0; out < grid.rows; ++out) {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    const std::size_t first = out * rows / grid.rows;
    const std::size_t last = (out + 1) * rows / grid.rows;
    for (std::size_t r = first; r < last; ++r) {
      const auto& row = map.values[r];
      for (std::size_t c = 0; c < columns; ++c) {
        if (!std::isfinite(row[c])) continue;
        sums[column_block[c]] += row[c];
        ++counts[column_block[c]];
      }
    }
    const std::size_t display_row = map.row_order == RowOrder::top_down ? out : grid.rows - 1 - out;
    for (std::size_t b = 0; b < grid.columns; ++b) {
      grid.values[display_row * grid.columns + b] =
          counts[b] > 0 ? sums[b] / counts[b] : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return grid;
}

std::uint32_t pixel(Rgb c) {
  const auto byte = [](double v) {
    return static_cast<std::uint32_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
  };
  return (byte(c.r) << 16) | (byte(c.g) << 8) | byte(c.b);
}

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

// An RGB24 image of `columns` × `rows` pixels, coloured by `color(row, column)`.
template <typename Color>
SurfacePtr make_image(std::size_t columns, std::size_t rows, const Color& color) {
  SurfacePtr image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(columns),
                                              static_cast<int>(rows)),
                   &cairo_surface_destroy);
  cairo_surface_flush(image.get());
  unsigned char* data = cairo_image_surface_get_data(image.get());
  const int stride = cairo_image_surface_get_stride(image.get());
  if (data == nullptr) return image;  // the surface is in an error state; drawing reports it
  for (std::size_t r = 0; r < rows; ++r) {
    auto* line = reinterpret_cast<std::uint32_t*>(data + r * stride);
    for (std::size_t c = 0; c < columns; ++c) line[c] = pixel(color(r, c));
  }
  cairo_surface_mark_dirty(image.get());
  return image;
}

// Paints `image` stretched over `box`, each image pixel a sharp rectangle.
void paint_image(cairo_t* cr, cairo_surface_t* image, const Box& box) {
  const double sx = cairo_image_surface_get_width(image) / box.width();
  const double sy = cairo_image_surface_get_height(image) / box.height();
  cairo_pattern_t* pattern = cairo_pattern_create_for_surface(image);
  cairo_matrix_t matrix;
  cairo_matrix_init_scale(&matrix, sx, sy);
  cairo_matrix_translate(&matrix, -box.left, -box.top);
  cairo_pattern_set_matrix(pattern, &matrix);
  cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST);
  cairo_set_source(cr, pattern);
  cairo_rectangle(cr, box.left, box.top, box.width(), box.height());
  cairo_fill(cr);
  cairo_pattern_destroy(pattern);
}

// Tick positions (surface units) and labels along one axis. The functions below place them on
// an axis of `length` surface units that starts at `origin` and runs in the direction `sign`
// (+1: rightwards or downwards, -1: upwards).
struct AxisMarks {
  std::vector<double> positions;
  std::vector<std::string> labels;
};

// Category names at cell centres; when the cells are narrower than `min_spacing`, only every
// k-th cell is named.
AxisMarks category_marks(const std::vector<std::string>& names, double origin, double length,
                         double sign, double min_spacing) {
  AxisMarks marks;
  const double cell = length / names.size();
  const auto every = static_cast<std::size_t>(std::max(1.0, std::ceil(min_spacing / cell)));
  for (std::size_t i = 0; i < names.size(); i += every) {
    marks.positions.push_back(origin + sign * (i + 0.5) * cell);
    marks.labels.push_back(names[i]);
  }
  return marks;
}

// Numeric ticks over [start, end] mapped onto the axis.
AxisMarks numeric_marks(const Ticks& ticks, double start, double end, double origin, double length,
                        double sign) {
  AxisMarks marks;
  for (std::size_t i = 0; i < ticks.values.size(); ++i) {
    marks.positions.push_back(origin + sign * (ticks.values[i] - start) / (end - start) * length);
    marks.labels.push_back(ticks.labels[i]);
  }
  return marks;
}

// Index ticks at cell centres.
AxisMarks index_marks(const Ticks& ticks, std::size_t cells, double origin, double length,
                      double sign) {
  AxisMarks marks;
  for (std::size_t i = 0; i < ticks.values.size(); ++i) {
    marks.positions.push_back(origin + sign * (ticks.values[i] + 0.5) / cells * length);
    marks.labels.push_back(ticks.labels[i]);
  }
  return marks;
}

void draw_heatmap(cairo_t* cr, const Heatmap& map, double width, double height) {
  const Style style(width, height);
  canvas::begin_figure(cr);
  const canvas::TextHeights heights = canvas::measure_text(cr, style, map.title);
  const std::size_t rows = map.values.size();
  const std::size_t columns = map.values.front().size();
  const auto [low, high] = value_range(map);

  Box area;
  area.top = canvas::area_top(style, heights);
  area.bottom = canvas::area_bottom(style, heights, height, !map.x_label.empty());

  // Colorbar to the right: gap, bar, ticks, labels, value label.
  const double bar_gap = style.s(16.0);
  const double bar_width = style.s(16.0);
  const int bar_target = std::clamp(static_cast<int>(area.height() / style.s(48.0)), 3, 9);
  const Ticks bar_ticks = canvas::axis_ticks(Range{low, high}, low, high, bar_target);
  canvas::set_font(cr, style.tick_size());
  const double bar_labels_width = canvas::widest_text(cr, bar_ticks.labels);
  const double right_margin =
      bar_gap + bar_width + style.tick_length() + style.s(5.0) + bar_labels_width +
      (map.value_label.empty() ? 0.0 : style.s(10.0) + heights.label) + style.pad();
  area.right = width - right_margin;

  // Rows' axis, bottom-up for RowOrder::bottom_up and for numeric extents drawn that way.
  const bool rows_up = map.row_order == RowOrder::bottom_up;
  const auto y_marks = [&]() {
    const double origin = rows_up ? area.bottom : area.top;
    const double sign = rows_up ? -1.0 : 1.0;
    if (!map.y_categories.empty()) {
      return category_marks(map.y_categories, origin, area.height(), sign,
                            heights.tick_label * 1.8);
    }
    const int target = std::clamp(static_cast<int>(area.height() / style.s(48.0)), 3, 9);
    if (map.y_extent) {
      const Ticks ticks = canvas::axis_ticks(Range{map.y_extent->start, map.y_extent->end},
                                             map.y_extent->start, map.y_extent->end, target);
      return numeric_marks(ticks, map.y_extent->start, map.y_extent->end, origin, area.height(),
                           sign);
    }
    return index_marks(canvas::index_ticks(rows, target), rows, origin, area.height(), sign);
  };

  // Columns' axis; category names turn upwards when they do not fit side by side.
  bool x_names_upwards = false;
  double x_labels_height = heights.tick_label;
  const auto x_marks = [&]() {
    canvas::set_font(cr, style.tick_size());
    if (!map.x_categories.empty()) {
      const double widest = canvas::widest_text(cr, map.x_categories);
      x_names_upwards = widest + style.s(6.0) > area.width() / columns;
      x_labels_height = x_names_upwards ? widest : heights.tick_label;
      return category_marks(map.x_categories, area.left, area.width(), 1.0,
                            x_names_upwards ? heights.tick_label * 1.8 : widest + style.s(6.0));
    }
    if (map.x_extent) {
      const Ticks ticks = canvas::fitted_x_ticks(
          cr, style, Range{map.x_extent->start, map.x_extent->end}, area.width());
      const Ticks kept =
          canvas::axis_ticks(Range{map.x_extent->start, map.x_extent->end}, map.x_extent->start,
                             map.x_extent->end, static_cast<int>(ticks.values.size()));
      return numeric_marks(kept, map.x_extent->start, map.x_extent->end, area.left, area.width(),
                           1.0);
    }
    const int target = std::clamp(static_cast<int>(area.width() / style.s(70.0)), 2, 10);
    return index_marks(canvas::index_ticks(columns, target), columns, area.left, area.width(), 1.0);
  };

  // The axes depend on each other through the margins: lay out twice.
  AxisMarks ys;
  AxisMarks xs;
  for (int pass = 0; pass < 2; ++pass) {
    ys = y_marks();
    canvas::set_font(cr, style.tick_size());
    area.left =
        canvas::area_left(style, heights, canvas::widest_text(cr, ys.labels), !map.y_label.empty());
    xs = x_marks();
    area.bottom =
        canvas::area_bottom(style, heights, height, !map.x_label.empty(), x_labels_height);
  }
  ys = y_marks();

  // Cells.
  const auto max_columns = static_cast<std::size_t>(std::max(1.0, std::ceil(area.width())));
  const auto max_rows = static_cast<std::size_t>(std::max(1.0, std::ceil(area.height())));
  const Grid grid = display_grid(map, max_columns, max_rows);
  const auto cell_color = [&](double v) {
    return colormap_color(map.colormap, std::isfinite(v) ? (v - low) / (high - low) : v);
  };
  {
    const SurfacePtr image = make_image(grid.columns, grid.rows, [&](std::size_t r, std::size_t c) {
      return cell_color(grid.values[r * grid.columns + c]);
    });
    paint_image(cr, image.get(), area);
  }

  if (map.annotate && !grid.averaged) {
    const double cell_width = area.width() / grid.columns;
    const double cell_height = area.height() / grid.rows;
    const double size = std::min(style.tick_size(), cell_height * 0.45);
    canvas::set_font(cr, size);
    std::vector<std::string> texts(grid.values.size());
    double widest = 0.0;
    for (std::size_t i = 0; i < grid.values.size(); ++i) {
      if (!std::isfinite(grid.values[i])) continue;
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.*f", map.annotation_decimals, grid.values[i]);
      texts[i] = buffer;
      widest = std::max(widest, canvas::text_width(cr, texts[i]));
    }
    if (size >= style.s(7.0) && widest + style.s(4.0) <= cell_width) {
      for (std::size_t r = 0; r < grid.rows; ++r) {
        for (std::size_t c = 0; c < grid.columns; ++c) {
          const std::size_t i = r * grid.columns + c;
          if (texts[i].empty()) continue;
          // Dark text on light cells, white on dark ones (Rec. 709 luma).
          const Rgb fill = cell_color(grid.values[i]);
          const double luma = 0.2126 * fill.r + 0.7152 * fill.g + 0.0722 * fill.b;
          canvas::set_color(cr, luma > 0.45 ? canvas::kInk : canvas::kWhite);
          canvas::draw_text(cr, texts[i], area.left + (c + 0.5) * cell_width,
                            area.top + (r + 0.5) * cell_height, Align::middle);
        }
      }
    }
  }

  // Axes.
  canvas::draw_left_axis(cr, style, area, ys.positions, ys.labels);
  if (x_names_upwards) {
    canvas::draw_bottom_axis(cr, style, area, xs.positions, {}, heights);
    canvas::set_color(cr, canvas::kInk);
    canvas::set_font(cr, style.tick_size());
    const double top = area.bottom + style.tick_length() + style.s(5.0);
    for (std::size_t i = 0; i < xs.positions.size(); ++i) {
      canvas::draw_text_upwards(cr, xs.labels[i], xs.positions[i], top, Align::end);
    }
  } else {
    canvas::draw_bottom_axis(cr, style, area, xs.positions, xs.labels, heights);
  }
  canvas::draw_x_label(cr, style, area, heights, map.x_label, x_labels_height);
  canvas::draw_y_label(cr, style, area, heights, map.y_label);
  canvas::draw_title(cr, style, area, heights, map.title);

  // Colorbar: the colormap from low (bottom) to high (top), ticks and the value label at right.
  const Box bar{area.right + bar_gap, area.top, area.right + bar_gap + bar_width, area.bottom};
  {
    constexpr std::size_t kSteps = 256;
    const SurfacePtr image = make_image(1, kSteps, [&](std::size_t r, std::size_t) {
      return colormap_color(map.colormap, 1.0 - static_cast<double>(r) / (kSteps - 1));
    });
    paint_image(cr, image.get(), bar);
  }
  std::vector<double> bar_ys;
  for (double v : bar_ticks.values) {
    bar_ys.push_back(bar.bottom - (v - low) / (high - low) * bar.height());
  }
  canvas::set_color(cr, canvas::kAxis);
  cairo_set_line_width(cr, style.s(1.2));
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  for (double y : bar_ys) {
    cairo_move_to(cr, bar.right, y);
    cairo_line_to(cr, bar.right + style.tick_length(), y);
  }
  cairo_stroke(cr);
  canvas::set_color(cr, canvas::kInk);
  canvas::set_font(cr, style.tick_size());
  const double labels_left = bar.right + style.tick_length() + style.s(5.0);
  for (std::size_t i = 0; i < bar_ys.size(); ++i) {
    canvas::draw_text(cr, bar_ticks.labels[i], labels_left, bar_ys[i], Align::start);
  }
  if (!map.value_label.empty()) {
    canvas::set_font(cr, style.label_size());
    canvas::draw_text_upwards(cr, map.value_label,
                              labels_left + bar_labels_width + style.s(10.0) + heights.label / 2,
                              (bar.top + bar.bottom) / 2, Align::middle);
  }
}

canvas::Draw drawing(const Heatmap& map) {
  return [&map](cairo_t* cr, double width, double height) { draw_heatmap(cr, map, width, height); };
}

}  // namespace

void write_png(const Heatmap& map, const std::filesystem::path& path, int width, int height) {
  validate(map, width, height);
  canvas::write_png_file(drawing(map), path, width, height);
}

void write_svg(const Heatmap& map, const std::filesystem::path& path, int width, int height) {
  validate(map, width, height);
  canvas::write_svg_file(drawing(map), path, width, height, map.title);
}

std::string render_svg_string(const Heatmap& map, int width, int height,
                              const std::string& id_prefix) {
  canvas::validate_id_prefix(id_prefix);
  validate(map, width, height);
  return canvas::inline_svg(drawing(map), width, height, id_prefix, map.title);
}

}  // namespace neuromod::report
