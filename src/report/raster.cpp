#include "neuromod/report/raster.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <unordered_set>

#include "canvas.h"

namespace neuromod::report {
namespace {

using canvas::Box;
using canvas::Range;
using canvas::Style;

void validate(const Raster& raster, int width, int height) {
  canvas::validate_size(width, height);
  const std::string where = "raster \"" + raster.title + "\": ";
  canvas::validate_limits(where, "x_min", raster.x_min, "x_max", raster.x_max);
  if (raster.groups.empty()) {
    if (!raster.unit_groups.empty()) {
      throw std::invalid_argument(where + "unit_groups has " +
                                  std::to_string(raster.unit_groups.size()) +
                                  " indices but there are no groups");
    }
    return;
  }
  if (raster.unit_groups.size() != raster.events.size()) {
    throw std::invalid_argument(
        where + "unit_groups has " + std::to_string(raster.unit_groups.size()) + " indices for " +
        std::to_string(raster.events.size()) + " units, expected one group index per unit");
  }
  for (std::size_t unit = 0; unit < raster.unit_groups.size(); ++unit) {
    if (raster.unit_groups[unit] >= raster.groups.size()) {
      throw std::invalid_argument(where + "unit_groups[" + std::to_string(unit) + "] is " +
                                  std::to_string(raster.unit_groups[unit]) + ", expected below " +
                                  std::to_string(raster.groups.size()) + " (the number of groups)");
    }
  }
}

Rgb group_color(const Raster& raster, std::size_t group) {
  return raster.groups[group].color.value_or(series_color(group));
}

void draw_raster(cairo_t* cr, const Raster& raster, double width, double height) {
  const Style style(width, height);
  canvas::begin_figure(cr);
  const canvas::TextHeights heights = canvas::measure_text(cr, style, raster.title);
  const std::size_t units = raster.events.size();

  Range x_data;
  for (const auto& times : raster.events) {
    for (double t : times) x_data.add(t);
  }
  if (raster.x_min) x_data.add(*raster.x_min);
  if (raster.x_max) x_data.add(*raster.x_max);

  Box area;
  area.top = canvas::area_top(style, heights);
  area.bottom = canvas::area_bottom(style, heights, height, !raster.x_label.empty());
  const int y_target = std::clamp(static_cast<int>(area.height() / style.s(48.0)), 3, 9);
  const Ticks y_ticks = canvas::index_ticks(units, y_target);
  canvas::set_font(cr, style.tick_size());
  area.left = canvas::area_left(style, heights, canvas::widest_text(cr, y_ticks.labels),
                                !raster.y_label.empty());

  // Legend of the named groups, outside at the right: a raster fills its whole area.
  std::vector<std::size_t> legend_groups;
  std::vector<std::string> legend_names;
  for (std::size_t g = 0; g < raster.groups.size(); ++g) {
    if (raster.groups[g].name.empty()) continue;
    legend_groups.push_back(g);
    legend_names.push_back(raster.groups[g].name);
  }
  const canvas::Legend legend = canvas::measure_legend(cr, style, legend_names);
  const double legend_room = legend_names.empty() ? 0.0 : legend.width + style.s(12.0);
  const Ticks x_ticks =
      canvas::fit_x_axis(cr, style, x_data, raster.x_min, raster.x_max, width, legend_room, area);

  const double row_height = units == 0 ? area.height() : area.height() / units;
  const auto row_middle = [&](double unit) { return area.bottom - (unit + 0.5) * row_height; };
  const auto x_px = [&](double t) {
    return area.left + (t - x_ticks.low) / (x_ticks.high - x_ticks.low) * area.width();
  };

  // Events: one path per colour. A tick covers 80 % of its row, or the whole row when rows are
  // thinner than two pixels; a tick whose pixel is already drawn is left out.
  const double tick_half = row_height < 2.0 ? row_height / 2 : 0.4 * row_height;
  cairo_save(cr);
  cairo_rectangle(cr, area.left, area.top, area.width(), area.height());
  cairo_clip(cr);
  cairo_set_line_width(cr, std::min(style.s(1.2), std::max(style.s(0.6), row_height * 0.5)));
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  const std::size_t colors = std::max<std::size_t>(raster.groups.size(), 1);
  for (std::size_t color = 0; color < colors; ++color) {
    std::unordered_set<std::uint64_t> drawn;
    bool any = false;
    for (std::size_t unit = 0; unit < units; ++unit) {
      if (!raster.groups.empty() && raster.unit_groups[unit] != color) continue;
      const double y = row_middle(static_cast<double>(unit));
      const auto pixel_row = static_cast<std::uint64_t>(std::max(0.0, std::floor(y)));
      for (double t : raster.events[unit]) {
        if (!std::isfinite(t) || t < x_ticks.low || t > x_ticks.high) continue;
        const double x = x_px(t);
        const auto pixel_column = static_cast<std::uint64_t>(std::max(0.0, std::floor(x)));
        if (!drawn.insert((pixel_row << 32) | pixel_column).second) continue;
        cairo_move_to(cr, x, y - tick_half);
        cairo_line_to(cr, x, y + tick_half);
        any = true;
      }
    }
    if (!any) continue;
    canvas::set_color(cr, raster.groups.empty() ? canvas::kInk : group_color(raster, color));
    cairo_stroke(cr);
  }
  cairo_restore(cr);

  std::vector<double> xs;
  std::vector<double> ys;
  for (double v : x_ticks.values) xs.push_back(x_px(v));
  for (double v : y_ticks.values) ys.push_back(row_middle(v));
  canvas::draw_left_axis(cr, style, area, units == 0 ? std::vector<double>{} : ys,
                         units == 0 ? std::vector<std::string>{} : y_ticks.labels);
  canvas::draw_bottom_axis(cr, style, area, xs, x_ticks.labels, heights);
  canvas::draw_x_label(cr, style, area, heights, raster.x_label);
  canvas::draw_y_label(cr, style, area, heights, raster.y_label);
  canvas::draw_title(cr, style, area, heights, raster.title);
  if (units == 0) canvas::draw_no_data(cr, style, area);

  if (!legend_names.empty()) {
    const Box box{width - style.pad() - legend.width, area.top, width - style.pad(),
                  area.top + legend.height};
    canvas::draw_legend(cr, style, legend, box, legend_names, false,
                        [&](std::size_t row, double x, double middle) {
                          // Three ticks, as in the raster.
                          canvas::set_color(cr, group_color(raster, legend_groups[row]));
                          cairo_set_line_width(cr, style.s(1.5));
                          for (int k = 0; k < 3; ++k) {
                            const double tick_x = x + legend.swatch * (0.2 + 0.3 * k);
                            cairo_move_to(cr, tick_x, middle - legend.row_height * 0.3);
                            cairo_line_to(cr, tick_x, middle + legend.row_height * 0.3);
                          }
                          cairo_stroke(cr);
                        });
  }
}

canvas::Draw drawing(const Raster& raster) {
  return [&raster](cairo_t* cr, double width, double height) {
    draw_raster(cr, raster, width, height);
  };
}

}  // namespace

void write_png(const Raster& raster, const std::filesystem::path& path, int width, int height) {
  validate(raster, width, height);
  canvas::write_png_file(drawing(raster), path, width, height);
}

void write_svg(const Raster& raster, const std::filesystem::path& path, int width, int height) {
  validate(raster, width, height);
  canvas::write_svg_file(drawing(raster), path, width, height, raster.title);
}

std::string render_svg_string(const Raster& raster, int width, int height,
                              const std::string& id_prefix) {
  canvas::validate_id_prefix(id_prefix);
  validate(raster, width, height);
  return canvas::inline_svg(drawing(raster), width, height, id_prefix, raster.title);
}

}  // namespace neuromod::report
