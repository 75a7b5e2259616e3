#include "neuromod/report/trace_stack.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "canvas.h"

namespace neuromod::report {
namespace {

using canvas::Align;
using canvas::Box;
using canvas::Range;
using canvas::Style;
using canvas::Transform;

void validate(const TraceStack& stack, int width, int height) {
  canvas::validate_size(width, height);
  const std::string where = "trace stack \"" + stack.title + "\": ";
  canvas::validate_limits(where, "x_min", stack.x_min, "x_max", stack.x_max);
  for (std::size_t p = 0; p < stack.panels.size(); ++p) {
    const TracePanel& panel = stack.panels[p];
    const std::string panel_where =
        where + "panel " + std::to_string(p) + " \"" + panel.y_label + "\": ";
    canvas::validate_limits(panel_where, "y_min", panel.y_min, "y_max", panel.y_max);
    for (const Series& series : panel.series) canvas::validate_series(panel_where, series);
  }
}

std::size_t trace_count(const TraceStack& stack) {
  std::size_t count = 0;
  for (const TracePanel& panel : stack.panels) count += panel.series.size();
  return count;
}

Rgb event_color(const TraceStack& stack, std::size_t kind) {
  return stack.events[kind].color.value_or(series_color(trace_count(stack) + kind));
}

// The x positions of the events of one kind inside [low, high], one per pixel column.
std::vector<double> event_columns(const std::vector<double>& times, double low, double high,
                                  const Transform& to_px) {
  std::set<long long> seen;
  std::vector<double> xs;
  for (double t : times) {
    if (!std::isfinite(t) || t < low || t > high) continue;
    const double x = to_px(t, 0.0).x;
    if (seen.insert(static_cast<long long>(std::floor(x))).second) xs.push_back(x);
  }
  return xs;
}

void draw_trace_stack(cairo_t* cr, const TraceStack& stack, double width, double height) {
  const Style style(width, height);
  canvas::begin_figure(cr);
  const canvas::TextHeights heights = canvas::measure_text(cr, style, stack.title);

  Range x_data;
  std::vector<Range> y_data(stack.panels.size());
  for (std::size_t p = 0; p < stack.panels.size(); ++p) {
    canvas::add_series_extent(stack.panels[p].series, x_data, y_data[p]);
  }
  for (const EventKind& kind : stack.events) {
    for (double t : kind.times) x_data.add(t);
  }

  // Vertical layout: panels of equal height, a gap, then the event track's lanes.
  Box area;
  area.top = canvas::area_top(style, heights);
  area.bottom = canvas::area_bottom(style, heights, height, !stack.x_label.empty());
  const std::size_t panels = stack.panels.size();
  const std::size_t lanes = stack.events.size();
  const double lane_height = std::max(heights.tick_label * 2.0, style.s(14.0));
  const double track_height = lanes * lane_height;
  const double track_gap = panels > 0 && lanes > 0 ? style.s(12.0) : 0.0;
  const double panel_gap = heights.tick_label + style.s(12.0);
  const double panel_height =
      panels == 0 ? 0.0
                  : std::max(style.s(10.0),
                             (area.height() - track_height - track_gap - (panels - 1) * panel_gap) /
                                 panels);
  const int y_target = std::clamp(static_cast<int>(panel_height / style.s(30.0)), 2, 5);

  std::vector<Ticks> y_ticks;
  double left = 0.0;
  canvas::set_font(cr, style.tick_size());
  for (std::size_t p = 0; p < panels; ++p) {
    const TracePanel& panel = stack.panels[p];
    y_ticks.push_back(canvas::axis_ticks(y_data[p], panel.y_min, panel.y_max, y_target));
    left = std::max(
        left, canvas::area_left(style, heights, canvas::widest_text(cr, y_ticks.back().labels),
                                !panel.y_label.empty()));
  }
  std::vector<std::string> lane_names;
  for (const EventKind& kind : stack.events) lane_names.push_back(kind.name);
  left =
      std::max(left, canvas::area_left(style, heights, canvas::widest_text(cr, lane_names), false));
  area.left = left;
  const Ticks x_ticks =
      canvas::fit_x_axis(cr, style, x_data, stack.x_min, stack.x_max, width, 0.0, area);
  const Transform to_x{x_ticks.low, x_ticks.high, 0.0, 1.0, area};
  std::vector<double> xs;
  for (double v : x_ticks.values) xs.push_back(to_x(v, 0.0).x);
  std::vector<std::vector<double>> event_xs;
  for (const EventKind& kind : stack.events) {
    event_xs.push_back(event_columns(kind.times, x_ticks.low, x_ticks.high, to_x));
  }

  // Panels.
  std::size_t first_color = 0;
  for (std::size_t p = 0; p < panels; ++p) {
    const TracePanel& panel = stack.panels[p];
    Box box = area;
    box.top = area.top + p * (panel_height + panel_gap);
    box.bottom = box.top + panel_height;
    const Ticks& ticks = y_ticks[p];
    const Transform to_px{x_ticks.low, x_ticks.high, ticks.low, ticks.high, box};
    std::vector<double> ys;
    for (double v : ticks.values) ys.push_back(to_px(x_ticks.low, v).y);
    canvas::draw_grid(cr, style, box, xs, ys);
    if (stack.event_guides) {
      cairo_set_line_width(cr, style.s(1.0));
      for (std::size_t k = 0; k < lanes; ++k) {
        if (event_xs[k].empty()) continue;
        for (double x : event_xs[k]) {
          cairo_move_to(cr, x, box.top);
          cairo_line_to(cr, x, box.bottom);
        }
        canvas::set_color(cr, event_color(stack, k), 0.45);
        cairo_stroke(cr);
      }
    }
    std::vector<std::vector<std::vector<canvas::Point>>> lines;
    for (const Series& series : panel.series) {
      lines.push_back(canvas::polylines(series.x, series.y, to_px));
    }
    canvas::draw_series(cr, style, box, to_px, panel.series, lines, first_color);
    const bool bottom_labels = lanes == 0 && p + 1 == panels;
    canvas::draw_left_axis(cr, style, box, ys, ticks.labels);
    canvas::draw_bottom_axis(cr, style, box, xs,
                             bottom_labels ? x_ticks.labels : std::vector<std::string>{}, heights);
    canvas::draw_y_label(cr, style, box, heights, panel.y_label);
    if (y_data[p].empty()) canvas::draw_no_data(cr, style, box);

    std::vector<std::size_t> named;
    std::vector<std::string> names;
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
      if (panel.series[s].name.empty()) continue;
      named.push_back(s);
      names.push_back(panel.series[s].name);
    }
    if (!names.empty()) {
      const canvas::Legend legend = canvas::measure_legend(cr, style, names);
      const double inset = style.s(6.0);
      const Box legend_box{box.right - inset - legend.width, box.top + inset, box.right - inset,
                           box.top + inset + legend.height};
      canvas::draw_legend(cr, style, legend, legend_box, names, true,
                          [&](std::size_t row, double x, double middle) {
                            const std::size_t s = named[row];
                            canvas::draw_series_swatch(
                                cr, style, legend, panel.series[s],
                                panel.series[s].color.value_or(series_color(first_color + s)), x,
                                middle);
                          });
    }
    first_color += panel.series.size();
  }

  // Event track: one lane per kind, named at its left, a tick at each event.
  if (lanes > 0) {
    Box track = area;
    track.top = area.bottom - track_height;
    canvas::draw_grid(cr, style, track, xs, {});
    for (std::size_t k = 0; k < lanes; ++k) {
      const double middle = track.top + (k + 0.5) * lane_height;
      canvas::set_color(cr, canvas::kGrid);
      cairo_set_line_width(cr, style.s(1.0));
      cairo_move_to(cr, track.left, middle);
      cairo_line_to(cr, track.right, middle);
      cairo_stroke(cr);
      if (!event_xs[k].empty()) {
        cairo_set_line_width(cr, style.s(1.8));
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        for (double x : event_xs[k]) {
          cairo_move_to(cr, x, middle - 0.35 * lane_height);
          cairo_line_to(cr, x, middle + 0.35 * lane_height);
        }
        canvas::set_color(cr, event_color(stack, k));
        cairo_stroke(cr);
      }
      canvas::set_color(cr, canvas::kInk);
      canvas::set_font(cr, style.tick_size());
      canvas::draw_text(cr, lane_names[k], track.left - style.tick_length() - style.s(5.0), middle,
                        Align::end);
    }
    canvas::draw_bottom_axis(cr, style, track, xs, x_ticks.labels, heights);
  }

  canvas::draw_x_label(cr, style, area, heights, stack.x_label);
  canvas::draw_title(cr, style, area, heights, stack.title);
  if (panels == 0 && lanes == 0) canvas::draw_no_data(cr, style, area);
}

canvas::Draw drawing(const TraceStack& stack) {
  return [&stack](cairo_t* cr, double width, double height) {
    draw_trace_stack(cr, stack, width, height);
  };
}

}  // namespace

void write_png(const TraceStack& stack, const std::filesystem::path& path, int width, int height) {
  validate(stack, width, height);
  canvas::write_png_file(drawing(stack), path, width, height);
}

void write_svg(const TraceStack& stack, const std::filesystem::path& path, int width, int height) {
  validate(stack, width, height);
  canvas::write_svg_file(drawing(stack), path, width, height, stack.title);
}

std::string render_svg_string(const TraceStack& stack, int width, int height,
                              const std::string& id_prefix) {
  canvas::validate_id_prefix(id_prefix);
  validate(stack, width, height);
  return canvas::inline_svg(drawing(stack), width, height, id_prefix, stack.title);
}

}  // namespace neuromod::report
